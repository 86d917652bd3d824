package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a fetch request goes through, under the project's lease, before its first attempt —
 * each step either ends the request or lets it go on:
 * <ol>
 * <li>deleted: the project was deleted (its shard's deletion ran, or its notice came ahead of it)
 * → FAILED PROJECT_DELETED, unrecorded (there is no state to record it in), and no clone: the key
 * that asked for the fetch no longer counts it in progress (issue 24, finding 1);</li>
 * <li>claimed: the lease's token becomes the project's fence (writers before it are refused);</li>
 * <li>replayed: its result was recorded before (a redelivery) → that result, again;</li>
 * <li>covered: a fetch that started after this request arrived succeeded → SUCCEEDED with it;</li>
 * <li>URL: refused by the policy → FAILED INVALID_URL;</li>
 * <li>undo: an attempt that never reached its commit point is taken back ({@link TakeBacks});</li>
 * <li>sweep: after a take-over, what the lapsed writer wrote besides is removed;</li>
 * <li>started: recorded (a redelivery keeps the first start, the store's time) and FetchStarted published.</li>
 * </ol>
 * Store failures are thrown to the {@link Fetcher}, whose one retry policy runs this again.
 */
final class Preflight {

    private static final Logger log = LoggerFactory.getLogger(Preflight.class);

    private final ProjectStates states;
    private final StoreIdentities identities;
    private final TakeBacks takeBacks;
    private final Results results;
    private final EventPublisher publisher;
    private final RepositoryUrlPolicy policy;

    Preflight(ProjectStates states, StoreIdentities identities, TakeBacks takeBacks, Results results, EventPublisher publisher,
            RepositoryUrlPolicy policy) {
        this.states = states;
        this.identities = identities;
        this.takeBacks = takeBacks;
        this.results = results;
        this.publisher = publisher;
        this.policy = policy;
    }

    /** A request that goes on to its attempts: its recorded start, its URL, and the store's identity it writes under. */
    record Started(ProjectState state, RepositoryUrl url, UUID epoch) {
    }

    /** Runs the steps above; empty if the request ended in one of them (its result published, if it has one). */
    Optional<Started> check(FetchRequested request, Arrival arrival, ProjectLeases.Lease lease) {
        String projectId = request.projectId().toString();
        String fetchId = request.fetchId().toString();
        if (states.isDeleted(projectId)) {
            log.info("The project was deleted before its fetch started: nothing fetched");
            results.publishUnrecorded(Results.failed(request, FailureReason.PROJECT_DELETED,
                    "the project was deleted before its fetch started", false));
            return Optional.empty();
        }
        states.claim(lease);
        UUID epoch = identities.epoch();
        ProjectState previous = states.find(projectId).orElse(null);
        if (previous != null && previous.reportedFor(fetchId).isPresent()) {
            ProjectState.Reported reported = previous.reportedFor(fetchId).get();
            log.info("Fetch already ended: its {} again", reported.type());
            results.replay(reported);
            return Optional.empty();
        }
        if (coveredByEarlierFetch(previous, request, arrival.storeTime())) {
            log.info("Fetch covered by fetch {}", previous.served().fetchId());
            results.report(previous, Results.succeeded(request, previous.served(), 0, 0, previous.storeEpoch()), lease);
            return Optional.empty();
        }
        ProjectState base = previous != null ? previous : ProjectState.none(projectId, request.repositoryUrl(), epoch);
        RepositoryUrl url;
        try {
            url = policy.parse(request.repositoryUrl());
        } catch (InvalidRepositoryUrlException e) {
            String message = "refused URL: " + e.getMessage();
            results.report(base.failed(FailureReason.INVALID_URL, message, fetchId, arrival.now()),
                    Results.failed(request, FailureReason.INVALID_URL, message, false), lease);
            return Optional.empty();
        }
        takeBacks.takeBack(base, lease);
        if (lease.tookOver()) {
            takeBacks.sweep(base, lease);
        }
        ProjectState started = base.started(url.canonical(), fetchId, arrival.now(), epoch);
        states.save(started, lease);
        publisher.publish(FetchStarted.of(request.projectId(), request.fetchId()));
        return Optional.of(new Started(started, url, epoch));
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
}
