package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Each branch lists exactly its {@code git log} (by cursor, by page, with the other filters, before
 * and after a refresh), a thousand branches are each counted as git counts them, and the commit
 * graph the listings read through is stored as deltas that read back exactly.
 */
@CommitServiceTestBase.CausesStatuses({200, 404})
class BranchesIT extends CommitServiceTestBase {

    /**
     * One branch's listing is exactly {@code git log NAME} (every ancestor, in the listing's
     * order), with its exact total and count, by cursor and by page, with the other filters; on
     * a history with merges, an octopus, 6 branches and 2 roots, before and after a refresh with
     * new commits, a force-push, a deleted branch and a new branch off an old commit.
     */
    @Test
    void eachBranchListsExactlyItsGitLogBeforeAndAfterARefresh() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "six-branches");
        SyntheticHistory.Summary summary = repository.load(SyntheticHistory.builder().commits(3000).branches(6).build());
        assertThat(summary.branches()).isEqualTo(6);
        assertThat(summary.roots()).isEqualTo(2);
        assertThat(summary.merges()).isGreaterThan(10);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "six-branches");
        assertEachBranchServesItsGitLog(projectId, repository);

        repository.addCommits("main", 10);
        repository.addCommits("feature/topic-3", 4, repository.revList("feature/topic-3").get(25)); // force-push
        repository.deleteBranch("feature/topic-4");
        repository.addCommits("hotfix/1.0", 3, repository.revList("main").get(1500)); // a new branch off an old commit
        fetch(projectId, "six-branches");

        assertThat(repository.branches()).containsKey("hotfix/1.0").doesNotContainKey("feature/topic-4");
        assertEachBranchServesItsGitLog(projectId, repository);
        HttpResponse<String> gone = get("/api/projects/" + projectId + "/commits?branch=feature/topic-4");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json.readTree(gone.body()).get("type").asString()).isEqualTo("/problems/branch-not-found");

        // the refresh stored a delta over the first fetch's graph; read back from the store alone, it is the same graph
        String id = projectId.toString();
        io.commitviewer.commit.project.ProjectState.Served served = states.find(id).orElseThrow().served();
        assertThat(store.graphs().read(id, served.branchGeneration()).orElseThrow().base()).as("a delta").isNotNull();
        io.commitviewer.commit.store.CommitGraph stored = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                .stored(id, served.branchGeneration()).orElseThrow();
        assertThat(stored.size()).isEqualTo(repository.revListBranches().size());
        // a generation without a stored graph (written before graphs) is served from its commits, cut to its tips
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.GRAPHS).deleteMany(com.mongodb.client.model.Filters.eq("projectId", id));
        assertThat(store.graphs().read(id, served.branchGeneration())).isEmpty();
        io.commitviewer.commit.store.CommitGraph rebuilt = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                .served(id, served.branchGeneration(), served.fetchId(), served.tips());
        assertThat(rebuilt.size()).isEqualTo(stored.size());
        for (int rank = 0; rank < stored.size(); rank += 97) {
            assertThat(rebuilt.sha(rank)).isEqualTo(stored.sha(rank));
            assertThat(rebuilt.reachable(rank)).isEqualTo(stored.reachable(rank));
        }
    }

    private void assertEachBranchServesItsGitLog(UUID projectId, ServedRepository repository) throws Exception {
        String base = "/api/projects/" + projectId;
        JsonNode branches = json.readTree(get(base + "/branches").body());
        List<String> names = new ArrayList<>();
        branches.forEach(branch -> names.add(branch.get("name").asString()));
        assertThat(names).containsExactlyElementsOf(repository.branches().keySet());
        for (JsonNode branch : branches) {
            String name = branch.get("name").asString();
            String query = "branch=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
            List<String> log = repository.revList(name);
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100, query)).as(name)
                    .containsExactlyElementsOf(log);
            assertThat(branch.get("commitCount").asLong()).as(name).isEqualTo(log.size());
            assertThat(json.readTree(get(base + "/commits?limit=1&" + query).body()).get("totalCount").asLong()).isEqualTo(log.size());
        }
        List<String> main = repository.revList("main");
        HttpResponse<String> third = get(base + "/commits?branch=main&page=3&per_page=40");
        List<String> shown = new ArrayList<>();
        json.readTree(third.body()).get("items").forEach(item -> shown.add(item.get("sha").asString()));
        assertThat(shown).containsExactlyElementsOf(main.subList(80, 120));
        assertThat(third.headers().firstValue("Link").orElseThrow()).contains("rel=\"first\"", "rel=\"prev\"", "rel=\"next\"",
                "rel=\"last\"").contains("branch=main");

        // with the author and date filters: git log's own view of the same branch, filtered the same way
        List<String[]> rows = new ArrayList<>();
        for (String line : repository.git("log", "--format=%H%x09%ct%x09%ae%x09%an", "feature/topic-2").split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        String author = rows.get(rows.size() / 3)[2];
        long since = Long.parseLong(rows.get(rows.size() * 3 / 4)[1]);
        long until = Long.parseLong(rows.get(rows.size() / 4)[1]);
        List<String> expected = rows.stream().filter(row -> row[2].equals(author) || row[3].equals(author))
                .filter(row -> Long.parseLong(row[1]) >= since && Long.parseLong(row[1]) <= until).map(row -> row[0]).toList();
        assertThat(expected).isNotEmpty();
        String filters = "branch=feature%2Ftopic-2&author=" + java.net.URLEncoder.encode(author, StandardCharsets.UTF_8)
                + "&since=" + java.time.Instant.ofEpochSecond(since) + "&until=" + java.time.Instant.ofEpochSecond(until);
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 7, filters)).containsExactlyElementsOf(expected);
        assertThat(json.readTree(get(base + "/commits?limit=1&" + filters).body()).get("totalCount").asLong()).isEqualTo(expected.size());
        HttpResponse<String> unknown = get(base + "/commits?branch=no-such-branch");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("type").asString()).isEqualTo("/problems/branch-not-found");
    }

    /**
     * A history with 1,000 branches: every branch is listed with the count of `git rev-list
     * --count NAME`, and a sample of them list exactly `git log NAME` (the time bounds are the
     * benchmark's: bench/run.sh --cases branches).
     */
    @Test
    void aThousandBranchesAreEachCountedAndListedAsGitDoes() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "thousand-branches");
        int created = repository.load(SyntheticHistory.builder().commits(4000).branches(1000).build()).branches();
        // feature branches that got no commit are not written: the rest are branches at older commits of main
        List<String> main = repository.revList("main");
        StringBuilder more = new StringBuilder();
        for (int i = created; i < 1000; i++) {
            more.append("create refs/heads/extra/").append(i).append(' ').append(main.get((i * 7) % main.size())).append('\n');
        }
        io.commitviewer.testsupport.GitCli.run(repository.dir(), more.toString().getBytes(StandardCharsets.UTF_8),
                List.of("update-ref", "--stdin"));
        assertThat(repository.branches()).hasSize(1000);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "thousand-branches");

        JsonNode branches = json.readTree(get("/api/projects/" + projectId + "/branches").body());
        Map<String, String> tips = repository.branches();
        assertThat(branches).hasSize(tips.size());
        StringBuilder countsOfGit = new StringBuilder();
        for (String name : tips.keySet()) {
            countsOfGit.append(name).append(' ').append(repository.revList("--count", name).get(0)).append('\n');
        }
        StringBuilder countsServed = new StringBuilder();
        for (JsonNode branch : branches) {
            countsServed.append(branch.get("name").asString()).append(' ').append(branch.get("commitCount").asLong()).append('\n');
        }
        assertThat(countsServed.toString()).isEqualTo(countsOfGit.toString());
        List<String> names = new ArrayList<>(tips.keySet());
        for (int i = 0; i < names.size(); i += 97) {
            String name = names.get(i);
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100,
                    "branch=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))).as(name)
                    .containsExactlyElementsOf(repository.revList(name));
        }
    }

    /** Refreshes store deltas until the chain is long, then the whole graph; each reads back exactly from the store. */
    @Test
    void refreshesStoreDeltasThenTheWholeGraphAgainAndEachReadsBackExactly() throws Exception {
        ServedRepository repository = repository("chained", 3000);
        UUID projectId = UUID.randomUUID();
        String id = projectId.toString();
        fetch(projectId, "chained");
        List<Integer> chainLengths = new ArrayList<>();
        for (int refresh = 0; refresh < 10; refresh++) {
            repository.addCommits(refresh % 2 == 0 ? "main" : "feature/topic-1", 2);
            fetch(projectId, "chained");
            String generation = states.find(id).orElseThrow().served().branchGeneration();
            chainLengths.add(store.graphs().read(id, generation).orElseThrow().chain().size());
            io.commitviewer.commit.store.CommitGraph read = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                    .stored(id, generation).orElseThrow();
            List<String> shas = new ArrayList<>();
            for (int rank = 0; rank < read.size(); rank++) {
                shas.add(read.sha(rank));
            }
            assertThat(shas).as("refresh %d", refresh).containsExactlyElementsOf(repository.revListBranches());
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, id, 100, "branch=main"))
                    .containsExactlyElementsOf(repository.revList("main"));
        }
        assertThat(chainLengths).as("deltas up to the longest chain, then whole again").containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 0, 1);
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.GRAPHS).distinct("generation",
                com.mongodb.client.model.Filters.eq("projectId", id), String.class).into(new ArrayList<>()))
                .as("only the served graph and those it builds on are kept")
                .hasSize(chainLengths.get(chainLengths.size() - 1) + 1);
    }
}
