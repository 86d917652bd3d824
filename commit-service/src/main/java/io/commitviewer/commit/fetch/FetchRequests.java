package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.PublishFailedException;
import io.commitviewer.commit.project.LeaseBusyException;
import io.commitviewer.commit.project.LeaseLostException;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.FetchRequested;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;

/**
 * Consumes {@code fetch.requested}: a message that is not one goes to the DLQ at once; a request
 * is handled to its end by the {@link Fetcher}, then acked. The failures left to the broker are a
 * result that could not be published (the broker itself is in trouble): the request is requeued
 * and its recorded result published at the next delivery; and a project another instance writes
 * for longer than the lease wait, or that another instance took over (ADR 0010): requeued too. Redeliveries after a crash are bounded
 * by the queue's delivery limit, after which the request goes to the DLQ. Requests come through the
 * project-work shards this instance consumes ({@link ProjectWorkShards}) and, drained, the queue of an
 * older version; at most {@code concurrency} are handled at once, whatever the number of shards. The
 * wait for a free slot counts against the fetch's deadline, which starts when the request is received:
 * a delivery is never held past the deadline (20 min), well within RabbitMQ's consumer timeout (30 min).
 */
class FetchRequests {

    private static final Logger log = LoggerFactory.getLogger(FetchRequests.class);

    private final EventCodec codec;
    private final DeadLetterRecoverer deadLetters;
    private final Fetcher fetcher;
    private final Semaphore running;

    FetchRequests(EventCodec codec, DeadLetterRecoverer deadLetters, Fetcher fetcher, int concurrency) {
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.fetcher = fetcher;
        this.running = new Semaphore(concurrency, true);
    }

    @RabbitListener(id = "fetch-requests", queues = AmqpNames.FETCH_REQUESTS_QUEUE,
            concurrency = "${commitviewer.consumer.concurrency}", containerFactory = "fetchRequestsContainerFactory")
    void on(Message message) {
        codec.expect(message, FetchRequested.class, deadLetters).ifPresent(this::handle);
    }

    private void handle(FetchRequested request) {
        // when this instance got the request, on its own clock (the request's occurredAt is another host's)
        Instant received = Instant.now();
        try {
            running.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImmediateRequeueAmqpException("stopped while waiting for a free fetch slot", e);
        }
        try (var p = MDC.putCloseable(Correlation.PROJECT_ID, request.projectId().toString());
                var f = MDC.putCloseable(Correlation.FETCH_ID, request.fetchId().toString())) {
            fetcher.handle(request, received);
        } catch (PublishFailedException e) {
            log.warn("The result could not be published ({}); the request is requeued", e.getMessage());
            throw new ImmediateRequeueAmqpException("result not published", e);
        } catch (LeaseBusyException | LeaseLostException e) {
            // another instance is the project's writer (ADR 0010): it reports this request, or the next delivery does
            log.warn("{}; the request is requeued", e.getMessage());
            throw new ImmediateRequeueAmqpException("project held by another writer", e);
        } finally {
            running.release();
        }
    }
}
