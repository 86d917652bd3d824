package io.commitviewer.commit.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.ServerAddress;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectLocks;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.Commits;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fetch state machine alone, with the store and git mocked: the one retry policy (attempts,
 * back-off, deadline), the one result per fetch, and a request that comes again.
 */
class FetcherTests {

    private static final UUID EPOCH = UUID.randomUUID();

    private final ProjectStates states = mock(ProjectStates.class);
    private final StoreIdentities identities = mock(StoreIdentities.class);
    private final CommitStore whole = mock(CommitStore.class);
    private final Commits store = mock(Commits.class);
    private final Ingestion ingestion = mock(Ingestion.class);
    private final TakeBacks takeBacks = new TakeBacks(states, whole, mock(io.commitviewer.commit.store.CommitGraphs.class),
            new CommitServiceProperties.Ingest(1000, 5_000_000L, 65536, 50_000, 50_000, false));
    private final EventPublisher publisher = mock(EventPublisher.class);
    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());
    private final List<Event> published = new ArrayList<>();
    private final List<Duration> pauses = new ArrayList<>();
    private final AtomicReference<ProjectState> saved = new AtomicReference<>();
    private final ProjectLeases leases = mock(ProjectLeases.class);
    private final ProjectLocks locks = new ProjectLocks();
    private static final ProjectLeases.Lease LEASE = new ProjectLeases.Lease("any", 7, false);
    private final FetchRequested request = FetchRequested.of(UUID.randomUUID(), "https://github.com/acme/widgets", UUID.randomUUID());

    private static Arrival arrivedNow() {
        return new Arrival(System.nanoTime(), Optional.of(Instant.now()));
    }

    private Fetcher fetcher(Duration deadline) {
        return new Fetcher(states, identities, ingestion, takeBacks, publisher, codec,
                new RepositoryUrlPolicy(AllowedOrigins.parse("https://github.com")),
                new CommitServiceProperties.Fetch(4, Duration.ofSeconds(2), Duration.ofSeconds(30), deadline), locks,
                leases, new SimpleMeterRegistry(), new FetchProgressReporter(publisher), pauses::add, () -> 0);
    }

    @BeforeEach
    void store() {
        when(whole.commits()).thenReturn(store);
        when(identities.epoch()).thenReturn(EPOCH);
        when(states.find(anyString())).thenAnswer(invocation -> Optional.ofNullable(saved.get()));
        doAnswer(invocation -> {
            saved.set(invocation.getArgument(0));
            return null;
        }).when(states).save(any(), any());
        when(leases.waitAtMost(any())).thenAnswer(invocation -> invocation.getArgument(0));
        when(leases.acquire(anyString(), any(Duration.class))).thenReturn(LEASE);
        doAnswer(invocation -> published.add(invocation.getArgument(0))).when(publisher).publish(any());
    }

    @Test
    void aTransientGitFailureIsTriedMaxAttemptsTimesWithDoublingBackOffAndEndsInOneResult() {
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.UNREACHABLE, "connection refused"));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(ingestion, times(4)).ingest(any(), any(), any(), any(), any());
        assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(published).hasSize(2).first().isInstanceOf(FetchStarted.class);
        assertThat(published.get(1)).isInstanceOfSatisfying(FetchFailed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.UNREACHABLE);
            assertThat(failed.retryable()).isTrue();
            assertThat(failed.eventId()).isEqualTo(Fetcher.resultEventId(request.fetchId()));
        });
        assertThat(saved.get().reportedFor(request.fetchId().toString())).as("recorded before it was published").isPresent();
        assertThat(saved.get().current()).isNull();
    }

    @Test
    void aFailureThatCannotChangeIsNotTriedAgain() {
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.REPOSITORY_NOT_FOUND, "not found"));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(ingestion, times(1)).ingest(any(), any(), any(), any(), any());
        assertThat(pauses).isEmpty();
        assertThat(published).last().isInstanceOfSatisfying(FetchFailed.class,
                failed -> assertThat(failed.reason()).isEqualTo(FailureReason.REPOSITORY_NOT_FOUND));
    }

    @Test
    void theDeadlineEndsTheFetchWhenNoBackOffFitsInWhatIsLeft() {
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.TIMEOUT, "git fetch did not finish"));

        fetcher(Duration.ofSeconds(3)).handle(request, arrivedNow()); // the first back-off, 2 s, fits; the second, 4 s, does not

        verify(ingestion, times(2)).ingest(any(), any(), any(), any(), any());
        assertThat(published).filteredOn(FetchFailed.class::isInstance).hasSize(1);
        assertThat(published).last().isInstanceOfSatisfying(FetchFailed.class,
                failed -> assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT));
    }

    @Test
    void ourStoreFailingBeforeAnyAttemptIsRetriedByTheSamePolicyAndReportedAsInternal() {
        when(states.isDeleted(anyString())).thenThrow(new MongoSocketReadTimeoutException("read timed out",
                new ServerAddress("127.0.0.1", 27017), new java.net.SocketTimeoutException()));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(states, times(4)).isDeleted(anyString());
        assertThat(pauses).hasSize(3);
        assertThat(published).singleElement().isInstanceOfSatisfying(FetchFailed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.INTERNAL);
            assertThat(failed.retryable()).isTrue();
        });
    }

    @Test
    void ourStoreFailingWhileTheLeaseIsTakenIsRetriedByTheSamePolicyAndReportedAsInternal() {
        doThrow(new MongoSocketReadTimeoutException("read timed out", new ServerAddress("127.0.0.1", 27017),
                new java.net.SocketTimeoutException())).when(leases).acquire(anyString(), any(Duration.class));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(leases, times(4)).acquire(anyString(), any(Duration.class));
        verify(leases, never()).release(any());
        assertThat(pauses).hasSize(3);
        assertThat(published).singleElement().isInstanceOfSatisfying(FetchFailed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.INTERNAL);
            assertThat(failed.retryable()).isTrue();
        });
    }

    /**
     * One loop, one policy: a store failure while the lease is taken, another in the preflight
     * and a git failure in the attempt are each tried again from where they failed — the lease is
     * taken once, the preflight passed once — and the lease is given up once at the end.
     */
    @Test
    void eachTryGoesOnFromWhereTheLastOneFailed() {
        MongoSocketReadTimeoutException timeout = new MongoSocketReadTimeoutException("read timed out",
                new ServerAddress("127.0.0.1", 27017), new java.net.SocketTimeoutException());
        when(leases.acquire(anyString(), any(Duration.class))).thenThrow(timeout).thenReturn(LEASE);
        when(states.isDeleted(anyString())).thenThrow(timeout).thenReturn(false);
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.UNREACHABLE, "refused"))
                .thenAnswer(invocation -> {
                    ProjectState attempt = invocation.getArgument(0);
                    return new Ingestion.Result(new ProjectState.Served(request.fetchId().toString(), List.of("a".repeat(40)), 3, 1,
                            Instant.now(), Instant.now(), 1L, attempt.current().attemptId(), 0), 3, List.of());
                });

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(leases, times(2)).acquire(anyString(), any(Duration.class));
        verify(states, times(2)).isDeleted(anyString());
        verify(states, times(1)).claim(LEASE);
        verify(ingestion, times(2)).ingest(any(), any(), any(), any(), any());
        verify(leases, times(1)).release(LEASE);
        assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(2));
        assertThat(published).hasSize(2).first().isInstanceOf(FetchStarted.class);
        assertThat(published.get(1)).isInstanceOf(FetchSucceeded.class);
    }

    @Test
    void aRefusedUrlFailsAsInvalidUrlWithoutAnAttempt() {
        FetchRequested refused = FetchRequested.of(request.projectId(), "https://evil.example.com/a/b", UUID.randomUUID());

        fetcher(Duration.ofMinutes(20)).handle(refused, arrivedNow());

        verify(ingestion, never()).ingest(any(), any(), any(), any(), any());
        assertThat(published).singleElement().isInstanceOfSatisfying(FetchFailed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.INVALID_URL);
            assertThat(failed.retryable()).isFalse();
        });
    }

    @Test
    void aRequestThatComesAgainGetsItsRecordedResultAgainAndNoAttempt() {
        ProjectState.Served served = new ProjectState.Served(request.fetchId().toString(), List.of("a".repeat(40)), 10, 1,
                Instant.now(), Instant.now(), 3L, "attempt-1", 0);
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenReturn(new Ingestion.Result(served, 10, List.of()));
        Fetcher fetcher = fetcher(Duration.ofMinutes(20));
        fetcher.handle(request, arrivedNow());
        Event first = published.get(1);
        published.clear();

        fetcher.handle(request, arrivedNow());

        verify(ingestion, times(1)).ingest(any(), any(), any(), any(), any());
        assertThat(first).isInstanceOf(FetchSucceeded.class);
        assertThat(published).containsExactly(first);
    }

    @Test
    void anAttemptThatNeverEndedIsTakenBackBeforeTheNextStarts() {
        ProjectState crashed = ProjectState.none(request.projectId().toString(), request.repositoryUrl(), EPOCH)
                .started(request.repositoryUrl(), request.fetchId().toString(), Instant.now(), EPOCH).attempting("attempt-killed");
        saved.set(crashed);
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.REPOSITORY_NOT_FOUND, "gone"));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        org.mockito.InOrder order = org.mockito.Mockito.inOrder(store, ingestion);
        order.verify(store).deleteAll(request.projectId().toString(), LEASE.token()); // nothing was served: every commit
        order.verify(ingestion).ingest(any(), any(), any(), any(), any());
        assertThat(saved.get().current()).isNull();
    }

    @Test
    void aStoreThatLostDataMeanwhileFailsTheAttemptWithoutServingIt() {
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new FetchFailure(FailureReason.INTERNAL,
                "the commit store lost data while this fetch ran", false));

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        assertThat(saved.get().ready()).isFalse();
        assertThat(published).last().isInstanceOfSatisfying(FetchFailed.class,
                failed -> assertThat(failed.reason()).isEqualTo(FailureReason.INTERNAL));
        verify(store, never()).delete(anyString(), any(), anyLong()); // nothing after a commit point
    }

    /**
     * Issue 23, finding 1: the commit point's write applied, its reply was lost. The fetch must end
     * as it committed — SUCCEEDED, once — and take back nothing the served generation names.
     */
    @Test
    void aCommitPointWhoseReplyIsLostEndsSucceededAndTakesNothingBack() {
        ProjectState.Served before = new ProjectState.Served("earlier", List.of("b".repeat(40)), 5, 1, Instant.now(), Instant.now(),
                2L, "attempt-0", 0);
        saved.set(ProjectState.none(request.projectId().toString(), request.repositoryUrl(), EPOCH).succeeded(before));
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            ProjectState attempt = invocation.getArgument(0);
            return new Ingestion.Result(new ProjectState.Served(request.fetchId().toString(), List.of("a".repeat(40)), 10, 1,
                    Instant.now(), Instant.now(), 3L, attempt.current().attemptId(), 0), 5, List.of("c".repeat(40)));
        });
        doAnswer(invocation -> {
            ProjectState next = invocation.getArgument(0);
            saved.set(next);
            if (next.status() == ProjectState.Status.READY && next.current() == null && next.served().fetchId().equals(
                    request.fetchId().toString())) {
                throw new com.mongodb.MongoSocketReadException("reply lost", new ServerAddress());
            }
            return null;
        }).when(states).save(any(), any());

        fetcher(Duration.ofMinutes(20)).handle(request, arrivedNow());

        verify(ingestion, times(1)).ingest(any(), any(), any(), any(), any());
        verify(store, never()).deleteInsertedBy(anyString(), anyString(), anyLong());
        verify(store, never()).deleteAll(anyString(), anyLong());
        verify(store).delete(request.projectId().toString(), List.of("c".repeat(40)), LEASE.token()); // what left every branch
        assertThat(saved.get().served().fetchId()).isEqualTo(request.fetchId().toString());
        assertThat(published).hasSize(2).last().isInstanceOfSatisfying(FetchSucceeded.class,
                succeeded -> assertThat(succeeded.commitCount()).isEqualTo(10));
    }

    /**
     * Issue 23, finding 3: the deadline counts from the delivery's arrival, not from after the
     * waits for a slot, the lock and the lease. One that waited all but a second of it gets one
     * attempt and no back-off, and ends with a result in time.
     */
    @Test
    void aDeliveryThatWaitedGetsOnlyWhatIsLeftOfItsDeadline() {
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenThrow(new GitException(FailureReason.UNREACHABLE, "connection refused"));
        long arrivedLongAgo = System.nanoTime() - Duration.ofMinutes(20).minusSeconds(1).toNanos();

        fetcher(Duration.ofMinutes(20)).handle(request, new Arrival(arrivedLongAgo, Optional.of(Instant.now())));

        verify(ingestion, times(1)).ingest(any(), any(), any(), any(), any());
        assertThat(pauses).isEmpty();
        assertThat(published).last().isInstanceOf(FetchFailed.class);
    }

    /** Issue 23, findings 3 and 8: a wait for the project's lock ends with the delivery's deadline, and the request comes again. */
    @Test
    void aLockHeldPastTheDeadlineEndsTheWaitAsBusy() throws Exception {
        try (var held = io.commitviewer.commit.project.HeldLock.of(locks, request.projectId().toString())) {
            long almostOver = System.nanoTime() - Duration.ofMinutes(20).minusMillis(300).toNanos();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fetcher(Duration.ofMinutes(20))
                    .handle(request, new Arrival(almostOver, Optional.of(Instant.now()))))
                    .isInstanceOf(io.commitviewer.commit.project.LeaseBusyException.class);
        }
        verify(ingestion, never()).ingest(any(), any(), any(), any(), any());
    }

    /**
     * Issue 23, finding 7: times that other instances compare are the store's. This JVM's clock is
     * an hour off the store's: the fetch's start — which a later request on another instance
     * compares with its own arrival — is stamped with the store's time, and so is the arrival a
     * covering fetch is compared with.
     */
    @Test
    void aFetchsStartIsStampedWithTheStoresClockNotThisJvms() {
        Instant storeNow = Instant.now().minus(Duration.ofHours(1));
        when(ingestion.ingest(any(), any(), any(), any(), any())).thenAnswer(invocation -> {
            ProjectState attempt = invocation.getArgument(0);
            return new Ingestion.Result(new ProjectState.Served(request.fetchId().toString(), List.of("a".repeat(40)), 6, 1,
                    attempt.current().startedAt(), storeNow, 3L, attempt.current().attemptId(), 0), 1, List.of());
        });

        fetcher(Duration.ofMinutes(20)).handle(request, new Arrival(System.nanoTime(), Optional.of(storeNow)));

        assertThat(saved.get().served().fetchStartedAt()).isBetween(storeNow, storeNow.plusSeconds(5));
        FetchRequested later = FetchRequested.of(request.projectId(), request.repositoryUrl(), UUID.randomUUID());
        published.clear();
        fetcher(Duration.ofMinutes(20)).handle(later, new Arrival(System.nanoTime(), Optional.of(storeNow.minusSeconds(1))));
        assertThat(published).singleElement().isInstanceOf(FetchSucceeded.class); // arrived before that start: covered
        verify(ingestion, times(1)).ingest(any(), any(), any(), any(), any());
    }
}
