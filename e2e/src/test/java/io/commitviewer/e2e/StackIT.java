package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.EventStream;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole stack as {@code scripts/run-local.sh up} starts it — PostgreSQL, RabbitMQ, both
 * services from their jars, the nginx gateway, Prometheus — from a checkout in a private folder
 * with a space in its path ({@link PrivateCheckout}), driven only through the gateway, as a user
 * would, against a synthetic history served on loopback; then Prometheus is asked to evaluate
 * every expression of the dashboard and of the alert rules; a second checkout is told which
 * checkout holds its ports; and {@code down} leaves no process behind.
 * The tests run in order: each builds on the state the one before left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {

    private static final Path ROOT = PrivateCheckout.SOURCE;
    /** The private checkout's databases and broker: PostgreSQL 26432, AMQP 26672, … (not the test run's own). */
    private static final Map<String, String> INFRA_PORTS = PrivateCheckout.infraPorts(26_000);
    private static final Path SCRIPT_LOG = Path.of("target/run-local.log");
    private static final int GATEWAY_PORT = 8080;
    private static final int PROMETHEUS_PORT = 9090;
    private static final String GATEWAY = "http://127.0.0.1:" + GATEWAY_PORT;
    private static final String PROMETHEUS = "http://127.0.0.1:" + PROMETHEUS_PORT;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private GitHttpServer server;
    private ServedRepository repository;
    private PrivateCheckout checkout;
    private PrivateCheckout secondCheckout;
    private String projectId;
    private String createRequestId;
    private String firstFetchId;

    @BeforeAll
    void startStack() throws Exception {
        for (int port : new int[] {GATEWAY_PORT, PROMETHEUS_PORT, 8081, 8082, 9081, 9082}) {
            assertThat(listening(port)).as("port %d is free (a stack left running? scripts/run-local.sh down)", port).isFalse();
        }
        server = GitHttpServer.start(Files.createTempDirectory("e2e-served"));
        repository = server.repository("octo", "history");
        SyntheticHistory.Summary summary = repository.load(SyntheticHistory.builder().commits(20_000).branches(6).build());
        assertThat(summary.merges()).isPositive();
        assertThat(repository.branches()).hasSizeGreaterThanOrEqualTo(6);
        Map<String, String> environment = new LinkedHashMap<>(INFRA_PORTS);
        environment.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
        environment.put("COMMITVIEWER_SCRAPE_INTERVAL", "5s");
        environment.put("COMMITVIEWER_STORE_CHECK_INTERVAL", "2s");
        // this test walks pages as fast as it can: the gateway's rate limits are AbuseIT's to test
        PrivateCheckout.liftGatewayLimits(environment);
        // it refreshes right after a fetch to test the refresh itself; coalescing is tested in project-service
        environment.put("COMMITVIEWER_FETCH_MIN_REFRESH_INTERVAL", "0s");
        checkout = PrivateCheckout.create("a checkout", environment, SCRIPT_LOG);
        runLocal("up");
    }

    @AfterAll
    void stopStack() throws Exception {
        try {
            PrivateCheckout.tearDown(checkout, server, Path.of("target/stack-logs"));
        } finally {
            if (secondCheckout != null) {
                PrivateCheckout.deleteQuietly(secondCheckout.root().getParent());
            }
        }
    }

    private void runLocal(String command) throws IOException, InterruptedException {
        PrivateCheckout.Result result = checkout.run("run-local.sh", command);
        assertThat(result.exitCode()).as("run-local.sh %s exit code (see e2e/target/run-local.log): %s", command,
                result.output()).isZero();
    }

    @Test
    @Order(1)
    void aPostedRepositoryBecomesReadyAndItsWalkIsExactlyTheRevListSet() throws Exception {
        HttpResponse<String> created = post("/api/projects", "{\"url\":\"" + server.url("octo", "history") + "\"}");
        assertThat(created.statusCode()).isEqualTo(202);
        projectId = json.readTree(created.body()).get("id").asString();
        createRequestId = created.headers().firstValue("X-Request-Id").orElseThrow();
        firstFetchId = json.readTree(created.body()).get("fetch").get("id").asString();

        JsonNode ready = awaitStatus(projectId, "READY");

        assertThat(ready.get("status").asString()).as("%s", ready).isEqualTo("READY");
        List<String> expected = repository.revListBranches();
        assertThat(ready.get("commitCount").asLong()).isEqualTo(expected.size());
        assertThat(walk(projectId)).containsExactlyElementsOf(expected);
    }

    @Test
    @Order(2)
    void theLogLinesOfAFetchCarryItsRequestAndFetchIdsInBothServices() throws Exception {
        List<JsonNode> projectSide = logLines("project-service.log", firstFetchId);
        List<JsonNode> commitSide = logLines("commit-service.log", firstFetchId);

        assertThat(projectSide).as("project-service lines of fetch %s", firstFetchId).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> assertThat(line.path("requestId").asString()).isEqualTo(createRequestId))
                .allSatisfy(line -> assertThat(line.path("projectId").asString()).isEqualTo(projectId));
        assertThat(projectSide).anySatisfy(line -> assertThat(line.path("message").asString()).contains("queued"))
                .anySatisfy(line -> assertThat(line.path("message").asString()).contains("is SUCCEEDED"));
        assertThat(commitSide).as("commit-service lines of fetch %s", firstFetchId).isNotEmpty()
                .allSatisfy(line -> assertThat(line.path("requestId").asString()).isEqualTo(createRequestId))
                .allSatisfy(line -> assertThat(line.path("projectId").asString()).isEqualTo(projectId))
                .anySatisfy(line -> assertThat(line.path("message").asString()).contains("Fetch succeeded"));
    }

    /** The JSON log lines of a service (ECS, one object a line) that carry the fetch id. */
    private List<JsonNode> logLines(String file, String fetchId) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(checkout.stackState().resolve(file))) {
            if (line.startsWith("{")) {
                JsonNode node = json.readTree(line);
                if (fetchId.equals(node.path("fetchId").asString(null))) {
                    lines.add(node);
                }
            }
        }
        return lines;
    }

    @Test
    @Order(3)
    void aRefreshAfterNewCommitsAndAForcePushServesExactlyTheNewSet() throws Exception {
        String before = json.readTree(get("/api/projects/" + projectId).body()).get("fetch").get("id").asString();
        repository.addCommits("main", 10);
        String branch = repository.branches().keySet().stream().filter(name -> !name.equals("main")).findFirst().orElseThrow();
        repository.forcePush(branch, repository.revList(branch).get(5)); // five commits leave that branch

        assertThat(post("/api/projects/" + projectId + "/refresh", "").statusCode()).isEqualTo(202);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode fetch = json.readTree(get("/api/projects/" + projectId).body()).get("fetch");
            return !fetch.get("id").asString().equals(before) && fetch.get("status").asString().equals("SUCCEEDED");
        });
        List<String> expected = repository.revListBranches();
        assertThat(json.readTree(get("/api/projects/" + projectId).body()).get("commitCount").asLong()).isEqualTo(expected.size());
        assertThat(walk(projectId)).containsExactlyElementsOf(expected);
    }

    @Test
    @Order(4)
    void aCommitStoreRestartedEmptyUnderTheRunningStackIsRefilledAndNoReadSays404() throws Exception {
        long pid = Long.parseLong(Files.readString(checkout.stackState().resolve("mongo-stand-in.pid")).trim());

        String before = currentFetchId();
        StoreRecoveryWatch watch = StoreRecoveryWatch.start(this::get, projectId);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).isEmpty());
        runLocal("up"); // starts what is not running: the stand-in, empty

        assertRecovered(watch, before);
    }

    @Test
    @Order(5)
    void aCommitsCollectionDroppedOnTheLiveServiceIsNoticedAndRefilledAndNoReadSays404() throws Exception {
        String before = currentFetchId();
        StoreRecoveryWatch watch = StoreRecoveryWatch.start(this::get, projectId);
        try (com.mongodb.client.MongoClient mongo = com.mongodb.client.MongoClients.create("mongodb://127.0.0.1:27018")) {
            mongo.getDatabase("commitviewer").getCollection("commits").drop();
        }

        assertRecovered(watch, before);
    }

    private String currentFetchId() throws Exception {
        return json.readTree(get("/api/projects/" + projectId).body()).get("fetch").get("id").asString();
    }

    /**
     * The project comes back READY through a new STORE_RECOVERY fetch, serving exactly rev-list,
     * and no read meanwhile said 404.
     */
    private void assertRecovered(StoreRecoveryWatch watch, String fetchBefore) throws Exception {
        JsonNode recovered = await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json.readTree(get("/api/projects/" + projectId).body()),
                project -> !project.get("fetch").get("id").asString().equals(fetchBefore)
                        && project.get("fetch").get("reason").asString().equals("STORE_RECOVERY")
                        && project.get("fetch").get("status").asString().equals("SUCCEEDED"));
        StoreRecoveryWatch.Seen seen = watch.stop();

        assertThat(recovered.get("status").asString()).isEqualTo("READY");
        assertThat(seen.commitStatuses()).as("answers to reads of the commits meanwhile").doesNotContain(404)
                .contains(202).isSubsetOf(200, 202, 503);
        assertThat(seen.projectStates()).as("what the project said meanwhile")
                .anySatisfy(state -> assertThat(state).isIn("QUEUED/STORE_RECOVERY", "FETCHING/STORE_RECOVERY"));
        List<String> expected = repository.revListBranches();
        assertThat(recovered.get("commitCount").asLong()).isEqualTo(expected.size());
        assertThat(walk(projectId)).containsExactlyElementsOf(expected);
    }

    @Test
    @Order(6)
    void aMissingRepositoryEndsFailedAsNotFound() throws Exception {
        HttpResponse<String> created = post("/api/projects", "{\"url\":\"" + server.url("octo", "no-such-repository") + "\"}");
        assertThat(created.statusCode()).isEqualTo(202);

        JsonNode failed = awaitStatus(json.readTree(created.body()).get("id").asString(), "FAILED");

        assertThat(failed.get("lastError").get("reason").asString()).isEqualTo("REPOSITORY_NOT_FOUND");
    }

    @Test
    @Order(7)
    void theGatewayRoutesTheApiAndHidesTheManagementEndpoints() throws Exception {
        assertThat(get("/api/projects/" + projectId + "/branches").statusCode()).isEqualTo(200);
        assertThat(get("/api/projects/" + projectId + "/commits/" + repository.tip("main")).statusCode()).isEqualTo(200);
        assertThat(get("/api/projects?limit=1").statusCode()).isEqualTo(200);
        // links are relative: whatever host a client claims, they do not point elsewhere
        for (String path : List.of("/api/projects/" + projectId + "/commits?limit=1", "/api/projects?limit=1")) {
            HttpResponse<String> claimed = send(HttpRequest.newBuilder(URI.create(GATEWAY + path))
                    .header("X-Forwarded-Host", "attacker.example").header("X-Forwarded-Proto", "https").build());
            assertThat(claimed.headers().firstValue("Link")).as(path)
                    .hasValueSatisfying(link -> assertThat(link).startsWith("</api/projects").doesNotContain("attacker"));
        }
        for (String path : List.of("/actuator", "/actuator/health", "/actuator/prometheus", "/actuator/env",
                "/api/projects/../actuator/health", "/api/projects/" + projectId + "/commits/../../../../actuator/health")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).doesNotContain("\"status\":\"UP\"", "jvm_memory");
        }
        // on the management ports (never routed): which build and commit runs
        for (int port : new int[] {9081, 9082}) {
            JsonNode info = json.readTree(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/info")).build()).body());
            assertThat(info.path("build").path("time").asString()).as("build time on %d", port).isNotBlank();
            assertThat(info.path("git").path("commit").path("id").asString()).as("git commit on %d: %s", port, info).isNotBlank();
        }
        HttpResponse<String> invalid = post("/api/projects", "{\"url\":\"https://evil.example.com/a/b\"}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    /**
     * A 100k-commit fetch followed through the gateway's event stream: the phases as they come
     * (not held back until the end: nginx does not buffer the stream), the commits stored so far
     * increasing, and a final READY; a stream reopened with the Last-Event-ID of a mid-fetch event
     * still ends with READY.
     */
    @Test
    @Order(8)
    void aLargeFetchStreamsItsProgressThroughTheGatewayToReady() throws Exception {
        ServedRepository large = server.repository("octo", "large");
        large.load(SyntheticHistory.builder().commits(100_000).branches(6).build());
        HttpResponse<String> created = post("/api/projects", "{\"url\":\"" + server.url("octo", "large") + "\"}");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = json.readTree(created.body()).get("id").asString();
        String uri = GATEWAY + "/api/projects/" + id + "/events";
        List<String> phases = new java.util.ArrayList<>();
        List<Long> counts = new java.util.ArrayList<>();
        String resumeFrom = null;
        long firstProgressAt = 0;
        try (EventStream stream = EventStream.open(uri, null)) {
            assertThat(stream.status()).isEqualTo(200);
            while (resumeFrom == null) {
                EventStream.Event event = stream.next(WAIT);
                assertThat(event).as("an event before the stream ends; phases so far %s", phases).isNotNull();
                JsonNode fetch = json.readTree(event.data()).get("fetch");
                if (!fetch.get("phase").isNull()) {
                    phases.add(fetch.get("phase").asString());
                    counts.add(fetch.get("commitsStored").asLong());
                    if (firstProgressAt == 0) {
                        firstProgressAt = System.nanoTime();
                    }
                }
                assertThat(json.readTree(event.data()).get("status").asString()).as("not at its end yet: %s", phases)
                        .isNotEqualTo("READY");
                if (counts.stream().filter(c -> c > 0).count() >= 2) {
                    resumeFrom = event.id(); // mid-fetch: leave, and come back with this id
                }
            }
        }
        long lastProgressAt = 0;
        try (EventStream resumed = EventStream.open(uri, resumeFrom)) {
            assertThat(resumed.status()).isEqualTo(200);
            String status = null;
            for (EventStream.Event event = resumed.next(WAIT); event != null; event = resumed.next(WAIT)) {
                JsonNode project = json.readTree(event.data());
                status = project.get("status").asString();
                if (!project.get("fetch").get("phase").isNull()) {
                    phases.add(project.get("fetch").get("phase").asString());
                    counts.add(project.get("fetch").get("commitsStored").asLong());
                    lastProgressAt = System.nanoTime();
                }
            }
            assertThat(status).as("the stream ended with the end of the fetch").isEqualTo("READY");
        }
        // each phase is seen if it lasts longer than the 250 ms between two reads: LISTING always does here
        assertThat(phases.stream().distinct().count()).as("phase changes: %s", phases).isGreaterThanOrEqualTo(2);
        List<String> order = List.of("CLONING", "LISTING", "STORING");
        assertThat(phases.stream().map(order::indexOf).toList()).as("phases in order: %s", phases).isSorted();
        assertThat(counts).as("commits stored so far, never going back").isSorted();
        assertThat(counts.stream().distinct().filter(c -> c > 0).count()).as("several counts: %s", counts).isGreaterThanOrEqualTo(3);
        assertThat(counts).allSatisfy(count -> assertThat(count).isBetween(0L, 100_000L));
        assertThat(Duration.ofNanos(lastProgressAt - firstProgressAt)).as("events came as the fetch went, not all at its end")
                .isGreaterThan(Duration.ofMillis(1000));
        HttpResponse<String> ready = get("/api/projects/" + id);
        assertThat(json.readTree(ready.body()).get("commitCount").asLong()).isEqualTo(100_000);
        assertThat(EventStream.open(uri, null).status()).isEqualTo(200);
    }

    /** ETags survive the gateway's gzip (weakened, still matched) and answer 304 through it. */
    @Test
    @Order(9)
    void conditionalReadsAnswer304ThroughTheGatewayEvenGzipped() throws Exception {
        for (String path : List.of("/api/projects/" + projectId + "/commits?limit=50", "/api/projects/" + projectId + "/branches",
                "/api/projects/" + projectId + "/commits/" + repository.tip("main"), "/api/projects/" + projectId)) {
            HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Accept-Encoding", "gzip").build());
            assertThat(first.statusCode()).as(path).isEqualTo(200);
            String tag = first.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag through the gateway on " + path));
            HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Accept-Encoding", "gzip")
                    .header("If-None-Match", tag).build());
            assertThat(again.statusCode()).as(path + " with If-None-Match " + tag).isEqualTo(304);
            assertThat(first.headers().firstValue("Cache-Control")).as(path).isPresent();
        }
    }

    @Test
    @Order(10)
    void prometheusEvaluatesEveryDashboardAndAlertExpression() throws Exception {
        Map<String, String> panels = dashboardExpressions();
        assertThat(panels).hasSizeGreaterThan(20);
        List<String> alerts = alertExpressions();
        assertThat(alerts).isNotEmpty();

        // the traffic above must have been scraped: the request and ingestion panels return data
        List<String> mustHaveData = panels.entrySet().stream()
                .filter(panel -> panel.getKey().startsWith("Requests/s") || panel.getKey().startsWith("Commits ingested"))
                .map(Map.Entry::getValue).toList();
        assertThat(mustHaveData).hasSizeGreaterThanOrEqualTo(3);
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (String expression : mustHaveData) {
                JsonNode result = query(expression);
                assertThat(result.get("data").get("result")).as(expression).isNotEmpty();
                assertThat(result.get("data").get("result").get(0).get("value").get(1).asString()).as(expression).isNotEqualTo("0");
            }
        });
        for (Map.Entry<String, String> panel : panels.entrySet()) {
            assertThat(query(panel.getValue()).get("status").asString()).as(panel.getKey()).isEqualTo("success");
        }
        for (String expression : alerts) {
            assertThat(query(expression).get("status").asString()).as(expression).isEqualTo("success");
        }
        // and Prometheus itself loaded every rule and evaluates it without error
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<String> healths = new ArrayList<>();
            json.readTree(send(HttpRequest.newBuilder(URI.create(PROMETHEUS + "/api/v1/rules")).build()).body())
                    .get("data").get("groups").forEach(group -> group.get("rules").forEach(rule ->
                            healths.add(rule.get("name").asString() + "=" + rule.get("health").asString())));
            assertThat(healths).hasSize(alerts.size()).allSatisfy(health -> assertThat(health).endsWith("=ok"));
        });
    }

    @Test
    @Order(11)
    void aSecondCheckoutIsToldWhichCheckoutHoldsItsPorts() throws Exception {
        secondCheckout = PrivateCheckout.create("another checkout", INFRA_PORTS, SCRIPT_LOG);

        PrivateCheckout.Result infra = secondCheckout.run("local-infra.sh", "up");
        PrivateCheckout.Result stack = secondCheckout.run("run-local.sh", "up");
        PrivateCheckout.Result status = secondCheckout.run("local-infra.sh", "status");

        String holder = "of the checkout " + checkout.root();
        assertThat(infra.exitCode()).isNotZero();
        assertThat(infra.output()).contains("port " + INFRA_PORTS.get("COMMITVIEWER_PG_PORT") + " is taken by postgres", holder)
                .doesNotContain("pg_ctl");
        assertThat(stack.exitCode()).isNotZero();
        assertThat(stack.output()).contains("is taken by", holder);
        assertThat(status.output()).contains("postgres: stopped (port " + INFRA_PORTS.get("COMMITVIEWER_PG_PORT") + " is taken by",
                "rabbitmq: stopped (port " + INFRA_PORTS.get("COMMITVIEWER_RABBITMQ_PORT") + " is taken by", holder);
        assertThat(secondCheckout.processes()).as("what the failed up commands left running").isEmpty();
    }

    @Test
    @Order(12)
    void downStopsEverythingUpStarted() throws Exception {
        assertThat(checkout.processes()).as("the stack's processes, found by their owner").hasSizeGreaterThanOrEqualTo(6);
        String running = checkout.run("run-local.sh", "status").output();
        assertThat(running).contains("project-service: running", "commit-service: running", "gateway: running",
                "postgres: running", "rabbitmq: running");

        runLocal("down");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(checkout.processes()).isEmpty());
        for (String port : List.of("8080", "9090", "8081", "8082", "9081", "9082", "27018",
                INFRA_PORTS.get("COMMITVIEWER_PG_PORT"), INFRA_PORTS.get("COMMITVIEWER_RABBITMQ_PORT"))) {
            assertThat(listening(Integer.parseInt(port))).as("port %s after down", port).isFalse();
        }
        assertThat(checkout.run("run-local.sh", "status").output()).doesNotContain(": running");
    }

    /** Panel title (with the row and a number, to keep them apart) to expression, variables substituted. */
    private Map<String, String> dashboardExpressions() throws IOException {
        JsonNode dashboard = json.readTree(ROOT.resolve("grafana/dashboards/commit-viewer.json").toFile());
        Map<String, String> expressions = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> {
            panels.add(panel);
            if (panel.has("panels")) {
                panel.get("panels").forEach(panels::add);
            }
        });
        for (JsonNode panel : panels) {
            if (!panel.has("targets")) {
                continue;
            }
            for (JsonNode target : panel.get("targets")) {
                String expression = target.get("expr").asString().replace("$__rate_interval", "5m");
                assertThat(expression).as(panel.get("title").asString()).doesNotContain("$");
                expressions.put(panel.get("title").asString() + " #" + expressions.size(), expression);
            }
        }
        return expressions;
    }

    @SuppressWarnings("unchecked")
    private List<String> alertExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        try (InputStream in = Files.newInputStream(ROOT.resolve("prometheus/alerts.yml"))) {
            Map<String, Object> rules = new Yaml().load(in);
            for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    expressions.add(String.valueOf(rule.get("expr")));
                }
            }
        }
        return expressions;
    }

    private JsonNode query(String expression) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(PROMETHEUS + "/api/v1/query?query="
                + URLEncoder.encode(expression, StandardCharsets.UTF_8))).build());
        assertThat(response.statusCode()).as("%s: %s", expression, response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private JsonNode awaitStatus(String id, String status) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json.readTree(get("/api/projects/" + id).body()),
                project -> project.get("status").asString().equals(status)
                        || (project.get("status").asString().equals("FAILED") && !status.equals("FAILED")));
    }

    private List<String> walk(String id) throws Exception {
        return CommitPages.walk(GATEWAY, id);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).build());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
