package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.testsupport.ServedRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What a fetch stores and a refresh changes: exactly the set of {@code git rev-list --branches},
 * served newest first; after new commits, a force-push and a deleted branch; from a mirror that
 * never saw the served tips, or none at all after an eviction; messages over the limit cut and flagged.
 */
@CommitServiceTestBase.CausesStatuses({200})
class FetchAndRefreshIT extends CommitServiceTestBase {

    @Test
    void aRequestStoresExactlyTheRevListSetAndServesItNewestFirst() throws Exception {
        ServedRepository repository = repository("exact", 3000);
        UUID projectId = UUID.randomUUID();

        FetchSucceeded result = fetch(projectId, "exact");

        List<String> revList = repository.revListBranches();
        assertThat(result.commitCount()).isEqualTo(3000);
        assertThat(result.newCommitCount()).isEqualTo(3000);
        assertThat(result.branchCount()).isEqualTo(4);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(revList);
        JsonNode first = json.readTree(get("/api/projects/" + projectId + "/commits?limit=1").body());
        assertThat(first.get("totalCount").asLong()).isEqualTo(3000);
        assertThat(first.get("items").get(0).propertyNames()).containsExactly("sha", "parents", "author", "committer", "message");
        assertThat(json.readTree(get("/api/projects/" + projectId + "/branches").body())).hasSize(4);
    }

    @Test
    void aRefreshAfterNewCommitsAForcePushAndADeletedBranchLeavesExactlyTheNewSet() throws Exception {
        ServedRepository repository = repository("moving", 2000);
        UUID projectId = UUID.randomUUID();
        repository.addCommits("doomed", 3, repository.tip("main"));
        String base = repository.tip("feature/topic-2");
        repository.addCommits("feature/topic-2", 5);
        fetch(projectId, "moving");

        repository.addCommits("main", 10);
        repository.addCommits("feature/topic-2", 2, base);
        repository.deleteBranch("doomed");
        FetchSucceeded refreshed = fetch(projectId, "moving");

        assertThat(refreshed.newCommitCount()).isEqualTo(12);
        assertThat(refreshed.commitCount()).isEqualTo(repository.revListBranches().size());
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void longMessagesAreStoredCutAndFlagged() throws Exception {
        repository("wordy", 300);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "wordy");

        List<JsonNode> items = new ArrayList<>();
        json.readTree(get("/api/projects/" + projectId + "/commits?limit=100").body()).get("items").forEach(items::add);

        assertThat(items).filteredOn(item -> item.has("messageTruncated")).isNotEmpty()
                .allSatisfy(item -> assertThat(item.get("messageTruncated").asBoolean()).isTrue());
        assertThat(items).allSatisfy(item ->
                assertThat(item.get("message").asString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200));
    }

    /**
     * Issue 23, finding 9: a project's shard comes back to an instance whose mirror is older than
     * what was served meanwhile (fetched on another instance), and upstream dropped those commits
     * since. The refresh must still find what left every branch: the mirror lacks the served tips,
     * so it lists everything.
     */
    @Test
    void aRefreshFromAMirrorThatNeverSawTheServedTipsFindsWhatLeftEveryBranch() throws Exception {
        ServedRepository repository = repository("moved-shard", 500);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "moved-shard");
        Path mirror = mirrors.dirOf(urls.parse(SERVER.url("acme", "moved-shard")));
        Path older = tempDir("older-mirror").resolve("m.git");
        copyTree(mirror, older);
        repository.addCommits("side", 7, repository.tip("main"));
        assertThat(fetch(projectId, "moved-shard").commitCount()).isEqualTo(507); // served from "another instance"
        repository.deleteBranch("side");
        repository.git("reflog", "expire", "--expire=now", "--all");
        repository.git("gc", "-q", "--prune=now"); // gone upstream for good, as GitHub serves no unreachable commit
        io.commitviewer.common.git.FileTrees.deleteQuietly(mirror);
        copyTree(older, mirror); // this instance's mirror never saw side

        FetchSucceeded refreshed = fetch(projectId, "moved-shard");

        assertThat(refreshed.commitCount()).isEqualTo(500);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Process copy = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertThat(copy.waitFor()).isZero();
    }

    @Test
    void aFullListingAfterAnEvictionRemovesWhatLeftEveryBranch() throws Exception {
        ServedRepository repository = repository("evicted-moves", 1500);
        UUID projectId = UUID.randomUUID();
        String base = repository.tip("feature/topic-2");
        repository.addCommits("feature/topic-2", 30);
        fetch(projectId, "evicted-moves");
        repository.addCommits("feature/topic-2", 3, base); // force-push: 30 commits leave every branch
        repository.addCommits("main", 7);
        evictMirror("evicted-moves");

        FetchSucceeded refreshed = fetch(projectId, "evicted-moves");

        assertThat(refreshed.newCommitCount()).isEqualTo(10);
        assertThat(refreshed.commitCount()).isEqualTo(repository.revListBranches().size());
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }
}
