package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import io.commitviewer.testsupport.TestInfrastructure;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.mongodb.MongoDBContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service from its jar, killed with SIGKILL while it ingests and started again: the request
 * was not acked, the broker delivers it again, and the store ends with exactly the repository's
 * commits, none missing, none doubled. MongoDB is a container with Docker, otherwise the stand-in
 * served from this test's JVM, so that the store outlives the killed process as a server would.
 */
class CommitServiceRestartIT {

    @TempDir
    Path work;

    private final List<Process> processes = new ArrayList<>();
    /** Logs of the two processes, kept in target/ for when this fails. */
    private final Path logs = Path.of("target", "restart-it");
    private final JsonMapper json = JsonMapper.builder().build();
    private MongoDBContainer mongo;
    private de.bwaldvogel.mongo.MongoServer standIn;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (mongo != null) {
            mongo.stop();
        }
        if (standIn != null) {
            standIn.shutdownNow();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process start(Map<String, String> env, Path log) throws IOException {
        Path jar = Path.of("target", "commit-service.jar").toAbsolutePath();
        assertThat(jar).as("the jar is built before the integration tests").exists();
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    @Test
    void killedMidIngestAndRestartedItFinishesWithNothingMissingOrDoubled() throws Exception {
        Files.createDirectories(logs);
        TestInfrastructure.RabbitMq rabbit = TestInfrastructure.rabbitMq();
        try (GitHttpServer server = GitHttpServer.start(work.resolve("served"))) {
            ServedRepository repository = server.repository("acme", "restart");
            repository.load(SyntheticHistory.builder().commits(20_000).branches(5).build());
            int port = freePort();
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "SPRING_RABBITMQ_HOST", rabbit.host(), "SPRING_RABBITMQ_PORT", Integer.toString(rabbit.port()),
                    "SPRING_RABBITMQ_USERNAME", rabbit.username(), "SPRING_RABBITMQ_PASSWORD", rabbit.password(),
                    "PORT", Integer.toString(port), "MANAGEMENT_PORT", Integer.toString(freePort()),
                    "COMMITVIEWER_GIT_ALLOWED_ORIGINS", server.origin(),
                    "COMMITVIEWER_CACHE_DIR", work.resolve("mirrors").toString(),
                    "COMMITVIEWER_INGEST_BATCH_SIZE", "200"));
            if (TestInfrastructure.useContainers()) {
                mongo = new MongoDBContainer(InfrastructureConfiguration.MONGO_IMAGE);
                mongo.start();
                env.put("SPRING_MONGODB_URI", mongo.getReplicaSetUrl("commitviewer"));
            } else {
                // the stand-in runs in this test's JVM, outside the service, like a MongoDB server would
                standIn = new de.bwaldvogel.mongo.MongoServer(new de.bwaldvogel.mongo.backend.memory.MemoryBackend());
                standIn.bind("127.0.0.1", 0);
                env.put("SPRING_MONGODB_URI", "mongodb://127.0.0.1:" + standIn.getLocalAddress().getPort() + "/commitviewer");
            }
            UUID projectId = UUID.randomUUID();
            FetchRequested request = FetchRequested.of(projectId, server.url("acme", "restart"), UUID.randomUUID());

            try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
                // requests other tests left behind would be served first (and slowly: their servers are gone)
                channel.queuePurge(AmqpNames.FETCH_REQUESTS_QUEUE);
                channel.queuePurge(AmqpNames.FETCH_RESULTS_QUEUE);
                Process first = start(env, logs.resolve("first.log"));
                awaitConsumer(channel);
                publish(channel, request);
                // kill it while commits are being written: the fetch was announced and the store grows
                await().atMost(Duration.ofSeconds(60)).until(() -> received(channel, "fetch.started"));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(this::commitsBeingWritten);
                first.destroyForcibly().waitFor();
                assertThat(Files.readString(logs.resolve("first.log"))).doesNotContain("Fetch succeeded");

                start(env, logs.resolve("second.log"));
                await().atMost(Duration.ofSeconds(120)).until(() -> received(channel, "fetch.succeeded"));
                // the redelivered request listed the history again and inserted only what was missing
                assertThat(Files.readString(logs.resolve("second.log"))).contains("Listed 20000 commits");
            }
            HttpClient http = HttpClient.newHttpClient();
            List<String> shas = new ArrayList<>();
            String cursor = null;
            do {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/projects/" + projectId + "/commits?limit=100" + (cursor == null ? "" : "&cursor=" + cursor))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                JsonNode page = json.readTree(response.body());
                page.get("items").forEach(item -> shas.add(item.get("sha").asString()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            } while (cursor != null);
            assertThat(shas).doesNotHaveDuplicates().containsExactlyElementsOf(repository.revListBranches());
        }
    }

    /** Commits are arriving in the store. */
    private boolean commitsBeingWritten() {
        String uri = mongo != null ? mongo.getReplicaSetUrl("commitviewer")
                : "mongodb://127.0.0.1:" + standIn.getLocalAddress().getPort() + "/commitviewer";
        try (var client = com.mongodb.client.MongoClients.create(uri)) {
            return client.getDatabase("commitviewer").getCollection("commits").countDocuments() > 0;
        }
    }

    private static Connection connect(TestInfrastructure.RabbitMq rabbit) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbit.host());
        factory.setPort(rabbit.port());
        factory.setUsername(rabbit.username());
        factory.setPassword(rabbit.password());
        return factory.newConnection("commit-service-restart-it");
    }

    private static void awaitConsumer(Channel channel) {
        await().atMost(Duration.ofSeconds(120)).until(() ->
                channel.consumerCount(AmqpNames.FETCH_REQUESTS_QUEUE) > 0);
    }

    private void publish(Channel channel, FetchRequested request) throws IOException {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                .deliveryMode(2).messageId(request.eventId().toString()).headers(Map.of("type", "fetch.requested")).build();
        channel.basicPublish(AmqpNames.EXCHANGE, "fetch.requested", true, properties, json.writeValueAsBytes(request));
    }

    /** True once a result of this type is on the results queue (results of other types are dropped). */
    private static boolean received(Channel channel, String type) throws IOException {
        GetResponse response;
        while ((response = channel.basicGet(AmqpNames.FETCH_RESULTS_QUEUE, true)) != null) {
            Object header = response.getProps().getHeaders() == null ? null : response.getProps().getHeaders().get("type");
            if (header != null && header.toString().equals(type)) {
                return true;
            }
        }
        return false;
    }
}
