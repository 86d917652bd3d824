package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.project.access.ApiKeys;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Keys, quotas, coalesced refreshes and admission on the running service with real PostgreSQL
 * and RabbitMQ. No commit-service runs here: a fetch stays queued until a test publishes its result.
 */
class ProjectServiceLimitsIT extends ProjectServiceTestBase {

    static final String ALICE = "cv_alice-token-for-the-limits-test-0123456789";
    static final String BOB = "cv_bob-token-for-the-limits-test-0123456789ab";
    static final String OPS = "cv_ops-token-for-the-limits-test-0123456789ab";

    @DynamicPropertySource
    static void limits(DynamicPropertyRegistry registry) {
        registry.add("commitviewer.access.keys", () -> "alice:" + ApiKeys.hash(ALICE) + ",bob:" + ApiKeys.hash(BOB)
                + ",ops:" + ApiKeys.hash(OPS) + ":admin");
        registry.add("commitviewer.quotas.projects-per-key", () -> "3");
        registry.add("commitviewer.quotas.refreshes-per-key-per-hour", () -> "2");
        registry.add("commitviewer.quotas.concurrent-fetches-per-key", () -> "2");
        registry.add("commitviewer.quotas.creates-per-key-per-hour", () -> "4");
        registry.add("commitviewer.admission.max-queued-fetches", () -> "4");
        registry.add("commitviewer.admission.count-interval", () -> "100ms");
        registry.add("commitviewer.fetch.min-refresh-interval", () -> "1h");
    }

    /** After the state is cleared: admission counts the queue again before a test adds to it. */
    @BeforeEach
    void queueCountedEmpty() {
        awaitQueuedGauge(0);
    }

    private Response create(String name, String token) throws Exception {
        return send("POST", "/api/projects", "{\"url\":\"https://github.com/acme/" + name + "\"}", token);
    }

    /** Ends the project's current fetch with a success, as commit-service would, and waits for READY. */
    private void succeed(UUID project, UUID fetch) {
        publish(succeeded(project, fetch, 10, 10, 1, 100));
        await().atMost(WAIT).until(() -> project(project).get("status").asString().equals("READY"));
    }

    /** Moves the last fetch's end an hour and more into the past, past the minimum refresh interval. */
    private void endedLongAgo(UUID project) {
        jdbc.update("UPDATE fetches SET finished_at = finished_at - interval '2 hours' WHERE project_id = ?", project);
    }

    private void awaitQueuedGauge(int expected) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(management("/actuator/prometheus"))
                .containsPattern("commitviewer_fetches_queued\\{[^}]*\\} " + expected + ".0"));
    }

    private static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
                value -> assertThat(value).startsWith("application/problem+json"));
        assertThat(response.body().get("type").asString()).isEqualTo(type);
    }

    /**
     * Issue 24, finding 1: adding and deleting one repository again and again used to void every
     * quota (a deleted project's fetches went with it, and nothing counted adds). The key's ledger
     * keeps both: fetches of deleted projects count as in progress until commit-service reports them,
     * and every add counts toward the hour's creates — 50 add/delete cycles start 4 fetches (clones).
     */
    @Test
    void addAndDeleteChurnStartsAtMostTheKeysHourlyCreates() throws Exception {
        List<UUID> fetches = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Response created = create("churn", BOB);
            assertThat(created.status()).as(created.raw().body()).isEqualTo(202);
            fetches.add(fetchId(created));
            assertThat(send("DELETE", "/api/projects/" + id(created), null, BOB).status()).isEqualTo(204);
        }
        Response third = create("churn", BOB);
        assertProblem(third, 429, "/problems/quota-exceeded");
        assertThat(third.body().get("limit").asString()).as("the deleted projects' fetches still run").isEqualTo("concurrent-fetches-per-key");

        int accepted = 2;
        Response last = third;
        for (int cycle = 3; cycle <= 50; cycle++) {
            for (UUID fetch : fetches) { // commit-service reports what it skipped: those fetches no longer count as in progress
                publish(new io.commitviewer.common.events.FetchFailed(UUID.randomUUID(), java.time.Instant.now(), UUID.randomUUID(), fetch,
                        io.commitviewer.common.git.FailureReason.PROJECT_DELETED, "the project was deleted before its fetch started", false));
            }
            await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM key_fetches WHERE ended_at IS NULL", Long.class) == 0);
            fetches.clear();
            last = create("churn", BOB);
            if (last.status() == 202) {
                accepted++;
                fetches.add(fetchId(last));
                assertThat(send("DELETE", "/api/projects/" + id(last), null, BOB).status()).isEqualTo(204);
            } else {
                assertProblem(last, 429, "/problems/quota-exceeded");
                assertThat(last.body().get("limit").asString()).isEqualTo("creates-per-key-per-hour");
            }
        }

        assertThat(accepted).isEqualTo(4);
        assertThat(last.raw().headers().firstValue("RateLimit")).hasValueSatisfying(
                state -> assertThat(state).matches("\"creates-per-key-per-hour\";r=0;t=3[0-9]{3}"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM key_fetches WHERE key_name = 'bob'", Long.class)).isEqualTo(4);
    }

    /**
     * Issue 24, finding 1: a key's creates pass the quota check one at a time (an advisory lock per
     * key), so that parallel requests cannot all see the same count: 8 at once, 2 concurrent fetches
     * allowed, 2 accepted.
     */
    @Test
    void parallelCreatesOfOneKeyAreCheckedOneAtATime() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "parallel-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return create(name, BOB);
                }));
            }
            start.countDown();
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get().status());
            }

            assertThat(statuses).filteredOn(status -> status == 202).hasSize(2);
            assertThat(statuses).filteredOn(status -> status == 429).hasSize(6);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM key_fetches WHERE key_name = 'bob'", Long.class)).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writesNeedAKeyAndReadsDoNot() throws Exception {
        Response anonymous = create("anonymous", null);
        assertProblem(anonymous, 401, "/problems/unauthorized");
        assertThat(anonymous.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertProblem(create("anonymous", "cv_not-a-key-of-this-service-0123456789abcdef"), 401, "/problems/unauthorized");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects", Long.class)).isZero();

        Response created = create("widget", ALICE);
        assertThat(created.status()).isEqualTo(202);
        UUID id = id(created);
        assertProblem(send("POST", "/api/projects/" + id + "/refresh", null, null), 401, "/problems/unauthorized");
        assertProblem(send("DELETE", "/api/projects/" + id, null, null), 401, "/problems/unauthorized");

        assertThat(get("/api/projects").status()).isEqualTo(200);
        assertThat(get("/api/projects/" + id).status()).isEqualTo(200);
        assertThat(management("/actuator/info")).contains("\"mode\":\"api-keys\"");
        assertThat(management("/actuator/prometheus"))
                .containsPattern("commitviewer_api_key_requests_total\\{[^}]*key=\"alice\"[^}]*\\} [1-9]");
    }

    @Test
    void aKeyOverItsProjectOrConcurrencyQuotaIsRefusedWithRetryAfter() throws Exception {
        Response first = create("one", ALICE);
        Response second = create("two", ALICE);
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);

        Response third = create("three", ALICE);
        assertProblem(third, 429, "/problems/quota-exceeded");
        assertThat(third.body().get("limit").asString()).isEqualTo("concurrent-fetches-per-key");
        assertThat(third.body().get("value").asLong()).isEqualTo(2);
        assertThat(third.raw().headers().firstValue("Retry-After")).hasValue("30");
        assertThat(create("three", BOB).status()).as("another key has its own quota").isEqualTo(202);
        assertThat(create("one", BOB).status()).as("a repository already there is answered, whoever asks").isEqualTo(200);

        succeed(id(first), fetchId(first));
        succeed(id(second), fetchId(second));
        Response fourth = create("four", ALICE);
        assertThat(fourth.status()).isEqualTo(202);
        succeed(id(fourth), fetchId(fourth));

        Response fifth = create("five", ALICE);
        assertProblem(fifth, 429, "/problems/quota-exceeded");
        assertThat(fifth.body().get("limit").asString()).isEqualTo("projects-per-key");
        assertThat(fifth.body().get("detail").asString()).contains("3 projects");
        assertThat(fifth.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects WHERE owner_key = 'alice'", Long.class)).isEqualTo(3);

        assertThat(send("DELETE", "/api/projects/" + id(first), null, ALICE).status()).isEqualTo(204);
        assertThat(create("five", ALICE).status()).as("a deleted project frees its place").isEqualTo(202);
        assertThat(management("/actuator/prometheus")).containsPattern(
                "commitviewer_limits_refusals_total\\{[^}]*key=\"alice\",limit=\"projects-per-key\"[^}]*\\} 1.0");
    }

    @Test
    void aRefreshSoonAfterAFetchCoalescesAndRefreshesCountAgainstTheHourlyQuota() throws Exception {
        Response created = create("refreshed", ALICE);
        UUID id = id(created);
        succeed(id, fetchId(created));
        long published = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, Duration.ofSeconds(2)).size();
        assertThat(published).isEqualTo(1);

        Response soon = send("POST", "/api/projects/" + id + "/refresh", null, ALICE);
        assertThat(soon.status()).isEqualTo(200);
        assertThat(fetchId(soon)).as("the fetch that just ended, not a new one").isEqualTo(fetchId(created));
        assertThat(Long.parseLong(soon.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(3500L, 3601L);

        for (int i = 0; i < 2; i++) {
            endedLongAgo(id);
            Response refreshed = send("POST", "/api/projects/" + id + "/refresh", null, ALICE);
            assertThat(refreshed.status()).isEqualTo(202);
            succeed(id, fetchId(refreshed));
        }
        endedLongAgo(id);
        Response overQuota = send("POST", "/api/projects/" + id + "/refresh", null, ALICE);
        assertProblem(overQuota, 429, "/problems/quota-exceeded");
        assertThat(overQuota.body().get("limit").asString()).isEqualTo("refreshes-per-key-per-hour");
        long retryAfter = Long.parseLong(overQuota.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).as("until the oldest refresh of the hour leaves it").isBetween(3500L, 3600L);

        Response byBob = send("POST", "/api/projects/" + id + "/refresh", null, BOB);
        assertThat(byBob.status()).as("any key may refresh any project, on its own quota").isEqualTo(202);
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, Duration.ofSeconds(5))).as("two refreshes of alice, one of bob")
                .hasSize(3);
    }

    @Test
    void onlyTheKeyThatAddedAProjectOrAnAdminDeletesIt() throws Exception {
        UUID id = id(create("owned", ALICE));
        assertProblem(send("DELETE", "/api/projects/" + id, null, BOB), 403, "/problems/forbidden");
        assertThat(get("/api/projects/" + id).status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/projects/" + id, null, OPS).status()).isEqualTo(204);
        assertThat(get("/api/projects/" + id).status()).isEqualTo(404);

        UUID another = id(create("another", ALICE));
        assertThat(send("DELETE", "/api/projects/" + another, null, ALICE).status()).isEqualTo(204);
    }

    /** Issue 23, finding 10: the superseded fetch ends (it stayed QUEUED for good). */
    @Test
    void aStaleFetchThatARefreshSupersededEndsAndNoLongerCountsAsQueued() throws Exception {
        Response created = create("stale", ALICE);
        awaitQueuedGauge(1);
        // its request was lost: after stale-after (30 min) a refresh queues a new fetch and ends the old one
        jdbc.update("UPDATE fetches SET requested_at = requested_at - interval '1 hour' WHERE id = ?", fetchId(created));
        Response refreshed = send("POST", "/api/projects/" + id(created) + "/refresh", null, ALICE);
        assertThat(fetchId(refreshed)).isNotEqualTo(fetchId(created));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM fetches WHERE status = 'QUEUED'", Long.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status || ' ' || error_reason || ' ' || error_message FROM fetches WHERE id = ?",
                String.class, fetchId(created))).isEqualTo("FAILED TIMEOUT no result within PT30M; superseded by fetch " + fetchId(refreshed));

        await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> assertThat(management("/actuator/prometheus"))
                .containsPattern("commitviewer_fetches_queued\\{[^}]*\\} 1.0"));
    }

    /**
     * Issue 23, finding 10: projects whose requests were lost stay QUEUED; once stale they no
     * longer fill the queued-fetch bound, so new projects and the refreshes that replace them are
     * admitted.
     */
    @Test
    void projectsWhoseRequestsWereLostStopCountingTowardTheQueuedBoundOnceStale() throws Exception {
        List<Response> lost = new java.util.ArrayList<>();
        for (String name : List.of("lost1", "lost2", "lost3", "lost4")) {
            lost.add(create(name, name.endsWith("1") || name.endsWith("2") ? ALICE : BOB));
        }
        awaitQueuedGauge(4);
        assertProblem(create("refused-while-fresh", OPS), 503, "/problems/overloaded");

        jdbc.update("UPDATE fetches SET requested_at = requested_at - interval '1 hour'");
        jdbc.update("UPDATE key_fetches SET requested_at = requested_at - interval '1 hour'"); // their keys' ledger: stale too
        awaitQueuedGauge(0);

        assertThat(create("admitted", OPS).status()).isEqualTo(202);
        assertThat(send("POST", "/api/projects/" + id(lost.get(0)) + "/refresh", null, ALICE).status()).isEqualTo(202);
    }

    @Test
    void overTheQueuedFetchBoundNewFetchesAreRefusedWith503UntilTheQueueDrains() throws Exception {
        double refusedBefore = queuedBoundRefusals();
        Response a1 = create("a1", ALICE);
        create("a2", ALICE);
        create("b1", BOB);
        create("b2", BOB);
        awaitQueuedGauge(4);

        Response refused = create("o1", OPS);
        assertProblem(refused, 503, "/problems/overloaded");
        assertThat(refused.body().get("limit").asString()).isEqualTo("max-queued-fetches");
        assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("30");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM fetches WHERE status = 'QUEUED'", Long.class))
                .as("the queue stays at its bound").isEqualTo(4);

        succeed(id(a1), fetchId(a1));
        awaitQueuedGauge(3);
        assertThat(create("o1", OPS).status()).isEqualTo(202);
        assertThat(queuedBoundRefusals()).isEqualTo(refusedBefore + 1);
    }

    /** The refusals counted for the queued-fetch bound so far (other tests of this class refuse too). */
    private double queuedBoundRefusals() throws Exception {
        java.util.regex.Matcher value = java.util.regex.Pattern.compile(
                "commitviewer_limits_refusals_total\\{[^}]*key=\"all\",limit=\"max-queued-fetches\"[^}]*\\} ([0-9.]+)")
                .matcher(management("/actuator/prometheus"));
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }
}
