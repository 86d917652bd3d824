package io.commitviewer.common.events;

/**
 * RabbitMQ names shared by the services. Queues are {@code {consumer}.{purpose}}, each with a
 * dead-letter queue {@code {queue}.dlq} fed through {@link #DEAD_LETTER_EXCHANGE}.
 */
public final class AmqpNames {

    /** Durable topic exchange every event is published to, routed by {@link EventType#routingKey()}. */
    public static final String EXCHANGE = "commitviewer.events";
    /** Direct exchange for dead letters; the routing key is the queue's own name. */
    public static final String DEAD_LETTER_EXCHANGE = "commitviewer.dlx";
    public static final String DLQ_SUFFIX = ".dlq";

    /** Message header carrying the routing key of the event type. */
    public static final String TYPE_HEADER = "type";
    public static final String CONTENT_TYPE = "application/json";

    public static final String FETCH_REQUESTS_QUEUE = "commit-service.fetch-requests";
    public static final String PROJECT_DELETIONS_QUEUE = "commit-service.project-deletions";
    public static final String FETCH_RESULTS_QUEUE = "project-service.fetch-results";
    public static final String FETCH_PROGRESS_QUEUE = "project-service.fetch-progress";

    /** commit-service: fetch requests. */
    public static final QueueSpec FETCH_REQUESTS = new QueueSpec(FETCH_REQUESTS_QUEUE, java.util.List.of(EventType.FETCH_REQUESTED));
    /** commit-service: deleted projects whose data it drops. */
    public static final QueueSpec PROJECT_DELETIONS = new QueueSpec(PROJECT_DELETIONS_QUEUE, java.util.List.of(EventType.PROJECT_DELETED));
    /** project-service: what became of each fetch, and what the commit store holds (ADR 0006). */
    public static final QueueSpec FETCH_RESULTS = new QueueSpec(FETCH_RESULTS_QUEUE,
            java.util.List.of(EventType.FETCH_STARTED, EventType.FETCH_SUCCEEDED, EventType.FETCH_FAILED,
                    EventType.COMMIT_STORE_CHECKED));
    /**
     * project-service: how far running fetches are. Lossy by design: at most
     * {@link #FETCH_PROGRESS_MAX_LENGTH} wait; beyond, the broker refuses new ones (the publisher
     * drops them) rather than dead-lettering the overflow into a DLQ that would page someone.
     */
    public static final QueueSpec FETCH_PROGRESS = new QueueSpec(FETCH_PROGRESS_QUEUE, java.util.List.of(EventType.FETCH_PROGRESS),
            java.util.Map.of("x-max-length", AmqpNames.FETCH_PROGRESS_MAX_LENGTH, "x-overflow", "reject-publish"));
    public static final int FETCH_PROGRESS_MAX_LENGTH = 10_000;
    /**
     * Every queue. Both services declare all of them, with the same arguments, so that nothing
     * published before its consumer first ran is returned as unroutable.
     */
    public static final java.util.List<QueueSpec> QUEUES = java.util.List.of(FETCH_REQUESTS, PROJECT_DELETIONS, FETCH_RESULTS,
            FETCH_PROGRESS);

    private AmqpNames() {
    }

    public static String deadLetterQueue(String queue) {
        return queue + DLQ_SUFFIX;
    }
}
