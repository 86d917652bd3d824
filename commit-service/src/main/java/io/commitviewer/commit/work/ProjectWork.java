package io.commitviewer.commit.work;

import io.commitviewer.amqp.ConsumerRetries;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.fetch.FetchRequests;
import io.commitviewer.commit.project.ProjectDeletions;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.annotation.RabbitListener;

/**
 * The one entry point of project work, whatever queue it came from — a shard this instance owns
 * ({@link ProjectWorkShards}) or, drained after an upgrade, a queue of the version before the
 * shards — dispatched by the message's type:
 * <ul>
 * <li>{@code project.deleted} → {@link ProjectDeletions}: retried like any consumer's work, then
 * behind its queue again if the store or a writer kept it from running, else its DLQ;</li>
 * <li>a notice of {@code project.deleted}, from its own queue ahead of the shards → the tombstone
 * alone, so that requests of the project still queued in its shard start no clone;</li>
 * <li>anything else → {@link FetchRequests}, which refuses what is not a {@code fetch.requested}
 * into the DLQ and hands a request to the fetch's one retry policy.</li>
 * </ul>
 */
final class ProjectWork implements MessageListener {

    /** The listener of the queues of the version before the shards: drained, no longer bound. */
    static final String RETIRED_QUEUES = "retired-queues";
    /** The listener of the deletion notices. */
    static final String DELETION_NOTICES = "deletion-notices";

    private final FetchRequests fetchRequests;
    private final ProjectDeletions deletions;
    private final CommitServiceProperties.Consumer retries;

    ProjectWork(FetchRequests fetchRequests, ProjectDeletions deletions, CommitServiceProperties.Consumer retries) {
        this.fetchRequests = fetchRequests;
        this.deletions = deletions;
        this.retries = retries;
    }

    @Override
    public void onMessage(Message message) {
        Object type = message.getMessageProperties().getHeaders().get(AmqpNames.TYPE_HEADER);
        if (EventType.PROJECT_DELETED.routingKey().equals(type)) {
            ConsumerRetries.run(message, () -> deletions.on(message), retries.maxRetries(), retries.initialBackoff(),
                    retries.maxBackoff(), deletions::recover);
        } else {
            fetchRequests.on(message);
        }
    }

    /**
     * Notices of deletions, ahead of the shards ({@link AmqpNames#DELETION_NOTICES}): every instance
     * consumes them, whichever shards it owns; retried, then dropped if the store does not answer.
     */
    @RabbitListener(id = DELETION_NOTICES, queues = AmqpNames.DELETION_NOTICES_QUEUE, containerFactory = "projectWorkContainerFactory")
    void onDeletionNotice(Message message) {
        ConsumerRetries.run(message, () -> deletions.onNotice(message), retries.maxRetries(), retries.initialBackoff(),
                retries.maxBackoff(), deletions::dropNotice);
    }

    @RabbitListener(id = RETIRED_QUEUES, queues = {AmqpNames.FETCH_REQUESTS_QUEUE, AmqpNames.PROJECT_DELETIONS_QUEUE},
            concurrency = "${commitviewer.consumer.concurrency}", containerFactory = "projectWorkContainerFactory")
    void fromRetiredQueue(Message message) {
        onMessage(message);
    }
}
