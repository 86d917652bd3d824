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
import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import io.commitviewer.testsupport.TestInfrastructure;
import java.io.IOException;
import java.net.ServerSocket;
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

    /** The service's environment: RabbitMQ, MongoDB (a container, or the stand-in in this JVM), the git server. */
    private Map<String, String> environment(GitHttpServer server, TestInfrastructure.RabbitMq rabbit, int port) throws IOException {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "SPRING_RABBITMQ_HOST", rabbit.host(), "SPRING_RABBITMQ_PORT", Integer.toString(rabbit.port()),
                "SPRING_RABBITMQ_USERNAME", rabbit.username(), "SPRING_RABBITMQ_PASSWORD", rabbit.password(),
                "PORT", Integer.toString(port), "MANAGEMENT_PORT", Integer.toString(freePort()),
                "COMMITVIEWER_GIT_ALLOWED_ORIGINS", server.allowedOrigin(),
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
        return env;
    }

    @Test
    void killedMidIngestAndRestartedItFinishesWithNothingMissingOrDoubled() throws Exception {
        Files.createDirectories(logs);
        TestInfrastructure.RabbitMq rabbit = TestInfrastructure.rabbitMq();
        try (GitHttpServer server = GitHttpServer.start(work.resolve("served"))) {
            ServedRepository repository = server.repository("acme", "restart");
            repository.load(SyntheticHistory.builder().commits(20_000).branches(5).build());
            int port = freePort();
            Map<String, String> env = environment(server, rabbit, port);
            UUID projectId = UUID.randomUUID();
            FetchRequested request = FetchRequested.of(projectId, server.url("acme", "restart"), UUID.randomUUID());

            try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
                Results results = new Results(channel);
                Process first = start(env, logs.resolve("first.log"));
                awaitConsumer(channel);
                publish(channel, request);
                // kill it while commits are being written: the fetch was announced and the store grows
                await().atMost(Duration.ofSeconds(60)).until(() -> results.count(request, "fetch.started") == 1);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> storedCommits() > 0);
                first.destroyForcibly().waitFor();
                assertThat(Files.readString(logs.resolve("first.log"))).doesNotContain("Fetch succeeded");

                start(env, logs.resolve("second.log"));
                await().atMost(Duration.ofSeconds(120)).until(() -> results.count(request, "fetch.succeeded") == 1);
                assertThat(results.count(request, "fetch.started")).as("the request was delivered twice").isEqualTo(2);
                // the redelivered request took back what the killed attempt wrote and listed the history again
                assertThat(Files.readString(logs.resolve("second.log"))).contains("Took back attempt", "Listed 20000 commits");
            }
            assertThat(walk(port, projectId)).doesNotHaveDuplicates().containsExactlyElementsOf(repository.revListBranches());
        }
    }

    /**
     * Killed after a refresh inserted new commits, whose branch is then force-pushed back upstream
     * so that they are on no branch any more: the redelivered refresh takes them back, and the
     * served set is exactly {@code git rev-list --branches}, also after one more refresh.
     */
    @Test
    void killedMidRefreshWhoseNewCommitsThenLeaveEveryBranchServesExactlyRevList() throws Exception {
        Files.createDirectories(logs);
        TestInfrastructure.RabbitMq rabbit = TestInfrastructure.rabbitMq();
        try (GitHttpServer server = GitHttpServer.start(work.resolve("served"))) {
            ServedRepository repository = server.repository("acme", "refreshed");
            repository.load(SyntheticHistory.builder().commits(3_000).branches(3).build());
            int port = freePort();
            Map<String, String> env = environment(server, rabbit, port);
            UUID projectId = UUID.randomUUID();
            String url = server.url("acme", "refreshed");

            try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
                Results results = new Results(channel);
                Process first = start(env, logs.resolve("refresh-first.log"));
                awaitConsumer(channel);
                FetchRequested initial = FetchRequested.of(projectId, url, UUID.randomUUID());
                publish(channel, initial);
                await().atMost(Duration.ofSeconds(60)).until(() -> results.count(initial, "fetch.succeeded") == 1);
                long before = storedCommits();
                String mainBefore = repository.tip("main");
                repository.addCommits("main", 30_000);

                FetchRequested refresh = FetchRequested.of(projectId, url, UUID.randomUUID());
                publish(channel, refresh);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> storedCommits() > before + 1_000);
                first.destroyForcibly().waitFor();
                assertThat(results.count(refresh, "fetch.succeeded")).as("killed before the refresh ended").isZero();
                repository.forcePush("main", mainBefore); // the 30,000 new commits are on no branch now

                start(env, logs.resolve("refresh-second.log"));
                await().atMost(Duration.ofSeconds(120)).until(() -> results.count(refresh, "fetch.succeeded") == 1);
                assertThat(results.count(refresh, "fetch.started")).as("the refresh was delivered twice").isEqualTo(2);
                assertThat(walk(port, projectId)).doesNotHaveDuplicates().containsExactlyElementsOf(repository.revListBranches());

                FetchRequested again = FetchRequested.of(projectId, url, UUID.randomUUID());
                publish(channel, again);
                await().atMost(Duration.ofSeconds(60)).until(() -> results.count(again, "fetch.succeeded") == 1);
            }
            List<String> expected = repository.revListBranches();
            assertThat(walk(port, projectId)).doesNotHaveDuplicates().containsExactlyElementsOf(expected);
            assertThat(storedCommits()).as("nothing stored beside what is served").isEqualTo(expected.size());
        }
    }

    private List<String> walk(int port, UUID projectId) throws Exception {
        return CommitPages.walk("http://127.0.0.1:" + port, projectId.toString());
    }

    /** Every result event published so far (the results queue drained into it), by fetch and type. */
    private final class Results {
        private final Channel channel;
        private final List<JsonNode> received = new ArrayList<>();
        private final List<String> types = new ArrayList<>();

        Results(Channel channel) throws IOException {
            this.channel = channel;
            // requests and results other tests left behind would be served first (and slowly: their servers are gone)
            channel.queuePurge(AmqpNames.FETCH_REQUESTS_QUEUE);
            channel.queuePurge(AmqpNames.FETCH_RESULTS_QUEUE);
        }

        long count(FetchRequested request, String type) throws IOException {
            GetResponse response;
            while ((response = channel.basicGet(AmqpNames.FETCH_RESULTS_QUEUE, true)) != null) {
                Object header = response.getProps().getHeaders() == null ? null : response.getProps().getHeaders().get("type");
                types.add(String.valueOf(header));
                received.add(json.readTree(response.getBody()));
            }
            long count = 0;
            for (int i = 0; i < received.size(); i++) {
                if (types.get(i).equals(type) && request.fetchId().toString().equals(received.get(i).path("fetchId").asString(null))) {
                    count++;
                }
            }
            return count;
        }
    }

    /** Commits in the store, of every project. */
    private long storedCommits() {
        String uri = mongo != null ? mongo.getReplicaSetUrl("commitviewer")
                : "mongodb://127.0.0.1:" + standIn.getLocalAddress().getPort() + "/commitviewer";
        try (var client = com.mongodb.client.MongoClients.create(uri)) {
            return client.getDatabase("commitviewer").getCollection("commits").countDocuments(new org.bson.Document("projectId",
                    new org.bson.Document("$ne", "~store")));
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

}
