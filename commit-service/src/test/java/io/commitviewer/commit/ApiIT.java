package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.testsupport.ServedRepository;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP API over the stored commits: what it answers for unknown, pending and missing things and
 * for projects this store does not hold (as project-service knows them), bad input, pages by number
 * and a cursor walk while commits arrive, tags and 304s, the OpenAPI document, and health and
 * metrics on the management port.
 */
@CommitServiceTestBase.CausesStatuses({200, 202, 304, 400, 404, 409, 503})
class ApiIT extends CommitServiceTestBase {

    @org.springframework.boot.test.web.server.LocalManagementPort
    int managementPort;

    @Test
    void theApiAnswersForUnknownPendingAndMissingThings() throws Exception {
        UUID unknown = UUID.randomUUID();
        HttpResponse<String> notFound = get("/api/projects/" + unknown + "/commits");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(json.readTree(notFound.body()).get("type").asString()).isEqualTo("/problems/project-not-found");

        ServedRepository repository = repository("api", 120);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "api");
        String sha = repository.revListBranches().get(5);

        JsonNode commit = json.readTree(get("/api/projects/" + projectId + "/commits/" + sha).body());
        assertThat(commit.get("sha").asString()).isEqualTo(sha);
        assertThat(get("/api/projects/" + projectId + "/commits/" + "0".repeat(40)).statusCode()).isEqualTo(404);
        assertThat(get("/api/projects/" + projectId + "/commits/nothex").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?cursor=bogus").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?since=yesterday").statusCode()).isEqualTo(400);

        HttpResponse<String> paged = get("/api/projects/" + projectId + "/commits?page=2&per_page=50");
        assertThat(json.readTree(paged.body()).get("items")).hasSize(50);
        assertThat(json.readTree(paged.body()).get("items").get(0).get("sha").asString())
                .isEqualTo(repository.revListBranches().get(50));
        assertThat(paged.headers().firstValue("Link")).hasValueSatisfying(link -> assertThat(link).contains("page=3"));
        String author = commit.get("author").get("email").asString();
        JsonNode byAuthor = json.readTree(get("/api/projects/" + projectId + "/commits?limit=100&author=" + author).body());
        assertThat(byAuthor.get("items")).allSatisfy(item -> assertThat(item.get("author").get("email").asString()).isEqualTo(author));
        assertThat(byAuthor.get("totalCount").asLong()).isLessThan(120).isEqualTo(byAuthor.get("items").size());
        String name = commit.get("author").get("name").asString();
        JsonNode byName = json.readTree(get("/api/projects/" + projectId + "/commits?limit=100&author="
                + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)).body());
        assertThat(byName.get("items")).isNotEmpty()
                .allSatisfy(item -> assertThat(item.get("author").get("name").asString()).isEqualTo(name));
        // searches read through the graph (ADR 0011): the author indexes of the versions before are gone
        assertThat(store.commits().indexNames()).contains("project_committedAt_id").doesNotContain("project_authorEmail_committedAt_id",
                "project_authorName_committedAt_id", "project_authorEmail_committedAt");

        // pages by number reach max-page-offset (50,000) deep, then point to the cursor
        assertThat(get("/api/projects/" + projectId + "/commits?page=1001&per_page=50").statusCode()).isEqualTo(200);
        HttpResponse<String> tooDeep = get("/api/projects/" + projectId + "/commits?page=1002&per_page=50");
        assertThat(tooDeep.statusCode()).isEqualTo(400);
        JsonNode problem = json.readTree(tooDeep.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems/page-too-deep");
        assertThat(problem.get("cursorListing").asString()).isEqualTo("/api/projects/" + projectId + "/commits?limit=50");
        HttpResponse<String> farFuture = get("/api/projects/" + projectId + "/commits?since=%2B1000000000-01-01T00:00:00Z");
        assertThat(farFuture.statusCode()).as(farFuture.body()).isEqualTo(400);
    }

    @Test
    void aProjectThisStoreDoesNotHoldIsAnsweredAsProjectServiceKnowsItNever404() throws Exception {
        String queued = UUID.randomUUID().toString();
        String lost = UUID.randomUUID().toString();
        String failed = UUID.randomUUID().toString();
        String unanswered = UUID.randomUUID().toString();
        KNOWN_PROJECTS.put(queued, "{\"status\":\"QUEUED\",\"statusReason\":\"CREATED\",\"lastFetchedAt\":null,\"lastError\":null}");
        KNOWN_PROJECTS.put(lost, "{\"status\":\"READY\",\"statusReason\":null,\"lastFetchedAt\":\"2026-11-30T10:00:00Z\",\"lastError\":null}");
        KNOWN_PROJECTS.put(failed, "{\"status\":\"FAILED\",\"lastFetchedAt\":null,"
                + "\"lastError\":{\"reason\":\"REPOSITORY_NOT_FOUND\",\"message\":\"not found\"}}");
        KNOWN_PROJECTS.put(unanswered, "broken");

        HttpResponse<String> pending = get("/api/projects/" + queued + "/commits");
        HttpResponse<String> recovering = get("/api/projects/" + lost + "/branches");
        HttpResponse<String> neverFetched = get("/api/projects/" + failed + "/commits");
        HttpResponse<String> unknownAnswer = get("/api/projects/" + unanswered + "/commits");

        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("Retry-After")).isPresent();
        assertThat(json.readTree(pending.body()).get("status").asString()).isEqualTo("QUEUED");
        assertThat(recovering.statusCode()).isEqualTo(202);
        assertThat(json.readTree(recovering.body()).get("message").asString()).contains("fetched again");
        assertThat(neverFetched.statusCode()).isEqualTo(409);
        assertThat(json.readTree(neverFetched.body()).get("reason").asString()).isEqualTo("REPOSITORY_NOT_FOUND");
        assertThat(unknownAnswer.statusCode()).isEqualTo(503);
        assertThat(unknownAnswer.headers().firstValue("Retry-After")).isPresent();
        assertThat(json.readTree(unknownAnswer.body()).get("type").asString()).isEqualTo("/problems/project-service-unavailable");
    }

    /**
     * Pages (by cursor, by number, of a branch), one commit and the branches answer If-None-Match
     * with 304; a page's tag stays through a refresh that changes nothing and changes after one
     * that changes the page. A project whose first fetch runs gets neither a tag nor a cache.
     */
    @Test
    void readsCarryTagsAnd304sThatChangeExactlyWhenAFetchChangesThem() throws Exception {
        ServedRepository repository = repository("tagged", 400);
        UUID projectId = UUID.randomUUID();
        String base = "/api/projects/" + projectId;
        KNOWN_PROJECTS.put(projectId.toString(),
                "{\"status\":\"QUEUED\",\"statusReason\":\"CREATED\",\"lastFetchedAt\":null,\"lastError\":null}");
        HttpResponse<String> pending = get(base + "/commits");
        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("ETag")).isEmpty();
        assertThat(pending.headers().firstValue("Cache-Control")).hasValue("no-store");
        fetch(projectId, "tagged");

        String sha = repository.revListBranches().get(7);
        List<String> paths = List.of(base + "/commits?limit=20", base + "/commits?page=2&per_page=30",
                base + "/commits?branch=main&limit=10", base + "/branches");
        List<String> tags = new ArrayList<>();
        for (String path : paths) {
            tags.add(revalidated(path, "public, no-cache"));
        }
        String commitTag = revalidated(base + "/commits/" + sha, "max-age=86400, public");

        // a page's tag is made from what the generation shows and the request: a client holding it costs no commit read
        double commitReads = commitReads();
        assertThat(commitReads).as("the driver's command metrics count the commits read so far").isPositive();
        for (int i = 0; i < 3; i++) {
            assertThat(get(paths.get(i), "W/" + tags.get(i)).statusCode()).as(paths.get(i) + ", weakened by a gateway's gzip")
                    .isEqualTo(304);
        }
        assertThat(commitReads()).as("commit reads for three 304s").isEqualTo(commitReads);
        assertThat(get(paths.get(0) + "&q=x", tags.get(0)).statusCode()).as("another listing's tag").isEqualTo(200);

        fetch(projectId, "tagged"); // nothing changed upstream
        for (int i = 0; i < paths.size(); i++) {
            assertThat(get(paths.get(i), tags.get(i)).statusCode()).as(paths.get(i) + " after a refresh that changed nothing")
                    .isEqualTo(304);
        }

        repository.addCommits("main", 3);
        fetch(projectId, "tagged");
        for (int i = 0; i < paths.size(); i++) {
            HttpResponse<String> changed = get(paths.get(i), tags.get(i));
            assertThat(changed.statusCode()).as(paths.get(i) + " after a refresh that changed it").isEqualTo(200);
            assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(tags.get(i));
        }
        assertThat(get(base + "/commits/" + sha, commitTag).statusCode()).as("a commit does not change").isEqualTo(304);
    }

    /** Commands the driver sent to the commits collection (Micrometer's MongoDB command metrics). */
    private double commitReads() {
        return meters.find("mongodb.driver.commands").tag("collection", "commits").timers().stream().mapToDouble(t -> t.count()).sum();
    }

    private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("If-None-Match", ifNoneMatch)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The resource's tag, after checking that asking with it again is a 304 without a body. */
    private String revalidated(String path, String cacheControl) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue(cacheControl);
        String tag = response.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag on " + path));
        HttpResponse<String> again = get(path, tag);
        assertThat(again.statusCode()).as(path).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(tag);
        assertThat(get(path, "W/" + tag).statusCode()).as("weak comparison: the gateway's gzip weakens tags").isEqualTo(304);
        assertThat(get(path, "\"something-else\"").statusCode()).isEqualTo(200);
        return tag;
    }

    @Test
    void aCursorWalkNeverRepeatsOrSkipsACommitWhileCommitsArrive() throws Exception {
        ServedRepository repository = repository("walk", 1000);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "walk");
        List<String> original = repository.revListBranches();
        // between pages, commits arrive with dates newer than everything, older than everything and
        // equal to the date of the page boundary (the sha tie-break decides their place)
        List<String> shas = new ArrayList<>();
        String cursor = null;
        int round = 0;
        do {
            HttpResponse<String> response = get("/api/projects/" + projectId + "/commits?limit=37"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            JsonNode page = json.readTree(response.body());
            page.get("items").forEach(item -> shas.add(item.get("sha").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            if (cursor != null) {
                JsonNode last = page.get("items").get(page.get("items").size() - 1);
                java.time.OffsetDateTime boundary = java.time.OffsetDateTime.parse(last.get("committer").get("date").asString());
                store.commits().insert(List.of(
                        io.commitviewer.commit.store.Commits.toDocument(projectId.toString(), fakeCommit(round, "a", boundary.plusYears(5))),
                        io.commitviewer.commit.store.Commits.toDocument(projectId.toString(), fakeCommit(round, "b", boundary.minusYears(30))),
                        io.commitviewer.commit.store.Commits.toDocument(projectId.toString(), fakeCommit(round, "c", boundary))));
            }
            round++;
        } while (cursor != null);

        assertThat(shas).doesNotHaveDuplicates();
        assertThat(shas).containsAll(original);
        // the original commits come in their order, whatever arrived in between
        assertThat(shas.stream().filter(original::contains).toList()).containsExactlyElementsOf(original);
    }

    private static io.commitviewer.common.git.GitCommit fakeCommit(int round, String kind, java.time.OffsetDateTime date) {
        String sha = String.format("%039x%s", round, kind.equals("a") ? "a" : kind.equals("b") ? "b" : "c");
        io.commitviewer.common.git.Signature who = new io.commitviewer.common.git.Signature("Late Arrival", "late@example.com", date);
        return new io.commitviewer.common.git.GitCommit(sha, List.of(), who, who, "arrived during the walk " + round + kind, java.util.Set.of(), java.util.Set.of());
    }

    @Test
    void theOpenApiDocumentDescribesTheCommitsApiAndIsTheCommittedOne() throws Exception {
        String served = get("/v3/api-docs").body();
        assertThat(io.commitviewer.testsupport.OpenApiDocuments.compare(served, COMMITTED_DOCUMENT)).isEmpty();
        JsonNode paths = json.readTree(served).get("paths");
        assertThat(paths.propertyNames()).contains("/api/projects/{id}/commits", "/api/projects/{id}/commits/{sha}",
                "/api/projects/{id}/branches");
        assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    }

    @Test
    void healthAndMetricsAreOnTheManagementPort() throws Exception {
        repository("metrics", 30);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "metrics");
        get("/api/projects/" + projectId + "/commits");
        assertThat(get("/actuator/health").statusCode()).isEqualTo(404);

        String health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(json.readTree(health).get("status").asString()).isEqualTo("UP");
        assertThat(json.readTree(health).get("components").propertyNames()).contains("mongo", "rabbit", "git", "mirrorCache");
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("commitviewer_git_command_duration_seconds_count{application=\"commit-service\",command=\"clone\",outcome=\"ok\"}")
                .contains("commitviewer_fetch_duration_seconds_bucket", "outcome=\"succeeded\"")
                .contains("commitviewer_commits_ingested_total", "commitviewer_mirror_cache_size_bytes",
                        "commitviewer_mirror_cache_evictions_total", "commitviewer_fetches_in_flight",
                        "process_memory_rss_bytes{application=\"commit-service\"}", "process_memory_rss_peak_bytes")
                .contains("http_server_requests_seconds_bucket{application=\"commit-service\"", "le=\"0.25\""));
    }
}
