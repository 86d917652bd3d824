package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.PoisonMessageException;
import io.commitviewer.commit.commits.CommitStore;
import io.commitviewer.commit.commits.StoreIdentities;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;

/**
 * Consumes {@code fetch.requested}: fetches, stores, and answers with {@code fetch.started} then
 * {@code fetch.succeeded} or {@code fetch.failed}, each confirmed by the broker before the request
 * is acked. Transient git failures are retried with back-off a bounded number of times; a
 * repository that does not exist or is private fails at once. Requests for a project already
 * being fetched wait for that fetch and, if it started after they were made, take its result.
 */
class FetchRequests {

    private static final Logger log = LoggerFactory.getLogger(FetchRequests.class);

    private final EventCodec codec;
    private final DeadLetterRecoverer deadLetters;
    private final CommitStore store;
    private final Ingestion ingestion;
    private final ResultPublisher publisher;
    private final RepositoryUrlPolicy policy;
    private final CommitServiceProperties.Consumer settings;
    private final MeterRegistry meters;
    private final ProjectLocks locks;
    private final StoreIdentities identities;
    private final AtomicInteger inFlight = new AtomicInteger();

    FetchRequests(EventCodec codec, DeadLetterRecoverer deadLetters, CommitStore store, Ingestion ingestion,
            ResultPublisher publisher, RepositoryUrlPolicy policy, CommitServiceProperties.Consumer settings,
            MeterRegistry meters, ProjectLocks locks, StoreIdentities identities) {
        this.identities = identities;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.store = store;
        this.ingestion = ingestion;
        this.publisher = publisher;
        this.policy = policy;
        this.settings = settings;
        this.meters = meters;
        this.locks = locks;
        meters.gauge("commitviewer.fetches.in.flight", inFlight);
    }

    @RabbitListener(id = "fetch-requests", queues = AmqpNames.FETCH_REQUESTS_QUEUE,
            concurrency = "${commitviewer.consumer.concurrency}")
    void on(Message message) {
        Event event;
        try {
            event = codec.fromMessage(message);
            if (!(event instanceof FetchRequested)) {
                throw new PoisonMessageException("expected fetch.requested, got " + event.type().routingKey());
            }
        } catch (PoisonMessageException e) {
            deadLetters.recover(message, e);
            return;
        }
        handle((FetchRequested) event);
    }

    void handle(FetchRequested request) {
        String projectId = request.projectId().toString();
        // when this instance got the request, on its own clock (the request's occurredAt is another host's)
        Instant received = Instant.now();
        try (var p = MDC.putCloseable(Correlation.PROJECT_ID, projectId);
                var f = MDC.putCloseable(Correlation.FETCH_ID, request.fetchId().toString())) {
            locks.withLock(projectId, () -> {
                inFlight.incrementAndGet();
                try {
                    process(request, received);
                } catch (RuntimeException e) {
                    reportInternalFailure(request, e);
                    throw e; // retried by the container, then dead-lettered with the reason
                } finally {
                    inFlight.decrementAndGet();
                }
                return null;
            });
        }
    }

    /**
     * Our own infrastructure failed (store, broker, disk): tell project-service at once, so the
     * project does not wait for ever; the request itself is retried and, failing that, dead-lettered.
     */
    private void reportInternalFailure(FetchRequested request, RuntimeException error) {
        log.warn("Fetch failed on our side: {}", error.toString());
        try {
            publisher.publish(FetchFailed.of(request.projectId(), request.fetchId(), FailureReason.GIT_ERROR,
                    "internal error: " + error.getClass().getSimpleName(), true));
        } catch (RuntimeException e) {
            log.warn("Could not report the failure either: {}", e.toString());
        }
    }

    private void process(FetchRequested request, Instant received) {
        String projectId = request.projectId().toString();
        if (store.isDeleted(projectId)) {
            log.info("Ignoring a fetch request for a deleted project");
            return;
        }
        // the fetch belongs to the store's current epoch; a state of an older one was lost with it (ADR 0006)
        UUID epoch = identities.epoch();
        Document state = store.project(projectId).filter(identities::isCurrent).orElse(null);
        if (coveredByEarlierFetch(state, request, received)) {
            log.info("Fetch already covered by fetch {}", state.getString("fetchId"));
            String stateEpoch = state.getString(StoreIdentities.STATE_EPOCH);
            publisher.publish(FetchSucceeded.of(request.projectId(), request.fetchId(), state.getLong("totalCount"), 0,
                    state.getInteger("branchCount"), 0, stateEpoch == null ? null : UUID.fromString(stateEpoch),
                    state.getLong(StoreIdentities.STATE_SEQUENCE)));
            return;
        }
        RepositoryUrl url;
        try {
            url = policy.parse(request.repositoryUrl());
        } catch (InvalidRepositoryUrlException e) {
            fail(request, FailureReason.GIT_ERROR, "refused URL: " + e.getMessage(), false, Instant.now(), epoch);
            return;
        }
        Instant started = Instant.now();
        markFetching(state, request, started, epoch);
        publisher.publish(FetchStarted.of(request.projectId(), request.fetchId()));
        for (int attempt = 0; ; attempt++) {
            try {
                Ingestion.Result result = ingestion.ingest(projectId, url, request.fetchId().toString(), state, started, epoch);
                long duration = Duration.between(started, Instant.now()).toMillis();
                publisher.publish(FetchSucceeded.of(request.projectId(), request.fetchId(), result.commitCount(),
                        result.newCommitCount(), result.branchCount(), duration, epoch, result.storeSequence()));
                record("succeeded", started);
                log.info("Fetch succeeded: {} commits ({} new), {} branches in {} ms", result.commitCount(),
                        result.newCommitCount(), result.branchCount(), duration);
                return;
            } catch (FetchFailure e) {
                fail(request, e.reason(), e.getMessage(), e.retryable(), started, epoch);
                return;
            } catch (GitException e) {
                if (e.retryable() && attempt < settings.maxRetries()) {
                    Duration backoff = backoff(attempt);
                    log.warn("Fetch attempt {} failed ({}: {}); retrying in {} ms", attempt + 1, e.reason(), e.getMessage(),
                            backoff.toMillis());
                    pause(backoff);
                    continue;
                }
                fail(request, e.reason(), e.getMessage(), e.retryable(), started, epoch);
                return;
            }
        }
    }

    /** A fetch that started after this request was received, and succeeded, already covers it. */
    private static boolean coveredByEarlierFetch(Document state, FetchRequested request, Instant received) {
        if (state == null || !Boolean.TRUE.equals(state.getBoolean("ready")) || !"READY".equals(state.getString("status"))) {
            return false;
        }
        if (request.fetchId().toString().equals(state.getString("fetchId"))) {
            return true; // a redelivery of a request already done
        }
        Date started = state.getDate("lastFetchStartedAt");
        return started != null && started.toInstant().isAfter(received);
    }

    private void markFetching(Document state, FetchRequested request, Instant started, UUID epoch) {
        Document next = state == null ? new Document("_id", request.projectId().toString()).append("ready", false) : state;
        next.append(StoreIdentities.STATE_EPOCH, epoch.toString()).append("repositoryUrl", request.repositoryUrl()).append("status", "FETCHING")
                .append("currentFetchId", request.fetchId().toString()).append("currentFetchStartedAt", Date.from(started));
        store.saveProject(next);
    }

    private void fail(FetchRequested request, FailureReason reason, String message, boolean retryable, Instant started,
            UUID epoch) {
        Document next = store.project(request.projectId().toString()).filter(identities::isCurrent)
                .orElse(new Document("_id", request.projectId().toString()).append("ready", false));
        next.append(StoreIdentities.STATE_EPOCH, epoch.toString()).append("repositoryUrl", request.repositoryUrl())
                .append("status", Boolean.TRUE.equals(next.getBoolean("ready")) ? "READY" : "FAILED")
                .append("lastError", new Document("reason", reason.name()).append("message", message)
                        .append("fetchId", request.fetchId().toString()).append("at", new Date()));
        store.saveProject(next);
        publisher.publish(FetchFailed.of(request.projectId(), request.fetchId(), reason, message, retryable));
        record("failed", started);
        log.info("Fetch failed: {}: {}", reason, message);
    }

    private void record(String outcome, Instant started) {
        Timer.builder("commitviewer.fetch.duration").description("Fetch requests from receipt to result")
                .tag("outcome", outcome).register(meters).record(Duration.between(started, Instant.now()));
    }

    private Duration backoff(int attempt) {
        long millis = Math.min(settings.maxBackoff().toMillis(), settings.initialBackoff().toMillis() << Math.min(attempt, 16));
        return Duration.ofMillis(millis);
    }

    private static void pause(Duration backoff) {
        try {
            TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
