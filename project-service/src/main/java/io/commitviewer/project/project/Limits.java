package io.commitviewer.project.project;

import io.commitviewer.project.access.Caller;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.project.outbox.Outbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The limits a new fetch must pass: the service's admission bounds (fetches queued, events not yet
 * published — counted every second, not at every request), then the caller's key quotas (projects
 * owned, projects added and refreshes asked for in the last hour, fetches in progress), counted in
 * the {@link KeyLedger}, which deleting a project does not erase. Nothing per key in the open mode.
 */
@Component
class Limits {

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration CONCURRENCY_RETRY = Duration.ofSeconds(30);

    private final Projects projects;
    private final KeyLedger ledger;
    private final Outbox outbox;
    private final ProjectServiceProperties.Quotas quotas;
    private final ProjectServiceProperties.Admission admission;
    private final Duration staleAfter;
    private final Clock clock;
    private final MeterRegistry meters;
    private final AtomicLong queued = new AtomicLong();

    Limits(Projects projects, KeyLedger ledger, Outbox outbox, ProjectServiceProperties properties, Clock clock, MeterRegistry meters) {
        this.projects = projects;
        this.ledger = ledger;
        this.outbox = outbox;
        this.quotas = properties.quotas();
        this.admission = properties.admission();
        this.staleAfter = properties.fetch().staleAfter();
        this.clock = clock;
        this.meters = meters;
        Gauge.builder("commitviewer.fetches.queued", queued, AtomicLong::get)
                .description("Fetches queued and not started by commit-service").register(meters);
        limit(meters, "max-queued-fetches", admission.maxQueuedFetches());
        limit(meters, "max-outbox-backlog", admission.maxOutboxBacklog());
        limit(meters, "projects-per-key", quotas.projectsPerKey());
        limit(meters, "refreshes-per-key-per-hour", quotas.refreshesPerKeyPerHour());
        limit(meters, "concurrent-fetches-per-key", quotas.concurrentFetchesPerKey());
        limit(meters, "creates-per-key-per-hour", quotas.createsPerKeyPerHour());
    }

    /** Each limit's value as a metric, so that a dashboard or an alert compares usage with it. */
    private static void limit(MeterRegistry meters, String name, int value) {
        Gauge.builder("commitviewer.limits.max", () -> value).tag("limit", name)
                .description("The value of a configured limit").register(meters);
    }

    @Scheduled(fixedDelayString = "${commitviewer.admission.count-interval}")
    void count() {
        queued.set(projects.countQueued(Instant.now(clock).minus(staleAfter)));
    }

    /**
     * For a new project: the admission bounds, then the key's projects, the projects it added in the
     * last hour (deleted ones too: each was a clone) and its fetches in progress. Returns where the
     * key stands on its hourly creates once this one is counted (empty in the open mode). The
     * caller holds the key's lock ({@link KeyLedger#lock}).
     */
    java.util.Optional<RateLimit> checkCreate(Caller caller) {
        checkAdmission();
        if (caller.key() == null) {
            return java.util.Optional.empty();
        }
        long owned = projects.countByOwnerKey(caller.key());
        if (owned >= quotas.projectsPerKey()) {
            throw refused(caller, "projects-per-key", quotas.projectsPerKey(), HOUR,
                    "the key " + caller.key() + " has added " + owned + " projects, its limit; delete some first");
        }
        Instant now = Instant.now(clock);
        KeyLedger.Count recent = ledger.since(caller.key(), FetchReason.CREATED, now.minus(HOUR));
        Duration untilOldestLeaves = recent.oldest() == null ? HOUR : Duration.between(now, recent.oldest().plus(HOUR));
        if (recent.count() >= quotas.createsPerKeyPerHour()) {
            throw refused(caller, "creates-per-key-per-hour", quotas.createsPerKeyPerHour(), HOUR, untilOldestLeaves,
                    "the key " + caller.key() + " added " + recent.count() + " projects in the last hour (deleted ones too), its limit");
        }
        checkConcurrency(caller);
        return java.util.Optional.of(new RateLimit("creates-per-key-per-hour", quotas.createsPerKeyPerHour(), HOUR,
                quotas.createsPerKeyPerHour() - recent.count() - 1, untilOldestLeaves));
    }

    /**
     * For a refresh: the admission bounds, then the key's refreshes in the last hour and fetches in
     * progress. Returns where the key stands on its refreshes once this one is counted (empty in the
     * open mode).
     */
    java.util.Optional<RateLimit> checkRefresh(Caller caller) {
        checkAdmission();
        if (caller.key() == null) {
            return java.util.Optional.empty();
        }
        Instant now = Instant.now(clock);
        KeyLedger.Count recent = ledger.since(caller.key(), FetchReason.REFRESH, now.minus(HOUR));
        long refreshes = recent.count();
        Duration untilOldestLeaves = recent.oldest() == null ? HOUR : Duration.between(now, recent.oldest().plus(HOUR));
        if (refreshes >= quotas.refreshesPerKeyPerHour()) {
            throw refused(caller, "refreshes-per-key-per-hour", quotas.refreshesPerKeyPerHour(), HOUR, untilOldestLeaves,
                    "the key " + caller.key() + " asked for " + refreshes + " refreshes in the last hour, its limit");
        }
        checkConcurrency(caller);
        return java.util.Optional.of(new RateLimit("refreshes-per-key-per-hour", quotas.refreshesPerKeyPerHour(), HOUR,
                quotas.refreshesPerKeyPerHour() - refreshes - 1, untilOldestLeaves));
    }

    private void checkConcurrency(Caller caller) {
        long running = ledger.inProgress(caller.key(), Instant.now(clock).minus(staleAfter));
        if (running >= quotas.concurrentFetchesPerKey()) {
            throw refused(caller, "concurrent-fetches-per-key", quotas.concurrentFetchesPerKey(), CONCURRENCY_RETRY,
                    "the key " + caller.key() + " has " + running + " fetches queued or running, its limit");
        }
    }

    private void checkAdmission() {
        if (queued.get() >= admission.maxQueuedFetches()) {
            throw overloaded("max-queued-fetches", admission.maxQueuedFetches(),
                    queued.get() + " fetches are queued: the service takes no new ones for now");
        }
        long backlog = outbox.backlog();
        if (backlog >= admission.maxOutboxBacklog()) {
            throw overloaded("max-outbox-backlog", admission.maxOutboxBacklog(),
                    backlog + " events wait to be published (is the broker down?): the service takes no new fetches for now");
        }
    }

    private LimitExceededException refused(Caller caller, String limit, long value, Duration wait, String message) {
        return refused(caller, limit, value, null, wait, message);
    }

    private LimitExceededException refused(Caller caller, String limit, long value, Duration window, Duration wait, String message) {
        meters.counter("commitviewer.limits.refusals", "limit", limit, "key", caller.label()).increment();
        return new LimitExceededException(LimitExceededException.Scope.KEY_QUOTA, limit, value, window,
                wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait, message);
    }

    private LimitExceededException overloaded(String limit, long value, String message) {
        meters.counter("commitviewer.limits.refusals", "limit", limit, "key", "all").increment();
        return new LimitExceededException(LimitExceededException.Scope.ADMISSION, limit, value, admission.retryAfter(), message);
    }
}
