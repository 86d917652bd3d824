package io.commitviewer.project.project;

import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies what commit-service reports about fetches. Idempotent on the event id; a result for an
 * older fetch updates that fetch but never the status of a project whose current fetch is newer,
 * nor counts written by a newer successful fetch.
 */
@Service
class FetchResults {

    private static final Logger log = LoggerFactory.getLogger(FetchResults.class);

    /** What applying an event did, also the {@code outcome} tag of the consumption counter. */
    enum Outcome { APPLIED, DUPLICATE, STALE, UNKNOWN_FETCH }

    private final Projects projects;
    private final Fetches fetches;
    private final ProcessedEvents processed;
    private final KeyLedger ledger;
    private final MeterRegistry meters;
    private final Clock clock;

    FetchResults(Projects projects, Fetches fetches, ProcessedEvents processed, KeyLedger ledger, MeterRegistry meters, Clock clock) {
        this.ledger = ledger;
        this.projects = projects;
        this.fetches = fetches;
        this.processed = processed;
        this.meters = meters;
        this.clock = clock;
    }

    @Transactional
    Outcome apply(Event event) {
        if (!(event instanceof FetchStarted || event instanceof FetchSucceeded || event instanceof FetchFailed)) {
            throw new io.commitviewer.amqp.PoisonMessageException("not a fetch result: " + event.type().routingKey());
        }
        FetchEvent result = (FetchEvent) event;
        Outcome outcome;
        try (var project = MDC.putCloseable(Correlation.PROJECT_ID, result.projectId().toString());
                var fetch = MDC.putCloseable(Correlation.FETCH_ID, result.fetchId().toString())) {
            outcome = applyOnce(result);
        }
        meters.counter("commitviewer.fetch.results", "type", event.type().routingKey(), "outcome",
                outcome.name().toLowerCase()).increment();
        return outcome;
    }

    private Outcome applyOnce(FetchEvent event) {
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
        if (!processed.markProcessed(event.eventId(), now)) {
            return Outcome.DUPLICATE;
        }
        if (!(event instanceof FetchStarted)) {
            // the key that asked for it no longer counts it as in progress, whether or not its project is still there
            ledger.ended(event.fetchId(), now);
        }
        Optional<Fetch> found = fetches.findById(event.fetchId());
        if (found.isEmpty()) {
            // the project was deleted meanwhile, or the fetch was never ours
            log.info("Ignoring {} for unknown fetch", event.type().routingKey());
            return Outcome.UNKNOWN_FETCH;
        }
        Fetch fetch = found.get();
        Project project = projects.findForUpdate(fetch.projectId()).orElse(null);
        if (project == null) {
            return Outcome.UNKNOWN_FETCH;
        }
        Instant at = event.occurredAt().truncatedTo(ChronoUnit.MICROS);
        boolean changed;
        if (event instanceof FetchStarted) {
            changed = fetch.start(at);
        } else if (event instanceof FetchSucceeded s) {
            changed = fetch.succeed(at, s.commitCount(), s.newCommitCount(), s.branchCount(), s.durationMs());
            if (changed) {
                project.recordSuccess(fetch, at, now, s.storeEpoch(), s.storeSequence());
            }
        } else {
            FetchFailed f = (FetchFailed) event;
            changed = fetch.fail(at, f.reason(), f.message());
        }
        if (!changed) {
            return Outcome.STALE;
        }
        project.follow(fetch, now);
        log.info("Fetch {} of project {} is {}", fetch.id(), project.id(), fetch.status());
        return fetch.id().equals(project.currentFetchId()) ? Outcome.APPLIED : Outcome.STALE;
    }
}
