package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.git.FailureReason;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * A deleted project: its commits, branches and mirror go, and a fetch request that arrives after
 * the deletion stores nothing and runs no git; nor does one queued before it (issue 24, finding 1).
 */
@CommitServiceTestBase.CausesStatuses({404})
class ProjectDeletionIT extends CommitServiceTestBase {

    @Autowired
    ApplicationContext context;

    /**
     * Issue 24, finding 1: a fetch request queued in the project's shard before its deletion used to
     * clone the whole repository, then the deletion removed it — add/delete churn made every re-add a
     * clone. The deletion's notice, taken ahead of the shards, marks the project deleted (here while
     * no shard is consumed at all); the request then starts no git and ends FAILED PROJECT_DELETED,
     * which ends it in its key's counts at project-service.
     */
    @Test
    void aFetchRequestQueuedBeforeTheDeletionClonesNothing() throws Exception {
        repository("queued-then-deleted", 40);
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        SmartLifecycle shards = context.getBean("projectWorkShards", SmartLifecycle.class);
        shards.stop();
        try {
            publish(FetchRequested.of(projectId, SERVER.url("acme", "queued-then-deleted"), fetchId));
            publish(ProjectDeleted.of(projectId));

            await().atMost(WAIT).until(() -> states.isDeleted(projectId.toString()));
        } finally {
            shards.start();
        }

        List<Event> results = results(fetchId);
        assertThat(results).singleElement().isInstanceOfSatisfying(FetchFailed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.PROJECT_DELETED);
            assertThat(failed.retryable()).isFalse();
        });
        assertThat(SERVER.requestCount("acme", "queued-then-deleted")).as("requests to the git server").isZero();
        await().atMost(WAIT).until(() -> AmqpNames.projectWorkQueues().stream().allMatch(queue -> admin.getQueueInfo(queue).getMessageCount() == 0));
        assertThat(get("/api/projects/" + projectId + "/commits").statusCode()).isEqualTo(404);
    }

    @Test
    void projectDeletedDropsCommitsBranchesAndTheMirror() throws Exception {
        repository("deleted", 50);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "deleted");
        Path mirror = CACHE.resolve(SERVER.origin().substring("http://".length()).replace(':', '_')).resolve("acme/deleted.git");
        assertThat(mirror).isDirectory();

        publish(ProjectDeleted.of(projectId));

        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/api/projects/" + projectId + "/commits").statusCode()).isEqualTo(404));
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(mirror).doesNotExist());
    }

    @Test
    void aFetchRequestArrivingAfterTheDeletionStoresNothing() throws Exception {
        repository("late", 40);
        UUID projectId = UUID.randomUUID();
        publish(ProjectDeleted.of(projectId));
        await().atMost(WAIT).until(() -> states.isDeleted(projectId.toString()));

        UUID late = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "late"), late));
        fetch(UUID.randomUUID(), "late"); // a later request is done, so the consumer is past the late one

        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
        assertThat(get("/api/projects/" + projectId + "/commits").statusCode()).isEqualTo(404);
    }

    @Test
    void aFetchRequestForADeletedProjectRunsNoGit() throws Exception {
        repository("late-git", 40);
        UUID projectId = UUID.randomUUID();
        publish(ProjectDeleted.of(projectId));
        await().atMost(WAIT).until(() -> states.isDeleted(projectId.toString()));
        long gitRuns = gitRuns();

        publish(FetchRequested.of(projectId, SERVER.url("acme", "late-git"), UUID.randomUUID()));

        await().atMost(WAIT).until(() -> AmqpNames.projectWorkQueues().stream().allMatch(queue -> admin.getQueueInfo(queue).getMessageCount() == 0)
                && meters.get("commitviewer.fetches.in.flight").gauge().value() == 0);
        assertThat(gitRuns()).isEqualTo(gitRuns);
    }
}
