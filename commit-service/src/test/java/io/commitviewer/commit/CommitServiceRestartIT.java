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
        // the client compiler only: the service starts in about half the time; these tests check behaviour, not speed
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
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
        // a killed instance's shards move to the others after the lapse
        env.put("COMMITVIEWER_SHARDS_HEARTBEAT_EVERY", "1s");
        env.put("COMMITVIEWER_SHARDS_LAPSE", "4s");
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

    /**
     * Two instances, each with its own mirror cache (ADR 0010, item 7): every fetch of a project goes
     * to the instance that consumes the project's shard, so each repository is cloned on one of them
     * only; killed, an instance's shards move to the survivor, which fetches its projects from then on.
     */
    @Test
    void twoInstancesKeepEachProjectsMirrorOnOneAndTheSurvivorTakesAKilledOnesShards() throws Exception {
        Files.createDirectories(logs);
        TestInfrastructure.RabbitMq rabbit = TestInfrastructure.rabbitMq();
        try (GitHttpServer server = GitHttpServer.start(work.resolve("served"))) {
            Map<String, String> first = environment(server, rabbit, freePort());
            Map<String, String> second = new java.util.HashMap<>(first);
            second.put("PORT", Integer.toString(freePort()));
            second.put("MANAGEMENT_PORT", Integer.toString(freePort()));
            second.put("COMMITVIEWER_CACHE_DIR", work.resolve("mirrors-2").toString());
            List<Path> caches = List.of(Path.of(first.get("COMMITVIEWER_CACHE_DIR")), Path.of(second.get("COMMITVIEWER_CACHE_DIR")));
            Map<UUID, String> projects = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                server.repository("acme", "affinity-" + i).load(SyntheticHistory.builder().commits(30).branches(2).build());
                projects.put(UUID.randomUUID(), "affinity-" + i);
            }

            try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
                Results results = new Results(channel);
                List<Process> instances = List.of(start(first, logs.resolve("affinity-1.log")), start(second, logs.resolve("affinity-2.log")));
                // both alive and the shards split between them, each consumed by its owner alone (the first
                // instance's cancelled consumers gone from the broker)
                await().atMost(Duration.ofSeconds(120)).until(() -> liveInstances() == 2
                        && ownedShards(first) > 0 && ownedShards(second) > 0
                        && ownedShards(first) + ownedShards(second) == AmqpNames.PROJECT_WORK_SHARDS
                        && AmqpNames.projectWorkQueues().stream().allMatch(queue -> consumerCount(channel, queue) == 1));

                for (int round = 0; round < 3; round++) { // the first fetch, then two refreshes, of every project
                    fetchAll(channel, results, server, projects);
                }
                Map<UUID, Integer> holder = new java.util.HashMap<>();
                for (var project : projects.entrySet()) {
                    List<Integer> with = mirrorsOf(caches, project.getValue());
                    assertThat(with).as("instances with a mirror of %s after three fetches", project.getValue()).hasSize(1);
                    holder.put(project.getKey(), with.get(0));
                }

                int killed = holder.values().iterator().next();
                instances.get(killed).destroyForcibly().waitFor();
                fetchAll(channel, results, server, projects);
                for (var project : projects.entrySet()) {
                    if (holder.get(project.getKey()) == killed) {
                        assertThat(mirrorsOf(caches, project.getValue())).as("%s, its instance killed", project.getValue())
                                .contains(1 - killed);
                    }
                }
            }
        }
    }

    /** Requests a fetch of every project at once and waits until each has succeeded. */
    private void fetchAll(Channel channel, Results results, GitHttpServer server, Map<UUID, String> projects) throws Exception {
        List<FetchRequested> requests = new ArrayList<>();
        for (var project : projects.entrySet()) {
            FetchRequested request = FetchRequested.of(project.getKey(), server.url("acme", project.getValue()), UUID.randomUUID());
            publish(channel, request);
            requests.add(request);
        }
        for (FetchRequested request : requests) {
            await().atMost(Duration.ofSeconds(120)).until(() -> results.count(request, "fetch.succeeded") == 1);
        }
    }

    /** The instances (0, 1) whose mirror cache holds the repository. */
    private static List<Integer> mirrorsOf(List<Path> caches, String repository) throws IOException {
        List<Integer> with = new ArrayList<>();
        for (int i = 0; i < caches.size(); i++) {
            try (var paths = Files.walk(caches.get(i))) {
                if (paths.anyMatch(path -> path.getFileName().toString().equals(repository + ".git") && Files.isDirectory(path))) {
                    with.add(i);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // no mirror yet on that instance
            }
        }
        return with;
    }

    /** The shards an instance consumes, from its metrics ({@code commitviewer.shards.owned}); -1 while it does not answer. */
    private static int ownedShards(Map<String, String> env) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + env.get("MANAGEMENT_PORT") + "/actuator/prometheus")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.body().lines().filter(line -> line.startsWith("commitviewer_shards_owned"))
                    .mapToInt(line -> (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Instances that said they are alive (ADR 0010's {@code instances} collection). */
    private long liveInstances() {
        String uri = mongo != null ? mongo.getReplicaSetUrl("commitviewer")
                : "mongodb://127.0.0.1:" + standIn.getLocalAddress().getPort() + "/commitviewer";
        try (var client = com.mongodb.client.MongoClients.create(uri)) {
            return client.getDatabase("commitviewer").getCollection("instances").countDocuments();
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
            for (String queue : AmqpNames.projectWorkQueues()) {
                channel.queuePurge(queue);
            }
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

    /** Until every shard queue of the project work has a consumer. */
    private static void awaitConsumer(Channel channel) {
        await().atMost(Duration.ofSeconds(120)).until(() -> consumers(channel) >= AmqpNames.PROJECT_WORK_SHARDS
                && AmqpNames.projectWorkQueues().stream().allMatch(queue -> consumerCount(channel, queue) > 0));
    }

    /** Consumers of every shard queue together (a single active one each, others waiting). */
    private static long consumers(Channel channel) {
        return AmqpNames.projectWorkQueues().stream().mapToLong(queue -> consumerCount(channel, queue)).sum();
    }

    private static long consumerCount(Channel channel, String queue) {
        try {
            return channel.consumerCount(queue);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void publish(Channel channel, FetchRequested request) throws IOException {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                .deliveryMode(2).messageId(request.eventId().toString()).headers(Map.of("type", "fetch.requested", AmqpNames.PROJECT_ID_HEADER, request.projectId().toString())).build();
        channel.basicPublish(AmqpNames.EXCHANGE, "fetch.requested", true, properties, json.writeValueAsBytes(request));
    }

}
