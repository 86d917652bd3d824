package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 26, ADR 0012: a project's first fetch shows its newest commits from a shallow clone while
 * the whole history is still coming — held here at the loopback server for as long as the test
 * wants — then the exact listing; a refresh never shows one, nor does a fetch that failed.
 */
@CommitServiceTestBase.CausesStatuses({200, 202, 409})
class FirstLookIT extends CommitServiceTestBase {

    @Test
    void aFirstFetchShowsItsNewestCommitsWhileTheCloneRunsThenTheExactListing() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "first-look");
        repository.load(SyntheticHistory.builder().commits(3000).branches(5).build());
        SERVER.holdFullFetches("acme", "first-look");
        // the progress events project-service would consume, read here from a queue of the test's own
        String progress = admin.declareQueue(new org.springframework.amqp.core.Queue("first-look-progress-" + UUID.randomUUID(), false, false, false));
        admin.declareBinding(new org.springframework.amqp.core.Binding(progress, org.springframework.amqp.core.Binding.DestinationType.QUEUE,
                io.commitviewer.common.events.AmqpNames.EXCHANGE, io.commitviewer.common.events.EventType.FETCH_PROGRESS.routingKey(), null));
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "first-look"), fetchId));
        List<String> newest = repository.revList("--branches", "-n", "100");

        HttpResponse<String> first = await().atMost(WAIT).until(() -> get("/api/projects/" + projectId + "/commits?limit=30"),
                response -> response.statusCode() == 200);
        JsonNode look = json.readTree(first.body());
        assertThat(look.get("complete").asBoolean()).isFalse();
        assertThat(look.get("totalCount").asLong()).isEqualTo(100); // what is known so far: a lower bound
        assertThat(look.get("nextCursor").isNull()).isTrue();
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(shas(look)).containsExactlyElementsOf(newest.subList(0, 30));
        for (JsonNode commit : look.get("items")) { // the shallow clone's boundary commits too: each with its own parents
            List<String> parents = new ArrayList<>();
            commit.get("parents").forEach(parent -> parents.add(parent.asString()));
            assertThat(String.join(" ", parents)).isEqualTo(repository.git("log", "-1", "--format=%P", commit.get("sha").asString()).strip());
        }
        assertThat(shas(json.readTree(get("/api/projects/" + projectId + "/commits?page=4&per_page=30").body())))
                .containsExactlyElementsOf(newest.subList(90, 100));
        // past it, filtered, or by cursor: the exact listing only, which is not there yet
        assertThat(get("/api/projects/" + projectId + "/commits?page=5&per_page=30").statusCode()).isEqualTo(202);
        assertThat(get("/api/projects/" + projectId + "/commits?q=fix").statusCode()).isEqualTo(202);
        assertThat(get("/api/projects/" + projectId + "/commits?branch=main").statusCode()).isEqualTo(202);
        // and project-service hears of it: the fetch's progress says a first look is served, while it still clones
        try {
            await().atMost(WAIT).until(() -> {
                org.springframework.amqp.core.Message message = rabbit.receive(progress, 200);
                return message != null && codec.fromMessage(message) instanceof io.commitviewer.common.events.FetchProgress event
                        && event.fetchId().equals(fetchId) && event.firstLook()
                        && event.phase() == io.commitviewer.common.events.FetchPhase.CLONING;
            });
        } finally {
            admin.deleteQueue(progress);
        }

        SERVER.releaseFullFetches("acme", "first-look");
        assertThat(results(fetchId).get(1)).isInstanceOf(FetchSucceeded.class);
        JsonNode exact = json.readTree(get("/api/projects/" + projectId + "/commits?limit=30").body());
        assertThat(exact.get("complete").asBoolean()).isTrue();
        assertThat(exact.get("totalCount").asLong()).isEqualTo(3000);
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aRefreshServesTheListingItReplacesUntilItCommitsNeverAFirstLook() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "refreshed-look");
        repository.load(SyntheticHistory.builder().commits(400).branches(3).build());
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "refreshed-look");
        List<String> before = repository.revListBranches();
        repository.addCommits("main", 5);
        SERVER.holdFullFetches("acme", "refreshed-look");
        int requests = SERVER.requestCount("acme", "refreshed-look");
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "refreshed-look"), fetchId));
        await().atMost(WAIT).until(() -> SERVER.requestCount("acme", "refreshed-look") >= requests + 2); // the held fetch came

        JsonNode served = json.readTree(get("/api/projects/" + projectId + "/commits?limit=100").body());
        assertThat(served.get("complete").asBoolean()).isTrue();
        assertThat(served.get("totalCount").asLong()).isEqualTo(400);
        assertThat(shas(served)).containsExactlyElementsOf(before.subList(0, 100));

        SERVER.releaseFullFetches("acme", "refreshed-look");
        assertThat(results(fetchId).get(1)).isInstanceOf(FetchSucceeded.class);
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aFirstLookOfAFetchThatFailedIsNeverShown() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "failed-look");
        repository.load(SyntheticHistory.builder().commits(600).branches(2).build());
        SERVER.holdFullFetches("acme", "failed-look");
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "failed-look"), fetchId));
        await().atMost(WAIT).until(() -> get("/api/projects/" + projectId + "/commits").statusCode() == 200);

        SERVER.makePrivate("acme", "failed-look"); // the clone's next request (its tags) is refused: the fetch cannot succeed
        SERVER.releaseFullFetches("acme", "failed-look");
        List<Event> events = results(fetchId);
        assertThat(events.get(events.size() - 1)).isInstanceOf(FetchFailed.class);
        HttpResponse<String> after = get("/api/projects/" + projectId + "/commits");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(409);
        assertThat(json.readTree(after.body()).get("type").asString()).isEqualTo("/problems/fetch-failed");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> get("/api/projects/" + projectId + "/commits").statusCode() == 409);
    }

    private static List<String> shas(JsonNode page) {
        List<String> shas = new ArrayList<>();
        page.get("items").forEach(item -> shas.add(item.get("sha").asString()));
        return shas;
    }
}
