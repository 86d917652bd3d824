package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.testsupport.GitCli;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.HostileRepositories;
import io.commitviewer.testsupport.HostileRepositories.Case;
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
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every case of the hostile corpus ({@link HostileRepositories}) fetched by the stack of
 * {@code scripts/run-local.sh} from the loopback git server, through the gateway: each ends
 * READY with what is oversized cut and flagged and what is out of range clamped and flagged, or
 * FAILED with a specific reason that is not retried; no DLQ, and commit-service's resident memory
 * (at {@code -Xmx512m}) stays under 1 GiB. The peaks are written to
 * {@code target/hostile-corpus.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRepositoriesIT {

    private static final String GATEWAY = "http://127.0.0.1:8080";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final long RSS_BOUND_KIB = 1024 * 1024;
    private static final Map<String, String> INFRA_PORTS = PrivateCheckout.infraPorts(28_000);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<Case, String> outcomes = new LinkedHashMap<>();
    private GitHttpServer server;
    private PrivateCheckout checkout;

    @BeforeAll
    void startStack() throws Exception {
        server = GitHttpServer.start(Files.createTempDirectory("hostile-served"));
        for (Case hostile : Case.values()) {
            HostileRepositories.write(hostile, server.repository("hostile", name(hostile)));
        }
        Map<String, String> environment = new LinkedHashMap<>(INFRA_PORTS);
        environment.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
        PrivateCheckout.liftGatewayLimits(environment);
        checkout = PrivateCheckout.startStack("hostile checkout", environment, Path.of("target/run-local-hostile.log"));
    }

    @AfterAll
    void stopStack() throws Exception {
        try {
            StringBuilder table = new StringBuilder("| case | outcome | commit-service peak RSS |\n|---|---|---|\n");
            outcomes.forEach((hostile, row) -> table.append("| ").append(name(hostile)).append(" | ").append(row).append(" |\n"));
            Files.writeString(Path.of("target/hostile-corpus.md"), table);
            System.out.println(table);
        } finally {
            PrivateCheckout.tearDown(checkout, server, null);
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void endsReadyWithFlagsOrFailedWithASpecificReasonAndNeverLoops(Case hostile) throws Exception {
        long pid = Long.parseLong(Files.readString(checkout.stackState().resolve("commit-service.pid")).trim());
        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5"); // resets the peak RSS (VmHWM)

        HttpResponse<String> created = send("POST", "/api/projects", "{\"url\":\"" + server.url("hostile", name(hostile)) + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = json.readTree(created.body()).get("id").asString();
        JsonNode project = awaitEnd(id);
        long peakKib = peakRss(pid);
        String status = project.get("status").asString();
        outcomes.put(hostile, ("READY".equals(status) ? "READY, " + project.get("commitCount").asLong() + " commits"
                : "FAILED " + project.get("lastError").get("reason").asString()) + " | " + peakKib / 1024 + " MiB");

        switch (hostile) {
            case HUGE_IDENTITIES -> {
                JsonNode tip = tip(id, status);
                assertThat(tip.get("author").get("name").asString()).isEqualTo("é".repeat(512));
                assertThat(tip.get("author").get("email").asString()).hasSize(1024);
                assertThat(strings(tip.get("truncated")))
                        .containsExactlyInAnyOrder("author.name", "author.email", "committer.name", "committer.email");
            }
            case OCTOPUS_100K_PARENTS -> {
                assertThat(project.get("commitCount").asLong()).isEqualTo(100_001);
                JsonNode tip = tip(id, status);
                assertThat(tip.get("parents")).hasSize(100);
                assertThat(strings(tip.get("truncated"))).containsExactly("parents");
            }
            case EXTREME_DATES -> {
                Map<String, JsonNode> byMessage = new LinkedHashMap<>();
                for (JsonNode commit : page(id, status)) {
                    byMessage.put(commit.get("message").asString(), commit);
                }
                assertThat(byMessage).hasSize(8);
                assertDate(byMessage.get("at -62167219200 +0000"), "1970-01-01T00:00:00Z", true); // git itself cannot read it
                assertDate(byMessage.get("at 253402300799 +0000"), "9999-12-31T23:59:59Z", false);
                assertDate(byMessage.get("at 9000000000000000000 +0000"), "9999-12-31T23:59:59Z", true);
                assertDate(byMessage.get("at 99999999999999999999999 +0000"), "9999-12-31T23:59:59Z", true);
                assertDate(byMessage.get("at 1700000000 -9999"), "2023-11-14T22:13:20Z", true);
                assertDate(byMessage.get("at 1700000000 +1400"), "2023-11-15T12:13:20+14:00", false);
                assertDate(byMessage.get("at 0 +0000"), "1970-01-01T00:00:00Z", false);
                assertDate(byMessage.get("at 0 -9959"), "1970-01-01T00:00:00Z", true); // git log --date=iso refuses it
                // a filter by date still answers
                assertThat(get("/api/projects/" + id + "/commits?since=9999-01-01T00:00:00Z").statusCode()).isEqualTo(200);
            }
            case INVALID_UTF8_AND_NUL -> {
                JsonNode tip = tip(id, status);
                assertThat(tip.get("author").get("name").asString()).isEqualTo("A\uFFFD\uFFFDZ");
                assertThat(tip.get("message").asString()).isEqualTo("before");
            }
            case ENCODING_HEADERS -> {
                List<String> messages = page(id, status).stream().map(c -> c.get("message").asString()).toList();
                assertThat(messages).containsExactlyInAnyOrder("café", "bogus encoding");
                assertThat(page(id, status)).anySatisfy(c -> assertThat(c.get("author").get("name").asString()).isEqualTo("José"));
            }
            case HUGE_MESSAGE -> {
                JsonNode tip = tip(id, status);
                assertThat(tip.get("messageTruncated").asBoolean()).isTrue();
                assertThat(strings(tip.get("truncated"))).containsExactly("message");
                assertThat(tip.get("message").asString().length()).isLessThanOrEqualTo(65_536);
            }
            case SIGNATURE_HEADERS -> assertThat(page(id, status).stream().map(c -> c.get("message").asString()))
                    .containsExactlyInAnyOrder("signed", "merge tag");
            case BRANCHES_100K -> {
                assertThat(status).isEqualTo("FAILED");
                assertThat(project.get("lastError").get("reason").asString()).isEqualTo("TOO_LARGE");
                assertThat(project.get("lastError").get("message").asString()).contains("100001 branches", "limit is 50000");
            }
            case TAGS_10K -> assertThat(project.get("commitCount").asLong()).isEqualTo(3);
            case REPLACE_REF -> {
                Path repository = server.repositoryDir("hostile", name(hostile));
                List<String> real = List.of(GitCli.run(repository, "--no-replace-objects", "rev-list", "--branches").strip().split("\n"));
                assertThat(page(id, status).stream().map(c -> c.get("sha").asString())).containsExactlyElementsOf(real);
                assertThat(page(id, status)).noneSatisfy(c -> assertThat(c.get("author").get("name").asString()).isEqualTo("Impostor"));
            }
            case COMMIT_GRAPH_LIE -> {
                Path repository = server.repositoryDir("hostile", name(hostile));
                List<String> real = List.of(GitCli.run(repository, "-c", "core.commitGraph=false", "rev-list", "--branches").strip()
                        .split("\n"));
                assertThat(status).isEqualTo("READY");
                assertThat(page(id, status).stream().map(c -> c.get("sha").asString())).containsExactlyElementsOf(real);
            }
            default -> throw new IllegalStateException(hostile.name());
        }
        assertThat(peakKib).as("commit-service peak RSS, KiB").isLessThan(RSS_BOUND_KIB);
        Map<String, Long> depths = PrivateCheckout.queueDepths(INFRA_PORTS);
        for (String queue : List.of("commit-service.project-work.dlq", "project-service.fetch-results.dlq")) {
            assertThat(depths.get(queue)).as(queue).isZero();
        }
    }

    private static String name(Case hostile) {
        return hostile.name().toLowerCase().replace('_', '-');
    }

    private JsonNode awaitEnd(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = json.readTree(get("/api/projects/" + id).body());
            String status = last[0].get("status").asString();
            return status.equals("READY") || status.equals("FAILED");
        });
        return last[0];
    }

    private JsonNode tip(String id, String status) throws Exception {
        assertThat(status).isEqualTo("READY");
        String sha = json.readTree(get("/api/projects/" + id + "/branches").body()).get(0).get("tip").asString();
        return json.readTree(get("/api/projects/" + id + "/commits/" + sha).body());
    }

    private List<JsonNode> page(String id, String status) throws Exception {
        assertThat(status).isEqualTo("READY");
        JsonNode items = json.readTree(get("/api/projects/" + id + "/commits?limit=100").body()).get("items");
        return StreamSupport.stream(items.spliterator(), false).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(node -> values.add(node.asString()));
        }
        return values;
    }

    private static void assertDate(JsonNode commit, String expected, boolean clamped) {
        assertThat(commit).as("commit of %s", expected).isNotNull();
        assertThat(java.time.OffsetDateTime.parse(commit.get("author").get("date").asString()))
                .isEqualTo(java.time.OffsetDateTime.parse(expected));
        assertThat(strings(commit.get("clamped"))).as(commit.get("message").asString())
                .isEqualTo(clamped ? List.of("author.date", "committer.date") : List.of());
    }

    private static long peakRss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GATEWAY + path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
