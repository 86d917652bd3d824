package io.commitviewer.commit.fetch;

import com.mongodb.MongoException;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.LeaseLostException;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectLocks;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.EventType;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitDeadline;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.retry.Backoff;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one fetch request, and the one place that decides between trying again
 * and failing (ADR 0007):
 * <pre>
 * received ─ deleted project ──────────────────────────────────────────> (nothing)
 *          ─ result reported before (redelivery) ──────────────────────> that result, again
 *          ─ covered by a fetch started after it was received ─────────> SUCCEEDED
 *          ─ URL refused ──────────────────────────────────────────────> FAILED INVALID_URL
 *          ─ started ─ attempt ─ ok ───────────────────────────────────> SUCCEEDED
 *                         └─ failed ─ not retryable ───────────────────> FAILED reason
 *                                   ─ attempts or deadline used up ────> FAILED reason (TIMEOUT if the deadline)
 *                                   ─ else: back-off, next attempt
 * </pre>
 * Every outcome is one result event per fetch id, recorded in the project's state before it is
 * published and published again, identical, if the request comes again; its event id is derived
 * from the fetch id, so a consumer applies it once whatever happens. Transient failures of git and
 * of our own store are retried here and nowhere else, with jittered back-off, all within one
 * deadline counted from the fetch's first start, also across a redelivery after a crash.
 */
class Fetcher {

    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final ProjectStates states;
    private final StoreIdentities identities;
    private final Ingestion ingestion;
    private final TakeBacks takeBacks;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final RepositoryUrlPolicy policy;
    private final CommitServiceProperties.Fetch settings;
    private final ProjectLocks locks;
    private final ProjectLeases leases;
    private final MeterRegistry meters;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final FetchProgressReporter progressReporter;

    /** Waits between attempts (tests wait less). */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    Fetcher(ProjectStates states, StoreIdentities identities, Ingestion ingestion, TakeBacks takeBacks, EventPublisher publisher,
            EventCodec codec, RepositoryUrlPolicy policy, CommitServiceProperties.Fetch settings, ProjectLocks locks,
            ProjectLeases leases, MeterRegistry meters, FetchProgressReporter progressReporter) {
        this(states, identities, ingestion, takeBacks, publisher, codec, policy, settings, locks, leases, meters, progressReporter,
                duration -> Thread.sleep(duration.toMillis()), Backoff.randomJitter());
    }

    Fetcher(ProjectStates states, StoreIdentities identities, Ingestion ingestion, TakeBacks takeBacks, EventPublisher publisher,
            EventCodec codec, RepositoryUrlPolicy policy, CommitServiceProperties.Fetch settings, ProjectLocks locks,
            ProjectLeases leases, MeterRegistry meters, FetchProgressReporter progressReporter, Sleeper sleeper, DoubleSupplier jitter) {
        this.states = states;
        this.progressReporter = progressReporter;
        this.identities = identities;
        this.ingestion = ingestion;
        this.takeBacks = takeBacks;
        this.publisher = publisher;
        this.codec = codec;
        this.policy = policy;
        this.settings = settings;
        this.locks = locks;
        this.leases = leases;
        this.meters = meters;
        this.sleeper = sleeper;
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff(), Duration.ZERO, jitter);
        meters.gauge("commitviewer.fetches.in.flight", inFlight);
    }

    /**
     * Handles one delivery of a request to its end: a result published (or, for a deleted project,
     * nothing). Throws only if that result could not be published, or the project's lock or lease
     * was held elsewhere too long or lost ({@link io.commitviewer.commit.project.LeaseBusyException},
     * {@link LeaseLostException}), so that the request comes again. One writer per project: threads
     * of this instance queue on a lock, instances on the project's lease (ADR 0010). Every wait —
     * for a fetch slot, the lock, the lease, a back-off — counts against one deadline from the
     * delivery's arrival, so no delivery is held past it (issue 23, finding 3).
     */
    void handle(FetchRequested request, Arrival arrival) {
        String projectId = request.projectId().toString();
        long deadline = arrival.nanos() + settings.deadline().toNanos();
        for (int tries = 1; ; tries++) {
            try {
                Duration wait = leases.waitAtMost(remaining(deadline));
                locks.withLock(projectId, wait, () -> leases.holding(projectId, leases.waitAtMost(remaining(deadline)), lease -> {
                    inFlight.incrementAndGet();
                    try {
                        run(request, arrival, deadline, lease);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    return null;
                }));
                return;
            } catch (MongoException e) {
                // the store failed while the lease was being taken (the work itself handles its own store failures):
                // the same policy as a store failure before an attempt, and the same end
                Failure failure = new Failure(FailureReason.INTERNAL, "the commit store failed: " + e.getClass().getSimpleName(), true);
                if (!pause(tries, failure, deadline)) {
                    publisher.publish(failed(request, failure.reason(), failure.message(), true));
                    record("failed", arrival.at(), arrival);
                    return;
                }
            }
        }
    }

    /** What is left of a deadline on {@link System#nanoTime()}, never negative. */
    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** A failure an attempt ended with: its reason, message, and whether a later attempt may succeed. */
    private record Failure(FailureReason reason, String message, boolean retryable) {
        static Failure of(RuntimeException e) {
            if (e instanceof FetchFailure f) {
                return new Failure(f.reason(), f.getMessage(), f.retryable());
            }
            if (e instanceof GitException g) {
                return new Failure(g.reason(), g.getMessage(), g.retryable());
            }
            if (e instanceof MongoException) {
                return new Failure(FailureReason.INTERNAL, "the commit store failed: " + e.getClass().getSimpleName(), true);
            }
            log.warn("Unexpected failure of a fetch attempt", e);
            return new Failure(FailureReason.INTERNAL, "internal error: " + e.getClass().getSimpleName(), true);
        }
    }

    private void run(FetchRequested request, Arrival arrival, long deliveryDeadline, ProjectLeases.Lease lease) {
        String projectId = request.projectId().toString();
        String fetchId = request.fetchId().toString();
        long deadline = deliveryDeadline;
        Failure last = null;
        for (int delivery = 0; ; delivery++) {
            try {
                if (states.isDeleted(projectId)) {
                    log.info("Ignoring a fetch request for a deleted project");
                    return;
                }
                states.claim(lease); // from here on, writers before this lease are fenced out
                UUID epoch = identities.epoch();
                ProjectState previous = states.find(projectId).orElse(null);
                if (previous != null && previous.reportedFor(fetchId).isPresent()) {
                    ProjectState.Reported reported = previous.reportedFor(fetchId).get();
                    log.info("Fetch already ended: its {} again", reported.type());
                    publisher.publish(codec.fromJson(EventType.fromRoutingKey(reported.type()).orElseThrow(), reported.event()));
                    return;
                }
                if (coveredByEarlierFetch(previous, request, arrival.storeTime())) {
                    log.info("Fetch covered by fetch {}", previous.served().fetchId());
                    ProjectState.Served served = previous.served();
                    report(previous, succeeded(request, served, 0, 0, previous.storeEpoch()), lease);
                    return;
                }
                ProjectState base = previous != null ? previous : ProjectState.none(projectId, request.repositoryUrl(), epoch);
                RepositoryUrl url;
                try {
                    url = policy.parse(request.repositoryUrl());
                } catch (InvalidRepositoryUrlException e) {
                    report(base.failed(FailureReason.INVALID_URL, "refused URL: " + e.getMessage(), fetchId, arrival.now()),
                            failed(request, FailureReason.INVALID_URL, "refused URL: " + e.getMessage(), false), lease);
                    return;
                }
                // an attempt that never reached its commit point (the process died, the store was down)
                takeBacks.takeBack(base, lease);
                if (lease.tookOver()) {
                    takeBacks.sweep(base, lease); // and whatever a writer whose lease lapsed wrote besides
                }
                // started, or going on: a redelivery keeps the first start (the store's time), and its deadline
                ProjectState started = base.started(url.canonical(), fetchId, arrival.now(), epoch);
                states.save(started, lease);
                deadline = earlier(deliveryDeadline, fetchDeadline(started, arrival));
                publisher.publish(FetchStarted.of(request.projectId(), request.fetchId()));
                attempts(request, arrival, started, url, epoch, deadline, lease);
                return;
            } catch (MongoException e) {
                // the store failed before an attempt could start: the same policy, counted as attempts
                last = new Failure(FailureReason.INTERNAL, "the commit store failed: " + e.getClass().getSimpleName(), true);
                if (!pause(delivery + 1, last, deadline)) {
                    publisher.publish(failed(request, last.reason(), last.message(), true));
                    record("failed", arrival.at(), arrival);
                    return;
                }
            }
        }
    }

    /** Attempts the fetch until it succeeds, fails for good, or runs out of attempts or time; reports the outcome. */
    private void attempts(FetchRequested request, Arrival arrival, ProjectState started, RepositoryUrl url, UUID epoch, long deadline,
            ProjectLeases.Lease lease) {
        ProjectState state = started;
        Failure last = null;
        Ingestion.Result result = null; // of the attempt the state names, once it listed and wrote everything
        FetchProgressReporter.Progress progress = progressReporter.of(request.projectId(), request.fetchId());
        while (true) {
            if (state.current().attempts() >= settings.maxAttempts()) {
                Failure reported = last != null ? last : new Failure(FailureReason.TIMEOUT, "no attempts left", true);
                fail(request, arrival, state, result, reported, lease);
                return;
            }
            if (deadline - System.nanoTime() <= 0) {
                fail(request, arrival, state, result, new Failure(FailureReason.TIMEOUT, "the fetch did not end within " + settings.deadline()
                        + (last == null ? "" : "; last attempt: " + last.message()), true), lease);
                return;
            }
            try {
                TakenBack back = takenBack(state, lease); // the attempt before this one, if it could not be taken back yet
                if (back.committed()) {
                    endCommitted(request, arrival, back.state(), result, lease);
                    return;
                }
                state = back.state().attempting(UUID.randomUUID().toString());
                result = null;
                states.save(state, lease); // the attempt is recorded before its first write
                ProjectState attempt = state;
                result = GitDeadline.within(deadline, () -> ingestion.ingest(attempt, url, epoch, progress, lease));
                ProjectState done = state.succeeded(result.served());
                long duration = Duration.between(state.current().startedAt(), arrival.now()).toMillis();
                // the commit point; a store that fails to answer here may have applied it: the next take-back asks the store
                report(done, succeeded(request, result.served(), result.newCommitCount(), duration, epoch), lease);
                log.info("Fetch succeeded: {} commits ({} new), {} branches in {} ms", result.served().totalCount(),
                        result.newCommitCount(), result.served().branchCount(), duration);
                record("succeeded", state.current().startedAt(), arrival);
                takeBacks.afterCommit(state.projectId(), result, lease);
                return;
            } catch (RuntimeException e) {
                if (e instanceof io.commitviewer.amqp.PublishFailedException) {
                    throw e; // the outcome is recorded: the request comes again and publishes it
                }
                if (e instanceof LeaseLostException) {
                    takeBacks.afterLeaseLost(state.projectId(), lease);
                    throw e; // another writer has the project: nothing more is written, the request comes again
                }
                last = Failure.of(e);
                if (!last.retryable()) {
                    fail(request, arrival, state, result, last, lease);
                    return;
                }
                if (!pause(state.current().attempts(), last, deadline)) {
                    fail(request, arrival, state, result, last, lease); // no attempts left, or no back-off fits before the deadline
                    return;
                }
            }
        }
    }

    /**
     * What a take-back left: the state to go on from, or — {@code committed} — the stored state
     * of an attempt whose commit point applied although its writer saw the store fail.
     */
    private record TakenBack(ProjectState state, boolean committed) {
    }

    /**
     * Takes back the attempt the state names, if any (idempotent: {@link TakeBacks} judges by the
     * stored state), and records that nothing is left of it. Throws if the store does not answer:
     * the attempt stays named, in memory and in the store, so that whoever comes next takes it back.
     */
    private TakenBack takenBack(ProjectState state, ProjectLeases.Lease lease) {
        if (state.current() == null || state.current().attemptId() == null) {
            return new TakenBack(state, false);
        }
        Optional<ProjectState> committed = takeBacks.takeBack(state, lease);
        if (committed.isPresent()) {
            return new TakenBack(committed.get(), true);
        }
        ProjectState next = state.attemptUndone();
        states.save(next, lease);
        return new TakenBack(next, false);
    }

    /**
     * The attempt's commit point applied though its writer saw the store fail (a reply lost after
     * the write): its recorded result is published, and what it left to remove is removed if this
     * delivery still knows it (else the next sweep or full listing does).
     */
    private void endCommitted(FetchRequested request, Arrival arrival, ProjectState stored, Ingestion.Result result, ProjectLeases.Lease lease) {
        ProjectState.Reported reported = stored.reportedFor(request.fetchId().toString())
                .orElseThrow(() -> new IllegalStateException("a commit point without its result"));
        log.info("Fetch succeeded: its commit point applied although the store's reply was lost");
        publisher.publish(codec.fromJson(EventType.fromRoutingKey(reported.type()).orElseThrow(), reported.event()));
        record("succeeded", stored.served().fetchStartedAt() == null ? arrival.now() : stored.served().fetchStartedAt(), arrival);
        if (result != null && result.served().branchGeneration().equals(stored.served().branchGeneration())) {
            takeBacks.afterCommit(stored.projectId(), result, lease);
        }
    }

    /** Waits the back-off before attempt {@code attempts + 1}; false if that would end after the deadline. */
    private boolean pause(int attempts, Failure failure, long deadline) {
        Duration backoff = backoff(attempts);
        if (attempts >= settings.maxAttempts() || System.nanoTime() + backoff.toNanos() >= deadline) {
            return false;
        }
        log.warn("Fetch attempt {} failed ({}: {}); next in {} ms", attempts, failure.reason(), failure.message(), backoff.toMillis());
        try {
            sleeper.sleep(backoff);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Before attempt {@code attempts + 1}: {@code initial-backoff} doubling, capped, ±20 % jitter ({@link Backoff}). */
    Duration backoff(int attempts) {
        return backoff.after(attempts);
    }

    private void fail(FetchRequested request, Arrival arrival, ProjectState state, Ingestion.Result result, Failure failure,
            ProjectLeases.Lease lease) {
        ProjectState settled = state;
        try {
            TakenBack back = takenBack(state, lease);
            if (back.committed()) {
                endCommitted(request, arrival, back.state(), result, lease);
                return;
            }
            settled = back.state();
        } catch (MongoException e) {
            // the failed state keeps naming the attempt: the next fetch of the project takes it back first
            log.warn("Could not take back attempt {}: {}", state.current().attemptId(), e.toString());
        }
        report(settled.failed(failure.reason(), failure.message(), request.fetchId().toString(), arrival.now()),
                failed(request, failure.reason(), failure.message(), failure.retryable()), lease);
        record("failed", state.current() == null ? arrival.now() : state.current().startedAt(), arrival);
        log.info("Fetch failed: {}: {}", failure.reason(), failure.message());
    }

    /**
     * Records the result in the project's state — for a success, its commit point — and publishes
     * it. If the state cannot be saved the result is published anyway: its id is the fetch's, so
     * a second one for the same fetch is applied once; but not if the lease was lost: the project's
     * new writer reports this fetch.
     */
    private void report(ProjectState next, Event result, ProjectLeases.Lease lease) {
        String fetchId = ((FetchEvent) result).fetchId().toString();
        ProjectState recorded = next.reporting(new ProjectState.Reported(fetchId, result.type().routingKey(), codec.toJson(result)));
        if (result instanceof FetchSucceeded) {
            states.save(recorded, lease); // a store that fails here fails the attempt: nothing is served of it
        } else {
            try {
                states.save(recorded, lease);
            } catch (MongoException e) {
                log.warn("Could not record the failure of the fetch; publishing it anyway: {}", e.toString());
            }
        }
        publisher.publish(result);
    }

    /**
     * A fetch that started after this request was received, and succeeded, already covers it;
     * both times are the store's, and a request whose arrival time is unknown is covered by none.
     */
    private static boolean coveredByEarlierFetch(ProjectState state, FetchRequested request, Optional<Instant> received) {
        if (state == null || !state.ready() || state.status() != ProjectState.Status.READY) {
            return false;
        }
        if (request.fetchId().toString().equals(state.served().fetchId())) {
            return true; // a redelivery of a request already done, whose result was not recorded
        }
        Instant started = state.served().fetchStartedAt();
        return started != null && received.isPresent() && started.isAfter(received.get());
    }

    /** The id of a fetch's one result event: the same for every publication of it. */
    static UUID resultEventId(UUID fetchId) {
        return UUID.nameUUIDFromBytes(("fetch-result:" + fetchId).getBytes(StandardCharsets.UTF_8));
    }

    private static FetchSucceeded succeeded(FetchRequested request, ProjectState.Served served, long newCommits, long durationMs,
            UUID epoch) {
        return new FetchSucceeded(resultEventId(request.fetchId()), Instant.now(), request.projectId(), request.fetchId(),
                served.totalCount(), newCommits, served.branchCount(), durationMs,
                served.storeSequence() == null ? null : epoch, served.storeSequence());
    }

    private static FetchFailed failed(FetchRequested request, FailureReason reason, String message, boolean retryable) {
        return new FetchFailed(resultEventId(request.fetchId()), Instant.now(), request.projectId(), request.fetchId(), reason,
                message, retryable);
    }

    /**
     * The fetch's own deadline, from its first start (the store's time, also across redeliveries),
     * on {@link System#nanoTime()}; none past the delivery's if the store's time is unknown.
     */
    private long fetchDeadline(ProjectState started, Arrival arrival) {
        return arrival.storeNow().map(now -> System.nanoTime()
                + Duration.between(now, started.current().startedAt().plus(settings.deadline())).toNanos())
                .orElse(Long.MAX_VALUE);
    }

    private static long earlier(long deadline, long other) {
        return other == Long.MAX_VALUE || deadline - other < 0 ? deadline : other;
    }

    /** A fetch's duration from its first start, on the clock that start was stamped with (the store's). */
    private void record(String outcome, Instant started, Arrival arrival) {
        Timer.builder("commitviewer.fetch.duration").description("Fetch requests from their first start to their result")
                .tag("outcome", outcome).register(meters).record(Duration.between(started, arrival.now()));
    }
}
