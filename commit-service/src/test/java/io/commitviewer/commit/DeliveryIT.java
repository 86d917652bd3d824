package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.CommitStoreChecked;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.testsupport.ServedRepository;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Fetch requests however the broker delivers them: again after a success, late, four at once,
 * unreadable, from the queue of before the shards, to a consumer whose connection drops mid-ingest,
 * or after a process died part-way; and the store's commits dropped under the live service (a new
 * epoch, announced). Nothing missing, nothing doubled, one result per fetch.
 */
@CommitServiceTestBase.CausesStatuses({200, 202})
class DeliveryIT extends CommitServiceTestBase {

    @Autowired
    StoreIdentities identities;

    @Autowired
    org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry listeners;

    @Autowired
    org.springframework.amqp.rabbit.connection.CachingConnectionFactory connections;

    @Test
    void aRedeliveredRequestLeavesNoDuplicate() throws Exception {
        ServedRepository repository = repository("twice", 800);
        UUID projectId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, SERVER.url("acme", "twice"), UUID.randomUUID());

        publish(request);
        List<Event> first = results(request.fetchId());
        long gitRuns = gitRuns();
        publish(request);
        List<Event> again = results(request.fetchId());

        assertThat(first).hasSize(2).last().isInstanceOf(FetchSucceeded.class);
        assertThat(again).as("the second delivery answered with the recorded result, the same event").containsExactly(first.get(1));
        assertThat(gitRuns()).as("no git ran for the second delivery").isEqualTo(gitRuns);
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(800);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aLateReplayOfAnEarlierFetchPublishesItsRecordedResultAgainAndChangesNothing() throws Exception {
        ServedRepository repository = repository("replayed", 700);
        UUID projectId = UUID.randomUUID();
        FetchRequested first = FetchRequested.of(projectId, SERVER.url("acme", "replayed"), UUID.randomUUID());
        publish(first);
        Event firstResult = results(first.fetchId()).get(1);
        assertThat(firstResult).isInstanceOf(FetchSucceeded.class);
        repository.addCommits("main", 10);
        fetch(projectId, "replayed");
        List<String> served = repository.revListBranches();
        repository.addCommits("main", 4400); // a fetch now would fail over the limit
        int gitRunsBefore = SERVER.requestCount("acme", "replayed");

        publish(first); // e.g. moved back from the DLQ, or a late duplicate
        List<Event> replay = laterResults(first.fetchId(), Duration.ofSeconds(3));

        assertThat(replay).as("the one result of that fetch, again, and nothing else").containsExactly(firstResult);
        assertThat(SERVER.requestCount("acme", "replayed")).as("no git ran for it").isEqualTo(gitRunsBefore);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(served);
    }

    @Test
    void duplicateRequestsForAProjectBeingFetchedAllSucceedWithNothingDoubled() throws Exception {
        ServedRepository repository = repository("popular", 2500);
        UUID projectId = UUID.randomUUID();
        List<FetchRequested> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(FetchRequested.of(projectId, SERVER.url("acme", "popular"), UUID.randomUUID()));
        }
        requests.forEach(this::publish);

        // results of all four interleave on the queue: collect them together
        java.util.Map<UUID, Event> last = new java.util.HashMap<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null) {
                if (codec.fromMessage(message) instanceof FetchEvent event) {
                    last.put(event.fetchId(), event);
                }
            }
            return requests.stream().allMatch(r -> last.get(r.fetchId()) instanceof FetchSucceeded);
        });
        List<FetchSucceeded> outcomes = requests.stream().map(r -> (FetchSucceeded) last.get(r.fetchId())).toList();

        // one fetch found the 2,500 commits; the others, run after it or served by a fetch that
        // started after they were received, found nothing new
        assertThat(outcomes).extracting(FetchSucceeded::newCommitCount).containsOnly(2500L, 0L).containsOnlyOnce(2500L);
        assertThat(outcomes).extracting(FetchSucceeded::commitCount).containsOnly(2500L);
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(2500);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aPoisonMessageGoesToTheDeadLetterQueueAndTheConsumerCarriesOn() throws Exception {
        MessageProperties properties = new MessageProperties();
        properties.setHeader("type", "fetch.requested");
        rabbit.send(AmqpNames.EXCHANGE, "fetch.requested", new Message("{garbage".getBytes(StandardCharsets.UTF_8), properties));
        repository("after-poison", 20);

        fetch(UUID.randomUUID(), "after-poison");

        Message dead = rabbit.receive(AmqpNames.PROJECT_WORK_DLQ, 5000);
        assertThat(dead).isNotNull();
        assertThat((String) dead.getMessageProperties().getHeader("x-exception-message")).startsWith("unreadable fetch.requested body");
    }

    /**
     * A broker upgraded from the version before the shards (ADR 0010): the old queue's binding is
     * removed when a connection opens, so requests go to the shards only; a request that waited in
     * the old queue is still fetched (the old queue is drained).
     */
    @Test
    void theOldFetchQueueLosesItsBindingAndWhatWaitedInItIsStillFetched() throws Exception {
        repository("from-the-old-queue", 30);
        var legacy = listeners.getListenerContainer("retired-queues");
        legacy.stop();
        try {
            var old = org.springframework.amqp.core.BindingBuilder.bind(new org.springframework.amqp.core.Queue(AmqpNames.FETCH_REQUESTS_QUEUE))
                    .to(new org.springframework.amqp.core.TopicExchange(AmqpNames.EXCHANGE)).with("fetch.requested");
            admin.declareBinding(old);
            UUID waiting = UUID.randomUUID();
            publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "from-the-old-queue"), waiting));
            await().atMost(WAIT).until(() -> admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount() == 1);
            assertThat(results(waiting)).last().isInstanceOf(FetchSucceeded.class); // and through its shard

            try (var connection = connections.createConnection()) {
                new io.commitviewer.amqp.RetiredBindings().onCreate(connection);
            }
            fetch(UUID.randomUUID(), "from-the-old-queue");
            assertThat(admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount()).as("nothing more in the old queue").isEqualTo(1);
        } finally {
            legacy.start();
        }
        // the copy that waited in the old queue is consumed too: its fetch id was done, so its result is published again
        await().atMost(WAIT).until(() -> admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount() == 0);
    }

    @Test
    void aConsumerWhoseConnectionDropsMidIngestLeavesNothingMissingOrDoubled() throws Exception {
        ServedRepository repository = repository("interrupted", 4000);
        UUID projectId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, SERVER.url("acme", "interrupted"), UUID.randomUUID());
        var commits = mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS);
        var ofProject = new org.bson.Document("projectId", projectId.toString());

        publish(request);
        // as soon as the whole ingest's first batches are stored (past the first look's 100 commits, ADR 0012), the
        // broker connection goes away: the request was not acked, so the broker delivers it again
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> commits.countDocuments(ofProject) > 100);
        connections.resetConnection();

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> page = get("/api/projects/" + projectId + "/commits?limit=1");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(json.readTree(page.body()).get("complete").asBoolean()).as("the exact listing, not a first look").isTrue();
            assertThat(commits.countDocuments(ofProject)).isEqualTo(4000);
        });
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
        assertThat(results(request.fetchId())).last().isInstanceOf(FetchSucceeded.class);
    }

    @Test
    void aFetchThatDiedPartWayIsFinishedByTheRedeliveredRequest() throws Exception {
        ServedRepository repository = repository("half-done", 3000);
        UUID projectId = UUID.randomUUID();
        // what a process killed in the middle of its first fetch leaves: some commits, no state
        var policy = new io.commitviewer.common.url.RepositoryUrlPolicy(
                io.commitviewer.common.url.AllowedOrigins.parse(SERVER.allowedOrigin()));
        var git = new io.commitviewer.common.git.Git(io.commitviewer.common.git.GitSettings.defaults(policy.allowedOrigins()));
        List<org.bson.Document> partial = new ArrayList<>();
        git.update(policy.parse(SERVER.url("acme", "half-done")), tempDir("half-done").resolve("m.git")).mirror()
                .forEachCommit(commit -> partial.add(io.commitviewer.commit.store.Commits.toDocument(projectId.toString(), commit)) && partial.size() < 1700);
        store.commits().insert(partial);

        fetch(projectId, "half-done");

        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(3000);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aDroppedCollectionOnALiveServiceStartsANewEpochThatIsAnnouncedAndTheProjectIsServedAgainAfterItsFetch()
            throws Exception {
        ServedRepository repository = repository("dropped", 600);
        UUID projectId = UUID.randomUUID();
        FetchSucceeded before = fetch(projectId, "dropped");
        assertThat(before.storeEpoch()).isNotNull();
        KNOWN_PROJECTS.put(projectId.toString(), "{\"status\":\"READY\",\"lastFetchedAt\":\"2026-11-30T10:00:00Z\"}");

        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).drop();

        CommitStoreChecked announced = announcement(checked -> !checked.epoch().equals(before.storeEpoch()));
        assertThat(announced.sequence()).isZero();
        assertThat(identities.nextSequence(before.storeEpoch())).as("no success in the lost epoch").isEmpty();
        HttpResponse<String> meanwhile = get("/api/projects/" + projectId + "/commits");
        assertThat(meanwhile.statusCode()).as("the project's state went with the epoch: %s", meanwhile.body()).isEqualTo(202);

        FetchSucceeded again = fetch(projectId, "dropped"); // as project-service asks after the announcement
        assertThat(again.storeEpoch()).isEqualTo(announced.epoch());
        assertThat(again.storeSequence()).isEqualTo(1);
        assertThat(again.newCommitCount()).isEqualTo(600);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    /** The next announcement of the store that matches, discarding fetch results meanwhile. */
    private CommitStoreChecked announcement(java.util.function.Predicate<CommitStoreChecked> matching) {
        java.util.concurrent.atomic.AtomicReference<CommitStoreChecked> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null && codec.fromMessage(message) instanceof CommitStoreChecked checked && matching.test(checked)) {
                found.set(checked);
            }
            return found.get() != null;
        });
        return found.get();
    }
}
