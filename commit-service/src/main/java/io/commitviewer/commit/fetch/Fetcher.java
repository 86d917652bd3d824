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
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitDeadline;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.retry.Backoff;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch request, from its delivery to its result — the story a newcomer reads first
 * (docs/architecture.md, "A fetch, step by step"):
 * <pre>
 * handle ─ lock (this instance) ─ lease (all instances) ─ {@link Preflight} ─ ended there ──────> (its result, or nothing)
 *                                                          └─ started ─ attempt ─ ok ──────────> SUCCEEDED
 *                                                                          └─ failed ─ not retryable ─> FAILED reason
 *                                                                                    ─ no try or time left ─> FAILED reason
 *                                                                                    ─ else: back-off, go on
 * </pre>
 * The one place that decides between trying again and failing (ADR 0007): one loop, one policy —
 * {@code max-attempts} tries with {@link Backoff} between them, within one deadline from the
 * delivery's arrival and from the fetch's first start (also across a redelivery after a crash) —
 * for every transient failure, whether of the store while the lease is taken or the preflight
 * runs, or of git and the store during an attempt. Every outcome is one result event per fetch id
 * ({@link Results}); what a failed attempt wrote is taken back by {@link TakeBacks}, judged by the
 * stored state.
 */
class Fetcher {

    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final Preflight preflight;
    private final Results results;
    private final ProjectStates states;
    private final Ingestion ingestion;
    private final TakeBacks takeBacks;
    private final CommitServiceProperties.Fetch settings;
    private final ProjectLocks locks;
    private final ProjectLeases leases;
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
        this.results = new Results(states, publisher, codec, meters);
        this.preflight = new Preflight(states, identities, takeBacks, results, publisher, policy);
        this.progressReporter = progressReporter;
        this.ingestion = ingestion;
        this.takeBacks = takeBacks;
        this.settings = settings;
        this.locks = locks;
        this.leases = leases;
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
        long deadline = arrival.nanos() + settings.deadline().toNanos();
        locks.withLock(request.projectId().toString(), leases.waitAtMost(remaining(deadline)), () -> {
            inFlight.incrementAndGet();
            try {
                new Run(request, arrival, deadline).toItsEnd();
            } finally {
                inFlight.decrementAndGet();
            }
            return null;
        });
    }

    /** What is left of a deadline on {@link System#nanoTime()}, never negative. */
    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** A failure a try ended with: its reason, message, and whether a later try may succeed. */
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
            log.warn("Unexpected failure of a fetch", e);
            return new Failure(FailureReason.INTERNAL, "internal error: " + e.getClass().getSimpleName(), true);
        }
    }

    /** One delivery's run: where it got to (lease, started state, last attempt's result) and its one retry loop. */
    private final class Run {
        private final FetchRequested request;
        private final Arrival arrival;
        private final FetchProgressReporter.Progress progress;
        private long deadline;
        private ProjectLeases.Lease lease; // once taken
        private Preflight.Started started; // once the preflight let the request go on
        private ProjectState state; // from the start: the state this delivery goes on from
        private Ingestion.Result result; // of the attempt the state names, once it listed and wrote everything
        private int failedTries; // before the start; from then on the state counts the attempts
        private Failure last; // the last try's

        Run(FetchRequested request, Arrival arrival, long deadline) {
            this.request = request;
            this.arrival = arrival;
            this.deadline = deadline;
            this.progress = progressReporter.of(request.projectId(), request.fetchId());
        }

        /** The one retry loop: each pass goes on from where the last one failed. */
        void toItsEnd() {
            try {
                while (true) {
                    Failure failure;
                    try {
                        if (lease == null) {
                            lease = leases.acquire(request.projectId().toString(), leases.waitAtMost(remaining(deadline)));
                        }
                        if (started == null) {
                            Optional<Preflight.Started> going = preflight.check(request, arrival, lease);
                            if (going.isEmpty()) {
                                return;
                            }
                            started = going.get();
                            state = started.state();
                            deadline = earlier(deadline, fetchDeadline(state));
                        }
                        Failure none = attempt();
                        if (none == null) {
                            return;
                        }
                        end(none);
                        return;
                    } catch (io.commitviewer.amqp.PublishFailedException | io.commitviewer.commit.project.LeaseBusyException e) {
                        throw e; // the request comes again: its recorded result is published then, or the project is free
                    } catch (LeaseLostException e) {
                        if (state != null) {
                            takeBacks.afterLeaseLost(state.projectId(), lease);
                        }
                        throw e; // another writer has the project: nothing more is written, the request comes again
                    } catch (RuntimeException e) {
                        failure = Failure.of(e);
                        last = failure;
                    }
                    if (!failure.retryable() || !pause(triesSoFar(), failure)) {
                        end(failure);
                        return;
                    }
                }
            } finally {
                if (lease != null) {
                    leases.release(lease);
                }
            }
        }

        /** Tries failed so far: of this delivery before the start, then of the fetch (the state counts them, also across deliveries). */
        private int triesSoFar() {
            if (state == null) {
                return ++failedTries;
            }
            return state.current() == null ? settings.maxAttempts() : state.current().attempts();
        }

        /**
         * One attempt: the one before it taken back, then recorded before its first write, then
         * ingested, then its commit point; null once a result is published, else why no attempt
         * may start (none left, or no time). A store that fails to answer at the commit point may
         * have applied it: the next take-back asks the store ({@link TakeBacks}).
         */
        private Failure attempt() {
            if (state.current().attempts() >= settings.maxAttempts()) {
                return last != null ? last : new Failure(FailureReason.TIMEOUT, "no attempts left", true);
            }
            if (deadline - System.nanoTime() <= 0) {
                return new Failure(FailureReason.TIMEOUT, "the fetch did not end within " + settings.deadline()
                        + (last == null ? "" : "; last attempt: " + last.message()), true);
            }
            if (takeBackLast()) {
                return null;
            }
            state = state.attempting(UUID.randomUUID().toString());
            result = null;
            states.save(state, lease); // the attempt is recorded before its first write
            ProjectState attempt = state;
            result = GitDeadline.within(deadline, () -> ingestion.ingest(attempt, started.url(), started.epoch(), progress, lease));
            long duration = Duration.between(state.current().startedAt(), arrival.now()).toMillis();
            results.report(state.succeeded(result.served()),
                    Results.succeeded(request, result.served(), result.newCommitCount(), duration, started.epoch()), lease);
            log.info("Fetch succeeded: {} commits ({} new), {} branches in {} ms", result.served().totalCount(),
                    result.newCommitCount(), result.served().branchCount(), duration);
            results.timed("succeeded", state.current().startedAt(), arrival);
            takeBacks.afterCommit(state.projectId(), result, lease);
            return null;
        }

        /**
         * Takes back the attempt the state names, if any (idempotent: {@link TakeBacks} judges by
         * the stored state), and records that nothing is left of it; true if that attempt's commit
         * point had applied after all (a reply lost after the write): its recorded result is
         * published. Throws if the store does not answer: the attempt stays named, in memory and
         * in the store, so that whoever comes next takes it back.
         */
        private boolean takeBackLast() {
            if (state.current() == null || state.current().attemptId() == null) {
                return false;
            }
            Optional<ProjectState> committed = takeBacks.takeBack(state, lease);
            if (committed.isPresent()) {
                endCommitted(committed.get());
                return true;
            }
            ProjectState undone = state.attemptUndone();
            states.save(undone, lease);
            state = undone;
            return false;
        }

        /**
         * The attempt's commit point applied though its writer saw the store fail: its recorded
         * result is published, and what it left to remove is removed if this delivery still knows
         * it (else the next sweep or full listing does).
         */
        private void endCommitted(ProjectState stored) {
            ProjectState.Reported reported = stored.reportedFor(request.fetchId().toString())
                    .orElseThrow(() -> new IllegalStateException("a commit point without its result"));
            log.info("Fetch succeeded: its commit point applied although the store's reply was lost");
            results.replay(reported);
            results.timed("succeeded", stored.served().fetchStartedAt() == null ? arrival.now() : stored.served().fetchStartedAt(),
                    arrival);
            if (result != null && result.served().branchGeneration().equals(stored.served().branchGeneration())) {
                takeBacks.afterCommit(stored.projectId(), result, lease);
            }
        }

        /** Waits the back-off before try {@code tries + 1}; false if no try is left or it would end after the deadline. */
        private boolean pause(int tries, Failure failure) {
            Duration wait = backoff(tries);
            if (tries >= settings.maxAttempts() || System.nanoTime() + wait.toNanos() >= deadline) {
                return false;
            }
            log.warn("Fetch try {} failed ({}: {}); next in {} ms", tries, failure.reason(), failure.message(), wait.toMillis());
            try {
                sleeper.sleep(wait);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /**
         * The end of a fetch that failed: before its start, the store did not answer, so the result
         * is published unrecorded; after it, the last attempt is taken back, and the failure recorded
         * and published.
         */
        private void end(Failure failure) {
            if (state == null) {
                results.publishUnrecorded(Results.failed(request, failure.reason(), failure.message(), failure.retryable()));
                results.timed("failed", arrival.at(), arrival);
                return;
            }
            try {
                if (takeBackLast()) {
                    return;
                }
            } catch (MongoException e) {
                // the failed state keeps naming the attempt: the next fetch of the project takes it back first
                log.warn("Could not take back attempt {}: {}", state.current().attemptId(), e.toString());
            }
            results.report(state.failed(failure.reason(), failure.message(), request.fetchId().toString(), arrival.now()),
                    Results.failed(request, failure.reason(), failure.message(), failure.retryable()), lease);
            results.timed("failed", state.current() == null ? arrival.now() : state.current().startedAt(), arrival);
            log.info("Fetch failed: {}: {}", failure.reason(), failure.message());
        }

        /**
         * The fetch's own deadline, from its first start (the store's time, also across redeliveries),
         * on {@link System#nanoTime()}; none past the delivery's if the store's time is unknown.
         */
        private long fetchDeadline(ProjectState started) {
            return arrival.storeNow().map(now -> System.nanoTime()
                    + Duration.between(now, started.current().startedAt().plus(settings.deadline())).toNanos())
                    .orElse(Long.MAX_VALUE);
        }
    }

    /** Before try {@code tries + 1}: {@code initial-backoff} doubling, capped, ±20 % jitter ({@link Backoff}). */
    Duration backoff(int tries) {
        return backoff.after(tries);
    }

    private static long earlier(long deadline, long other) {
        return other == Long.MAX_VALUE || deadline - other < 0 ? deadline : other;
    }

    /** The id of a fetch's one result event ({@link Results#resultEventId}). */
    static UUID resultEventId(UUID fetchId) {
        return Results.resultEventId(fetchId);
    }
}
