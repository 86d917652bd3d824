package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.ProjectDeleted;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A deleted project: its commits, branches and mirror go, and a fetch request that arrives after
 * the deletion stores nothing and runs no git.
 */
@CommitServiceTestBase.CausesStatuses({404})
class ProjectDeletionIT extends CommitServiceTestBase {

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
