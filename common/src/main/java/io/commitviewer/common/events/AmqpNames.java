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

    /**
     * Consistent-hash exchange (RabbitMQ's {@code rabbitmq_consistent_hash_exchange} plugin) that
     * spreads {@code fetch.requested} and {@code project.deleted} over the {@link #PROJECT_WORK_SHARDS}
     * shard queues by the {@link #PROJECT_ID_HEADER} header: one project's work always lands in one
     * shard, which one commit-service instance consumes, so its mirror stays warm there (ADR 0010, item 7).
     */
    public static final String PROJECT_WORK_EXCHANGE = "commitviewer.project-work";
    /**
     * What {@link #PROJECT_WORK_EXCHANGE} hashes: the correlation header every message whose event
     * names a project already carries ({@link Correlation#PROJECT_ID_HEADER}).
     */
    public static final String PROJECT_ID_HEADER = Correlation.PROJECT_ID_HEADER;
    /** Shard queues of {@link #PROJECT_WORK_EXCHANGE}: fixed, as queues and their bindings are declared, not configured. */
    public static final int PROJECT_WORK_SHARDS = 8;
    /** The one dead-letter queue of every shard queue. */
    public static final String PROJECT_WORK_DLQ = "commit-service.project-work" + ".dlq";
    private static final String PROJECT_WORK_QUEUE_PREFIX = "commit-service.project-work.";

    /** Message header carrying the routing key of the event type. */
    public static final String TYPE_HEADER = "type";
    public static final String CONTENT_TYPE = "application/json";

    public static final String FETCH_REQUESTS_QUEUE = "commit-service.fetch-requests";
    public static final String PROJECT_DELETIONS_QUEUE = "commit-service.project-deletions";
    public static final String DELETION_NOTICES_QUEUE = "commit-service.deletion-notices";
    public static final String FETCH_RESULTS_QUEUE = "project-service.fetch-results";
    public static final String FETCH_PROGRESS_QUEUE = "project-service.fetch-progress";

    /**
     * commit-service's fetch requests before the shards: still declared and drained by every instance,
     * bound to nothing; the binding it had ({@link #RETIRED_BINDINGS}) is removed where it is found.
     */
    public static final QueueSpec FETCH_REQUESTS = new QueueSpec(FETCH_REQUESTS_QUEUE, java.util.List.of());
    /** commit-service's deletions before the shards: like {@link #FETCH_REQUESTS}. */
    public static final QueueSpec PROJECT_DELETIONS = new QueueSpec(PROJECT_DELETIONS_QUEUE, java.util.List.of());
    /** The events {@link #PROJECT_WORK_EXCHANGE} takes from {@link #EXCHANGE}, by routing key. */
    public static final java.util.List<EventType> PROJECT_WORK_EVENTS = java.util.List.of(EventType.FETCH_REQUESTED, EventType.PROJECT_DELETED);
    /** Bindings of {@link #EXCHANGE} that an older version declared and this one removes: queue → routing key. */
    public static final java.util.Map<String, EventType> RETIRED_BINDINGS = java.util.Map.of(
            FETCH_REQUESTS_QUEUE, EventType.FETCH_REQUESTED, PROJECT_DELETIONS_QUEUE, EventType.PROJECT_DELETED);
    /**
     * commit-service: a copy of every {@code project.deleted}, taken by any instance at once, ahead of
     * the project's shard, which may hold fetch requests of the project queued before it: it marks
     * the project deleted, so that those requests start no clone (issue 24, finding 1). The shard's
     * copy still does the deletion; a notice lost costs a clone, never a deletion.
     */
    public static final QueueSpec DELETION_NOTICES = new QueueSpec(DELETION_NOTICES_QUEUE, java.util.List.of(EventType.PROJECT_DELETED));
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
    public static final java.util.List<QueueSpec> QUEUES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(FETCH_REQUESTS, PROJECT_DELETIONS, DELETION_NOTICES, FETCH_RESULTS, FETCH_PROGRESS),
            java.util.stream.IntStream.range(0, PROJECT_WORK_SHARDS).mapToObj(AmqpNames::projectWorkShard)).toList();

    private AmqpNames() {
    }

    /** A queue's dead-letter queue: its own {@code .dlq}, or {@link #PROJECT_WORK_DLQ} for every shard queue. */
    public static String deadLetterQueue(String queue) {
        return isProjectWorkQueue(queue) ? PROJECT_WORK_DLQ : queue + DLQ_SUFFIX;
    }

    /** The shard queue {@code shard} (0 to {@link #PROJECT_WORK_SHARDS} - 1) of {@link #PROJECT_WORK_EXCHANGE}. */
    public static String projectWorkQueue(int shard) {
        if (shard < 0 || shard >= PROJECT_WORK_SHARDS) {
            throw new IllegalArgumentException("no shard " + shard);
        }
        return PROJECT_WORK_QUEUE_PREFIX + String.format("%02d", shard);
    }

    /** Every shard queue, in shard order. */
    public static java.util.List<String> projectWorkQueues() {
        return java.util.stream.IntStream.range(0, PROJECT_WORK_SHARDS).mapToObj(AmqpNames::projectWorkQueue).toList();
    }

    /**
     * A shard queue: single active consumer, so that at most one consumer (one instance) takes its
     * messages at a time, in order; bound to {@link #PROJECT_WORK_EXCHANGE}, not by event type.
     */
    private static QueueSpec projectWorkShard(int shard) {
        return new QueueSpec(projectWorkQueue(shard), java.util.List.of(), java.util.Map.of("x-single-active-consumer", true));
    }

    public static boolean isProjectWorkQueue(String queue) {
        return queue != null && queue.startsWith(PROJECT_WORK_QUEUE_PREFIX) && !queue.equals(PROJECT_WORK_DLQ);
    }
}
