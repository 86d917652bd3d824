package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.SyntheticHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stack of {@code scripts/run-local.sh} with API keys and small limits, driven through the
 * gateway as an abuser would: writes without a key, a key over its quotas, another key's
 * projects, the service over its admission bound (commit-service stopped, so fetches stay queued:
 * the queue and the outbox stay bounded), and a client over the gateway's rate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseIT {

    private static final String GATEWAY = "http://127.0.0.1:8080";
    private static final String PROJECT_SERVICE_METRICS = "http://127.0.0.1:9081/actuator/prometheus";
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String ALICE = "cv_alice-token-for-the-abuse-test-000000000000";
    private static final String BOB = "cv_bob-token-for-the-abuse-test-0000000000000";
    private static final String OPS = "cv_ops-token-for-the-abuse-test-0000000000000";
    private static final String CAROL = "cv_carol-token-for-the-abuse-test-00000000000";
    private static final String COMMIT_SERVICE_METRICS = "http://127.0.0.1:9082/actuator/prometheus";
    private static final int CREATES_PER_HOUR = 4;
    private static final int MAX_QUEUED = 3;
    private static final int STREAMS_PER_ADDRESS = 5;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private GitHttpServer server;
    private PrivateCheckout checkout;
    private final List<String> aliceProjects = new ArrayList<>();

    @BeforeAll
    void startStack() throws Exception {
        server = GitHttpServer.start(Files.createTempDirectory("abuse-served"));
        for (int i = 0; i < 30; i++) {
            server.repository("abuse", "repo-" + i).load(SyntheticHistory.builder().commits(20).branches(1).build());
        }
        server.repository("abuse", "large").load(SyntheticHistory.builder().commits(5_000).branches(4).build());
        Map<String, String> environment = new LinkedHashMap<>(PrivateCheckout.infraPorts(27_000));
        environment.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
        environment.put("COMMITVIEWER_ACCESS_KEYS", "alice:" + PrivateCheckout.sha256(ALICE) + ",bob:" + PrivateCheckout.sha256(BOB) + ",ops:" + PrivateCheckout.sha256(OPS) + ":admin,carol:" + PrivateCheckout.sha256(CAROL));
        environment.put("COMMITVIEWER_QUOTAS_CREATES_PER_KEY_PER_HOUR", Integer.toString(CREATES_PER_HOUR));
        environment.put("COMMITVIEWER_QUOTAS_PROJECTS_PER_KEY", "2");
        environment.put("COMMITVIEWER_QUOTAS_REFRESHES_PER_KEY_PER_HOUR", "1");
        environment.put("COMMITVIEWER_QUOTAS_CONCURRENT_FETCHES_PER_KEY", "10");
        environment.put("COMMITVIEWER_ADMISSION_MAX_QUEUED_FETCHES", Integer.toString(MAX_QUEUED));
        environment.put("COMMITVIEWER_FETCH_MIN_REFRESH_INTERVAL", "0s");
        environment.put("COMMITVIEWER_GATEWAY_READS_PER_SECOND", "20");
        environment.put("COMMITVIEWER_GATEWAY_READS_BURST", "40");
        environment.put("COMMITVIEWER_GATEWAY_WRITES_PER_SECOND", "100");
        environment.put("COMMITVIEWER_GATEWAY_WRITES_BURST", "100");
        environment.put("COMMITVIEWER_GATEWAY_STREAMS_PER_ADDRESS", Integer.toString(STREAMS_PER_ADDRESS));
        checkout = PrivateCheckout.startStack("abuse checkout", environment, Path.of("target/run-local-abuse.log"));
    }

    @AfterAll
    void stopStack() throws Exception {
        PrivateCheckout.tearDown(checkout, server, null);
    }

    @Test
    @Order(1)
    void writesWithoutAKeyOrWithAWrongOneAre401AndReadsNeedNone() throws Exception {
        HttpResponse<String> anonymous = post("/api/projects", body(0), null);
        HttpResponse<String> wrong = post("/api/projects", body(0), "cv_not-a-key");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"commit-viewer\"");
        assertThat(json.readTree(anonymous.body()).get("type").asString()).isEqualTo("/problems/unauthorized");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(get("/api/projects").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aKeyOverItsProjectQuotaGets429WithRetryAfter() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> created = post("/api/projects", body(i), ALICE);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            aliceProjects.add(json.readTree(created.body()).get("id").asString());
        }

        HttpResponse<String> third = post("/api/projects", body(2), ALICE);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = json.readTree(third.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems/quota-exceeded");
        assertThat(problem.get("limit").asString()).isEqualTo("projects-per-key");
        assertThat(post("/api/projects", body(0), ALICE).statusCode()).as("a repository already there is answered").isEqualTo(200);
    }

    @Test
    @Order(3)
    void anyKeyMayRefreshButOnlyTheOwnerOrAnAdminKeyMayDelete() throws Exception {
        String project = aliceProjects.get(0);
        awaitReady(project);

        assertThat(post("/api/projects/" + project + "/refresh", "", BOB).statusCode()).isEqualTo(202);
        HttpResponse<String> forbidden = delete("/api/projects/" + aliceProjects.get(1), BOB);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json.readTree(forbidden.body()).get("type").asString()).isEqualTo("/problems/forbidden");
        assertThat(get("/api/projects/" + aliceProjects.get(1)).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aKeyOverItsRefreshQuotaGets429UntilItsOldestRefreshIsAnHourOld() throws Exception {
        String project = aliceProjects.get(1);
        awaitReady(project);
        HttpResponse<String> first = post("/api/projects/" + project + "/refresh", "", ALICE);
        assertThat(first.statusCode()).isEqualTo(202);
        // what is left of the quota, in the IETF RateLimit fields: nothing, for an hour (issue 24, finding 5)
        assertThat(first.headers().allValues("RateLimit-Policy")).contains("\"refreshes-per-key-per-hour\";q=1;w=3600");
        assertThat(first.headers().firstValue("RateLimit")).hasValueSatisfying(
                state -> assertThat(state).matches("\"refreshes-per-key-per-hour\";r=0;t=3[0-9]{3}"));
        awaitReady(project);

        HttpResponse<String> second = post("/api/projects/" + project + "/refresh", "", ALICE);

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(json.readTree(second.body()).get("limit").asString()).isEqualTo("refreshes-per-key-per-hour");
        long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(3_000L, 3_600L);
        assertThat(second.headers().firstValue("RateLimit")).hasValueSatisfying(
                state -> assertThat(state).matches("\"refreshes-per-key-per-hour\";r=0;t=3[0-9]{3}"));
    }

    @Test
    @Order(5)
    void overTheAdmissionBoundNewProjectsGet503AndTheQueueAndOutboxStayBounded() throws Exception {
        for (String project : aliceProjects) {
            awaitReady(project);
        }
        await().atMost(WAIT).until(() -> metric("commitviewer_fetches_queued") == 0);
        // no consumer: every fetch stays queued
        long pid = Long.parseLong(Files.readString(checkout.stackState().resolve("commit-service.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).isEmpty());
        int accepted = 0;
        String queued = null;
        List<Integer> refusals = new ArrayList<>();
        for (int i = 10; i < 30; i++) {
            // two keys, two projects each by quota: the admission bound (3) is met first
            HttpResponse<String> created = post("/api/projects", body(i), i % 2 == 0 ? BOB : OPS);
            if (created.statusCode() == 202) {
                accepted++;
                queued = json.readTree(created.body()).get("id").asString();
                int expected = accepted;
                await().atMost(WAIT).until(() -> metric("commitviewer_fetches_queued") >= expected);
            } else {
                refusals.add(created.statusCode());
                assertThat(created.statusCode()).as(created.body()).isEqualTo(503);
                assertThat(created.headers().firstValue("Retry-After")).isPresent();
                assertThat(json.readTree(created.body()).get("type").asString()).isEqualTo("/problems/overloaded");
            }
        }

        assertThat(accepted).isEqualTo(MAX_QUEUED);
        assertThat(refusals).hasSize(20 - MAX_QUEUED);
        assertThat(metric("commitviewer_fetches_queued")).isEqualTo(MAX_QUEUED);
        assertThat(metric("commitviewer_outbox_backlog")).isLessThanOrEqualTo(MAX_QUEUED);
        aClientAddressHoldsAtMostItsStreamsWhileAnotherStillOpensOne(queued);

        assertThat(checkout.run("run-local.sh", "up").exitCode()).isZero(); // the consumer is back: the queue drains
        await().atMost(WAIT).until(() -> metric("commitviewer_fetches_queued") == 0);
        assertThat(post("/api/projects", body(29), OPS).statusCode()).isEqualTo(202);
        assertThat(delete("/api/projects/" + aliceProjects.get(1), OPS).statusCode()).as("an admin key deletes any project")
                .isEqualTo(204);
    }

    @Test
    @Order(6)
    void aClientOverTheGatewaysRateGets429ProblemsWithRetryAfter() {
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create(GATEWAY + "/api/projects?limit=1")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = burst.stream().map(CompletableFuture::join).toList();

        List<HttpResponse<String>> limited = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(limited).as("over 40 at once, at 20/s").isNotEmpty();
        assertThat(answers).filteredOn(r -> r.statusCode() == 200).hasSizeGreaterThanOrEqualTo(40);
        HttpResponse<String> one = limited.get(0);
        assertThat(one.headers().firstValue("Retry-After")).contains("1");
        assertThat(one.headers().firstValue("RateLimit")).contains("\"reads\";r=0;t=1");
        assertThat(one.headers().allValues("RateLimit-Policy")).anySatisfy(policy -> assertThat(policy).contains("\"reads\";q=20;w=1"));
        assertThat(answers).filteredOn(r -> r.statusCode() == 200).allSatisfy(
                answer -> assertThat(answer.headers().allValues("RateLimit-Policy")).as("every proxied answer names the policy").isNotEmpty());
        assertThat(one.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(one.body()).contains("\"type\":\"/problems/rate-limited\"");
    }

    /**
     * Issue 24, finding 1, through the gateway with a real commit-service: one key adds a large
     * repository and deletes it, 50 times. The key's hourly creates (4) bound the fetches; each ends
     * (run, or skipped because its project was deleted before it started) and reports, and at most
     * that many first fetches reach the git server — each at most a whole clone, its tags' fetch and
     * a first look's shallow clone (ADR 0011, ADR 0012); the rest of the cycles get 429.
     */
    @Test
    @Order(7)
    void addAndDeleteChurnOfOneLargeRepositoryClonesAtMostTheKeysHourlyCreates() throws Exception {
        double fetchesBefore = gitFetches();
        double resultsBefore = resultsOfDeletedProjects();
        int accepted = 0;
        HttpResponse<String> last = null;
        for (int cycle = 0; cycle < 50; cycle++) {
            last = post("/api/projects", "{\"url\":\"" + server.url("abuse", "large") + "\"}", CAROL);
            if (last.statusCode() == 202) {
                accepted++;
                assertThat(delete("/api/projects/" + json.readTree(last.body()).get("id").asString(), CAROL).statusCode()).isEqualTo(204);
            } else {
                assertThat(last.statusCode()).as(last.body()).isEqualTo(429);
                assertThat(json.readTree(last.body()).get("limit").asString()).isEqualTo("creates-per-key-per-hour");
            }
        }
        int started = accepted;
        await().atMost(WAIT).until(() -> resultsOfDeletedProjects() - resultsBefore >= started);

        assertThat(accepted).isEqualTo(CREATES_PER_HOUR);
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(gitFetches() - fetchesBefore).as("clones and fetches commit-service ran: 3 at most per first fetch")
                .isLessThanOrEqualTo(3.0 * accepted);
    }

    /** git clones and fetches commit-service ran, by its git command timer. */
    private double gitFetches() throws Exception {
        return metricSum(COMMIT_SERVICE_METRICS, "commitviewer_git_command_duration_seconds_count", "command=\"(clone|fetch)\"");
    }

    /** Results project-service took for fetches it no longer has (their projects deleted), but their starts. */
    private double resultsOfDeletedProjects() throws Exception {
        return metricSum(PROJECT_SERVICE_METRICS, "commitviewer_fetch_results_total",
                "^(?=.*outcome=\"unknown_fetch\")(?!.*type=\"fetch.started\")");
    }

    /** The sum of a metric's series whose labels contain {@code labels} (a regular expression). */
    private double metricSum(String endpoint, String name, String labels) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(endpoint)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (matcher.find()) {
            if (Pattern.compile(labels).matcher(matcher.group(1)).find()) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }

    /**
     * Issue 24, finding 2, through the gateway: while the project's fetch stays queued its streams
     * stay open; one address holds at most the gateway's cap (5 here), every stream beyond gets
     * 429, and another address (127.0.0.2: loopback, bound by hand) still opens one.
     */
    private void aClientAddressHoldsAtMostItsStreamsWhileAnotherStillOpensOne(String project) throws Exception {
        List<java.net.Socket> open = new ArrayList<>();
        try {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                java.net.Socket socket = stream(project, "127.0.0.1");
                open.add(socket);
                statuses.add(status(socket));
            }
            assertThat(statuses.subList(0, STREAMS_PER_ADDRESS)).containsOnly(200);
            assertThat(statuses.subList(STREAMS_PER_ADDRESS, statuses.size())).containsOnly(429);
            java.net.Socket other = stream(project, "127.0.0.2");
            open.add(other);
            assertThat(status(other)).as("another address").isEqualTo(200);
        } finally {
            for (java.net.Socket socket : open) {
                socket.close();
            }
        }
    }

    /** A raw GET of the project's event stream from {@code from}, the gateway's client address. */
    private static java.net.Socket stream(String project, String from) throws Exception {
        java.net.Socket socket = new java.net.Socket();
        socket.bind(new java.net.InetSocketAddress(from, 0));
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", URI.create(GATEWAY).getPort()), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /api/projects/" + project + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status of the answer on the socket (its first line). */
    private static int status(java.net.Socket socket) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int c; (c = socket.getInputStream().read()) != -1 && c != '\n'; ) {
            line.append((char) c);
        }
        return Integer.parseInt(line.toString().split(" ")[1]);
    }

    private void awaitReady(String project) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode node = json.readTree(get("/api/projects/" + project).body());
            return node.get("status").asString().equals("READY");
        });
    }

    private double metric(String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(PROJECT_SERVICE_METRICS)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertThat(matcher.find()).as("metric %s", name).isTrue();
        return Double.parseDouble(matcher.group(2));
    }

    private String body(int repository) {
        return "{\"url\":\"" + server.url("abuse", "repo-" + repository) + "\"}";
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String path, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Authorization", "Bearer " + key).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
