package io.commitviewer.commit.fetch;

import com.mongodb.MongoException;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.EventType;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.git.FailureReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fetch's one result: recorded in the project's state (for a success, that save is the commit
 * point), then published; published again, identical, when the request comes again. Its event id
 * is derived from the fetch id, so a consumer applies it once whatever happens (ADR 0007).
 */
final class Results {

    private static final Logger log = LoggerFactory.getLogger(Results.class);

    private final ProjectStates states;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final MeterRegistry meters;

    Results(ProjectStates states, EventPublisher publisher, EventCodec codec, MeterRegistry meters) {
        this.states = states;
        this.publisher = publisher;
        this.codec = codec;
        this.meters = meters;
    }

    /**
     * Records the result in the project's state — for a success, its commit point — and publishes
     * it. If a failure cannot be saved it is published anyway (a second one for the same fetch is
     * applied once); a success that cannot be saved throws: nothing is served of it. A lost lease
     * throws too: the project's new writer reports this fetch.
     */
    void report(ProjectState next, Event result, ProjectLeases.Lease lease) {
        String fetchId = ((FetchEvent) result).fetchId().toString();
        ProjectState recorded = next.reporting(new ProjectState.Reported(fetchId, result.type().routingKey(), codec.toJson(result)));
        if (result instanceof FetchSucceeded) {
            states.save(recorded, lease);
        } else {
            try {
                states.save(recorded, lease);
            } catch (MongoException e) {
                log.warn("Could not record the failure of the fetch; publishing it anyway: {}", e.toString());
            }
        }
        publisher.publish(result);
    }

    /** Publishes a result recorded before, as it was recorded. */
    void replay(ProjectState.Reported reported) {
        publisher.publish(codec.fromJson(EventType.fromRoutingKey(reported.type()).orElseThrow(), reported.event()));
    }

    /** Publishes a result without recording it (the store does not answer). */
    void publishUnrecorded(Event result) {
        publisher.publish(result);
    }

    /** The id of a fetch's one result event: the same for every publication of it. */
    static UUID resultEventId(UUID fetchId) {
        return UUID.nameUUIDFromBytes(("fetch-result:" + fetchId).getBytes(StandardCharsets.UTF_8));
    }

    static FetchSucceeded succeeded(FetchRequested request, ProjectState.Served served, long newCommits, long durationMs, UUID epoch) {
        return new FetchSucceeded(resultEventId(request.fetchId()), Instant.now(), request.projectId(), request.fetchId(),
                served.totalCount(), newCommits, served.branchCount(), durationMs,
                served.storeSequence() == null ? null : epoch, served.storeSequence());
    }

    static FetchFailed failed(FetchRequested request, FailureReason reason, String message, boolean retryable) {
        return new FetchFailed(resultEventId(request.fetchId()), Instant.now(), request.projectId(), request.fetchId(), reason,
                message, retryable);
    }

    /** A fetch's duration from its first start, on the clock that start was stamped with (the store's). */
    void timed(String outcome, Instant started, Arrival arrival) {
        Timer.builder("commitviewer.fetch.duration").description("Fetch requests from their first start to their result")
                .tag("outcome", outcome).register(meters).record(Duration.between(started, arrival.now()));
    }
}
