package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.PublishFailedException;
import io.commitviewer.commit.project.LeaseBusyException;
import io.commitviewer.commit.project.LeaseLostException;
import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.store.StoreClock;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;

/**
 * Consumes {@code fetch.requested}: a message that is not one goes to the DLQ at once; a request
 * is handled to its end by the {@link Fetcher}, then acked. The failures left to the broker are a
 * result that could not be published (the broker itself is in trouble): the request is requeued
 * and its recorded result published at the next delivery; and a project that another instance took
 * over (ADR 0010): requeued too. A project being fetched for longer than the delivery waits is not
 * a failure: the request is published again, behind its queue, and the delivery acked, so that
 * waiting never counts toward the queue's delivery limit. Redeliveries after a crash are bounded
 * by that limit, after which the request goes to the DLQ. Requests come from the one entry point of
 * project work ({@code work.ProjectWork}), whatever queue they were in; at most {@code concurrency} are handled at once, whatever the number of shards. Every
 * wait — for a free slot, the project's lock and lease — counts against one deadline from the
 * delivery's arrival: a delivery is never held past it (20 min), well within RabbitMQ's consumer
 * timeout (30 min).
 */
public final class FetchRequests {

    private static final Logger log = LoggerFactory.getLogger(FetchRequests.class);

    private final EventCodec codec;
    private final DeadLetterRecoverer deadLetters;
    private final Fetcher fetcher;
    private final Semaphore running;
    private final StoreClock clock;
    private final EventPublisher publisher;

    FetchRequests(EventCodec codec, DeadLetterRecoverer deadLetters, Fetcher fetcher, int concurrency, StoreClock clock,
            EventPublisher publisher) {
        this.codec = codec;
        this.clock = clock;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.fetcher = fetcher;
        this.running = new Semaphore(concurrency, true);
    }

    /** A delivery of {@code fetch.requested}, from {@code work.ProjectWork}: anything else goes to the DLQ. */
    public void on(Message message) {
        codec.expect(message, FetchRequested.class, deadLetters).ifPresent(this::handle);
    }

    private void handle(FetchRequested request) {
        // when this instance got the request: its deadline counts from here, on this JVM's monotonic clock; and the
        // store's time, which other instances compare with (the request's occurredAt is another host's clock)
        Arrival arrival = new Arrival(System.nanoTime(), clock.now());
        try {
            running.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImmediateRequeueAmqpException("stopped while waiting for a free fetch slot", e);
        }
        try (var p = MDC.putCloseable(Correlation.PROJECT_ID, request.projectId().toString());
                var f = MDC.putCloseable(Correlation.FETCH_ID, request.fetchId().toString())) {
            fetcher.handle(request, arrival);
        } catch (PublishFailedException e) {
            log.warn("The result could not be published ({}); the request is requeued", e.getMessage());
            throw new ImmediateRequeueAmqpException("result not published", e);
        } catch (LeaseBusyException e) {
            // the project is being fetched (here or on another instance) for longer than this delivery waits: the
            // request goes to the back of its queue as a new message, so that waiting never counts toward the queue's
            // delivery limit (which would dead-letter it: issue 23, finding 3); acked once the copy is confirmed
            log.info("{}; the request is published again behind its queue", e.getMessage());
            try {
                publisher.publish(request);
            } catch (PublishFailedException failed) {
                throw new ImmediateRequeueAmqpException("project busy, and its request could not be published again", failed);
            }
        } catch (LeaseLostException e) {
            // another instance took the project over (ADR 0010): it reports this request, or the next delivery does
            log.warn("{}; the request is requeued", e.getMessage());
            throw new ImmediateRequeueAmqpException("project held by another writer", e);
        } finally {
            running.release();
        }
    }
}
