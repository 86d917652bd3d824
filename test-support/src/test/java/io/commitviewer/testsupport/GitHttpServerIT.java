package io.commitviewer.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHttpServerIT {

    @TempDir
    Path root;

    GitHttpServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        server = GitHttpServer.start(root);
        server.repository("acme", "app").load(SyntheticHistory.builder().commits(20).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String protocol) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.origin() + path)).timeout(Duration.ofSeconds(5));
        if (protocol != null) {
            request.header("Git-Protocol", protocol);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void advertisesProtocolVersionTwoWithFiltersOnBothSpellings() throws Exception {
        for (String path : new String[] {"/acme/app/info/refs?service=git-upload-pack", "/ACME/App.git/info/refs?service=git-upload-pack"}) {
            HttpResponse<String> response = get(path, "version=2");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/x-git-upload-pack-advertisement");
            assertThat(response.body()).contains("version 2").contains("filter");
        }
        assertThat(server.protocolsSeen()).containsExactly("version=2");
    }

    @Test
    void unknownRepositoryIsNotFound() throws Exception {
        assertThat(get("/acme/missing/info/refs?service=git-upload-pack", null).statusCode()).isEqualTo(404);
    }

    @Test
    void privateRepositoryAsksForCredentials() throws Exception {
        server.makePrivate("acme", "app");
        HttpResponse<String> response = get("/acme/app/info/refs?service=git-upload-pack", null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }

    @Test
    void pushesAreRefused() throws Exception {
        assertThat(get("/acme/app/info/refs?service=git-receive-pack", null).statusCode()).isEqualTo(403);
    }

    @Test
    void pathsOutsideARepositoryAreRefused() throws Exception {
        assertThat(get("/acme/../../etc/passwd", null).statusCode()).isEqualTo(404);
        assertThat(get("/acme", null).statusCode()).isEqualTo(404);
    }

    @Test
    void stalledRepositoryNeverAnswers() {
        server.stall("acme", "app");
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.origin() + "/acme/app/info/refs?service=git-upload-pack"))
                .timeout(Duration.ofMillis(700)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class); // no answer within the request's 700 ms
        assertThat(server.requestCount("acme", "app")).isEqualTo(1);
    }
}
