package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web page in a real browser: {@code web/test} ({@code npm test}: playwright-core driving
 * Debian's Chromium, axe-core in the page) against the stack of {@code scripts/run-local.sh}, run
 * from a private checkout with API keys on, with a 20,000-commit history of six branches and a
 * small one on the loopback git server. The browser suite adds, watches, scrolls, filters, opens,
 * refreshes and deletes, and compares what the page shows with git; its screenshots (each view at
 * 1280 and 375 px) are kept in {@code target/web-test-output}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebPageIT {

    private static final Path WEB = PrivateCheckout.SOURCE.resolve("web");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("COMMITVIEWER_CHROMIUM", "/usr/bin/chromium"));
    private static final Path OUTPUT = Path.of("target/web-test-output").toAbsolutePath();
    private static final Path BROWSER_LOG = Path.of("target/web-test.log").toAbsolutePath();
    private static final String GATEWAY = "http://127.0.0.1:8080";
    private static final String TOKEN = "cv_web-page-" + UUID.randomUUID();
    private static final List<String> VIEWS = List.of("add-needs-key", "add-invalid-url", "projects", "project-failed", "commits", "commits-end",
            "commits-branch", "commits-author", "commits-dates", "commit", "commits-refreshed", "commit-gone");

    private GitHttpServer server;
    private PrivateCheckout checkout;

    @BeforeAll
    void startStack() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (scripts/local-infra.sh install-browser)").isExecutable();
        assertThat(WEB.resolve("node_modules/playwright-core")).as("web/node_modules (scripts/build-web.sh runs npm ci)").isDirectory();
        assertThat(WEB.resolve("dist/index.html")).as("the page, built by scripts/build-web.sh before the integration tests").isRegularFile();
        server = GitHttpServer.start(Files.createTempDirectory("web-served"));
        ServedRepository history = server.repository("web", "history");
        history.load(SyntheticHistory.builder().commits(20_000).branches(6).build());
        history.tagEveryKind(false); // annotated and lightweight tags, on commits only tags reach, on a tree and a blob
        server.repository("web", "small").load(SyntheticHistory.builder().commits(300).branches(2).seed(7).build());
        // its whole clone waits for the browser suite (POST /_control/release/web/held): a first look, seen while it fetches
        server.repository("web", "held").load(SyntheticHistory.builder().commits(3_000).branches(4).seed(9).build());
        server.holdFullFetches("web", "held");
        Map<String, String> environment = new LinkedHashMap<>(PrivateCheckout.infraPorts(29_000));
        environment.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
        environment.put("COMMITVIEWER_ACCESS_KEYS", "web-page:" + PrivateCheckout.sha256(TOKEN));
        // the suite refreshes right after a fetch; the gateway's rate limits stay as shipped
        environment.put("COMMITVIEWER_FETCH_MIN_REFRESH_INTERVAL", "0s");
        checkout = PrivateCheckout.create("web page", environment, Path.of("target/web-run-local.log"));
        PrivateCheckout.Result up = checkout.run("run-local.sh", "up");
        assertThat(up.exitCode()).as("run-local.sh up (see e2e/target/web-run-local.log): %s", up.output()).isZero();
    }

    @AfterAll
    void stopStack() throws Exception {
        PrivateCheckout.tearDown(checkout, server, null);
    }

    @Test
    void theGatewayServesThePageRevalidatedAndWithAPolicyThatAllowsOnlyItsOrigin() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(GATEWAY + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\">");
        HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create(GATEWAY + "/app.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.headers().firstValue("ETag")).isPresent();
        assertThat(script.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void theBrowserSuitePasses() throws Exception {
        Files.createDirectories(OUTPUT);
        ProcessBuilder npm = new ProcessBuilder("npm", "test").directory(WEB.toFile()).redirectErrorStream(true)
                .redirectOutput(BROWSER_LOG.toFile());
        Map<String, String> environment = npm.environment();
        environment.put("COMMITVIEWER_WEB_TEST_GATEWAY", GATEWAY);
        environment.put("COMMITVIEWER_WEB_TEST_GIT_ORIGIN", server.origin());
        environment.put("COMMITVIEWER_WEB_TEST_GIT_ROOT", server.root().toString());
        environment.put("COMMITVIEWER_WEB_TEST_LARGE", "web/history");
        environment.put("COMMITVIEWER_WEB_TEST_SMALL", "web/small");
        environment.put("COMMITVIEWER_WEB_TEST_HELD", "web/held");
        environment.put("COMMITVIEWER_WEB_TEST_API_KEY", TOKEN);
        environment.put("COMMITVIEWER_CHROMIUM", CHROMIUM.toString());
        environment.put("COMMITVIEWER_WEB_TEST_OUTPUT", OUTPUT.toString());
        Process process = npm.start();
        boolean ended = process.waitFor(15, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String log = Files.readString(BROWSER_LOG, StandardCharsets.UTF_8);
        assertThat(ended).as("the browser suite ended within 15 minutes: %s", tail(log)).isTrue();
        assertThat(process.exitValue()).as("npm test in web/ (e2e/target/web-test.log): %s", tail(log)).isZero();
        assertThat(log).contains("ℹ fail 0").doesNotContain("ℹ tests 0");
        for (String view : VIEWS) {
            for (String width : List.of("1280", "375", "1280-dark")) {
                assertThat(OUTPUT.resolve(view + "-" + width + ".png")).as("screenshot of %s at %s", view, width).isNotEmptyFile();
            }
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 80), lines.length));
    }
}
