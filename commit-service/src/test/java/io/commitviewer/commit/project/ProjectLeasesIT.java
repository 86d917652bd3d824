package io.commitviewer.commit.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.git.Branch;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.Signature;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One writer per project across instances (ADR 0010), on the store through the MongoDB driver:
 * two {@link ProjectLeases} stand for two commit-service instances. A lease is exclusive until
 * released or lapsed; a writer whose lease was taken over cannot write the project's state any
 * more; and what the later writer wrote or adopted survives the earlier one's take-back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectLeasesIT {

    private MongoServer server;
    private MongoClient client;
    private MongoDatabase database;
    private CommitStore store;
    private ProjectStates states;
    private final List<ProjectLeases> instances = new ArrayList<>();

    @BeforeAll
    void start() {
        server = new MongoServer(new MemoryBackend());
        client = MongoClients.create("mongodb://" + hostAndPort(server.bind()));
        database = client.getDatabase("leases-it");
        store = new CommitStore(database);
        states = new ProjectStates(database, new StoreIdentities(database, store));
    }

    @AfterAll
    void stop() {
        instances.forEach(ProjectLeases::close);
        client.close();
        server.shutdownNow();
    }

    private static String hostAndPort(java.net.InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** An instance whose leases lapse after {@code duration} (judged by the taker's setting). */
    private ProjectLeases instance(Duration duration) {
        ProjectLeases leases = new ProjectLeases(database, "instance-" + instances.size(), duration, Duration.ofMillis(200),
                Duration.ofSeconds(2), new SimpleMeterRegistry());
        instances.add(leases);
        return leases;
    }

    @Test
    void aLeaseIsHeldByOneInstanceUntilReleasedAndTokensOnlyGrow() {
        ProjectLeases first = instance(Duration.ofSeconds(60));
        ProjectLeases second = instance(Duration.ofSeconds(60));
        String projectId = UUID.randomUUID().toString();

        long held = first.holding(projectId, lease -> {
            assertThat(second.take(projectId)).as("taken while another instance holds it").isEmpty();
            assertThatThrownBy(() -> second.holding(projectId, Duration.ofMillis(700), other -> 0L))
                    .isInstanceOf(LeaseBusyException.class);
            return lease.token();
        });

        Optional<ProjectLeases.Lease> next = second.take(projectId);
        assertThat(next).as("free once released").isPresent();
        assertThat(next.get().token()).isGreaterThan(held);
        assertThat(next.get().tookOver()).as("a released lease is taken cleanly").isFalse();
    }

    @Test
    void aLapsedLeaseIsTakenOverAndItsHolderCanNoLongerWriteTheProjectsState() {
        ProjectLeases paused = instance(Duration.ofSeconds(60));
        ProjectLeases impatient = instance(Duration.ofMillis(300)); // sees any lease not renewed for 0.3 s as lapsed
        String projectId = UUID.randomUUID().toString();
        ProjectLeases.Lease old = paused.take(projectId).orElseThrow();
        states.claim(old);
        ProjectState state = ProjectState.none(projectId, "https://github.com/acme/widgets", null)
                .started("https://github.com/acme/widgets", "fetch-1", Instant.now(), null);
        states.save(state, old);

        // the holder is paused: no renewal (it never registered one), so its lease lapses for the impatient one
        ProjectLeases.Lease taken = await().atMost(Duration.ofSeconds(10)).until(() -> impatient.take(projectId), Optional::isPresent)
                .orElseThrow();
        states.claim(taken);

        assertThat(taken.tookOver()).isTrue();
        assertThat(taken.token()).isGreaterThan(old.token());
        assertThatThrownBy(() -> states.save(state.attempting("attempt-of-the-paused"), old)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> states.claim(old)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> states.delete(projectId, old)).isInstanceOf(LeaseLostException.class);
        states.save(state.attempting("attempt-of-the-new-holder"), taken);
        assertThat(projects().find(Filters.eq("_id", projectId)).first().getString("currentAttemptId"))
                .isEqualTo("attempt-of-the-new-holder");
    }

    /**
     * Issue 23, finding 4: a writer that passed the "deleted?" check, then paused past its lease
     * while the project was deleted, resumes. The deletion's fence outlives the project: the
     * writer's claim, state writes and fence check are refused, the project stays deleted, and
     * what it inserted meanwhile it removes once it hears so. Later writers cannot claim it either.
     */
    @Test
    void aWriterPausedPastItsLeaseCannotWriteAProjectDeletedMeanwhile() {
        ProjectLeases paused = instance(Duration.ofSeconds(60));
        ProjectLeases deleter = instance(Duration.ofMillis(300));
        String projectId = UUID.randomUUID().toString();
        ProjectLeases.Lease old = paused.take(projectId).orElseThrow();
        states.claim(old);
        ProjectState started = ProjectState.none(projectId, "https://github.com/acme/widgets", null)
                .started("https://github.com/acme/widgets", "fetch-1", Instant.now(), null).attempting("attempt-paused");
        states.save(started, old);
        store.commits().insert(List.of(commit(projectId, "attempt-paused", old.token(), 'a')), "attempt-paused", old.token(), sha -> true);
        assertThat(states.isDeleted(projectId)).isFalse(); // checked before the pause

        // paused past its lease: the deletion takes the lease over and deletes, as ProjectDeletions does
        ProjectLeases.Lease deletion = await().atMost(Duration.ofSeconds(10)).until(() -> deleter.take(projectId), Optional::isPresent)
                .orElseThrow();
        states.delete(projectId, deletion);
        store.deleteProject(projectId, deletion.token());
        states.delete(projectId, deletion); // a redelivery of the deletion changes nothing

        assertThatThrownBy(() -> states.claim(old)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> states.save(started.attempting("attempt-after-the-pause"), old)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> states.checkFence(old)).isInstanceOf(LeaseLostException.class);
        // a batch written before it heard (BatchWriter checks the fence after each), then removed (TakeBacks.afterLeaseLost)
        store.commits().insert(List.of(commit(projectId, "attempt-paused", old.token(), 'b')), "attempt-paused", old.token(), sha -> true);
        store.deleteProject(projectId, old.token());
        assertThat(shas(projectId)).isEmpty();
        assertThat(states.find(projectId)).isEmpty();
        assertThat(states.isDeleted(projectId)).isTrue();
        ProjectLeases.Lease later = await().atMost(Duration.ofSeconds(10)).until(() -> deleter.take(projectId), Optional::isPresent)
                .orElseThrow();
        assertThat(later.token()).isGreaterThan(deletion.token());
        assertThatThrownBy(() -> states.claim(later)).as("a deleted project is nobody's to write").isInstanceOf(LeaseLostException.class);
    }

    /**
     * Issue 23, finding 6: renewals on a slow link. Thirty leases held by one instance whose every
     * request to the store takes 60 ms: renewed one after another (1.8 s a round), they lapsed for
     * an instance that judges 0.8 s without renewal a lapse, and it took them over; renewed in one
     * write, none lapses.
     */
    @Test
    void aSlowStoreDelaysEveryRenewalByOneRoundTripNotOnePerLease() throws Exception {
        try (io.commitviewer.testsupport.FaultProxy proxy = io.commitviewer.testsupport.FaultProxy.mongo(
                server.getLocalAddress().getHostString(), server.getLocalAddress().getPort());
                MongoClient slowClient = MongoClients.create("mongodb://" + proxy.host() + ":" + proxy.port())) {
            ProjectLeases slow = new ProjectLeases(slowClient.getDatabase("leases-it"), "slow-instance", Duration.ofSeconds(60),
                    Duration.ofMillis(200), Duration.ofSeconds(2), new SimpleMeterRegistry());
            instances.add(slow);
            ProjectLeases watcher = instance(Duration.ofMillis(800));
            List<String> projects = new ArrayList<>();
            java.util.concurrent.CountDownLatch allHeld = new java.util.concurrent.CountDownLatch(30);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService holders = java.util.concurrent.Executors.newFixedThreadPool(30);
            try {
                for (int i = 0; i < 30; i++) {
                    String projectId = UUID.randomUUID().toString();
                    projects.add(projectId);
                    holders.submit(() -> slow.holding(projectId, lease -> {
                        allHeld.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }));
                }
                assertThat(allHeld.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                proxy.delay(io.commitviewer.testsupport.FaultProxy.Direction.TO_SERVER, Duration.ofMillis(60));

                await().dontCatchUncaughtExceptions().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> projects.stream().allMatch(projectId -> watcher.take(projectId).isEmpty()));
            } finally {
                proxy.heal();
                release.countDown();
                holders.shutdown();
                holders.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRenewalThatFindsTheLeaseTakenStopsTheHoldersWork() {
        ProjectLeases slow = instance(Duration.ofSeconds(60));
        ProjectLeases impatient = instance(Duration.ofMillis(100));
        String projectId = UUID.randomUUID().toString();

        slow.holding(projectId, lease -> {
            // taken between two renewals (every 0.2 s) of the holder, which sees it at its next renewal
            await().atMost(Duration.ofSeconds(10)).until(() -> impatient.take(projectId), Optional::isPresent);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(lease::check).isInstanceOf(LeaseLostException.class));
            return null;
        });
    }

    @Test
    void whatTheLaterWriterWroteOrAdoptedSurvivesTheEarlierWritersTakeBack() {
        String projectId = UUID.randomUUID().toString();
        long earlier = 10;
        long later = 11;
        // the earlier writer (lease lapsed) inserted x and y; the later one lists x and z: x is a duplicate it adopts
        store.commits().insert(List.of(commit(projectId, "earlier", earlier, 'x'), commit(projectId, "earlier", earlier, 'y')),
                "earlier", earlier, sha -> true);
        long inserted = store.commits().insert(List.of(commit(projectId, "later", later, 'x'), commit(projectId, "later", later, 'z')),
                "later", later, sha -> true);
        // the earlier writer wakes, writes x again (it cannot adopt it back), and takes back what it wrote
        store.commits().insert(List.of(commit(projectId, "earlier", earlier, 'x')), "earlier", earlier, sha -> true);
        store.commits().deleteInsertedBy(projectId, "earlier", earlier);
        store.commits().deleteAll(projectId, earlier);
        store.commits().delete(projectId, List.of(sha('x'), sha('z')), earlier);

        assertThat(inserted).isEqualTo(1);
        assertThat(shas(projectId)).containsExactlyInAnyOrder(sha('x'), sha('z'));
        assertThat(commits().find(Filters.eq("_id", io.commitviewer.commit.store.Commits.id(projectId, sha('x')))).first().getString("insertedBy"))
                .isEqualTo("later");
    }

    @Test
    void aCommitTheServedGenerationNamesIsNotAdoptedAndOneTakenBackMeanwhileIsInsertedAgain() {
        String projectId = UUID.randomUUID().toString();
        store.commits().insert(List.of(commit(projectId, "served", 1, 's')), "served", 1, sha -> true);

        store.commits().insert(List.of(commit(projectId, "next", 5, 's')), "next", 5, sha -> !sha.equals(sha('s')));
        store.commits().deleteInsertedBy(projectId, "next", 5); // the next attempt fails: the served commit stays

        assertThat(shas(projectId)).containsExactly(sha('s'));
        assertThat(commits().find(Filters.eq("_id", io.commitviewer.commit.store.Commits.id(projectId, sha('s')))).first().getString("insertedBy"))
                .isEqualTo("served");
    }

    @Test
    void theEarlierWriterCannotDropTheLaterWritersBranchesOrGraph() {
        String projectId = UUID.randomUUID().toString();
        Branch main = new Branch("main", sha('a'));
        store.branches().write(projectId, "generation-earlier", 3, List.of(main), new long[] {1});
        store.branches().write(projectId, "generation-later", 4, List.of(main), new long[] {1});
        store.graphs().write(projectId, "generation-later", 4, new io.commitviewer.commit.store.GraphChunks.StoredGraph(null, List.of(), 0, new byte[] {1, 2, 3}));

        store.deleteGenerationsBut(projectId, "generation-earlier", 3);

        assertThat(store.branches().generation(projectId, "generation-later")).hasSize(1);
        assertThat(store.graphs().header(projectId, "generation-later")).isPresent();
        store.deleteGenerationsBut(projectId, "generation-later", 4);
        assertThat(store.branches().generation(projectId, "generation-earlier")).isEmpty();
    }

    private MongoCollection<Document> projects() {
        return database.getCollection(io.commitviewer.commit.store.StoreCollections.PROJECTS);
    }

    private MongoCollection<Document> commits() {
        return database.getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS);
    }

    private List<String> shas(String projectId) {
        List<String> shas = new ArrayList<>();
        store.commits().forEachSha(projectId, shas::add);
        return shas;
    }

    private static String sha(char c) {
        return String.valueOf(c).repeat(40);
    }

    private static Document commit(String projectId, String attempt, long token, char c) {
        Signature who = new Signature("Ada", "ada@example.com", OffsetDateTime.parse("2026-01-01T00:00:00Z"));
        return io.commitviewer.commit.store.Commits.toDocument(projectId, attempt, token, new GitCommit(sha(c), List.of(), who, who, "m", Set.of(), Set.of()));
    }
}
