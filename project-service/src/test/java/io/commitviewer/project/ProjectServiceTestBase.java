package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The running service on a random port against real PostgreSQL and RabbitMQ; state is cleared before each test. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "commitviewer.outbox.poll-interval=200ms",
            "commitviewer.results.initial-backoff=50ms", "commitviewer.results.max-retries=2",
            "commitviewer.fetch.min-refresh-interval=0s"})
@Import(InfrastructureConfiguration.class)
abstract class ProjectServiceTestBase {

    /** The commit store's epoch in the results these tests publish, and its sequence. */
    static final UUID STORE_EPOCH = UUID.randomUUID();
    static final AtomicLong STORE_SEQUENCE = new AtomicLong();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    EventCodec codec;

    @Autowired
    JsonMapper json;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final java.nio.file.Path COMMITTED_DOCUMENT = java.nio.file.Path.of("../docs/openapi/project-service.json");

    /** Every response the class caused, against the committed OpenAPI document (the contract test). */
    @org.junit.jupiter.api.AfterAll
    static void everyResponseConformsToTheDocument() throws Exception {
        List<io.commitviewer.testsupport.ApiContract.Exchange> exchanges = io.commitviewer.testsupport.ContractRecorder.drain();
        if (Boolean.getBoolean(io.commitviewer.testsupport.OpenApiDocuments.WRITE)) {
            return; // the document is being rewritten from what the service serves
        }
        assertThat(exchanges).as("the recorder saw the API's responses").isNotEmpty();
        assertThat(io.commitviewer.testsupport.ApiContract.of(COMMITTED_DOCUMENT).violations(exchanges)).isEmpty();
    }

    @BeforeEach
    void clearState() {
        jdbc.execute("TRUNCATE projects, fetches, outbox, processed_events, key_fetches CASCADE");
        List<String> queues = new ArrayList<>(AmqpNames.projectWorkQueues());
        queues.addAll(List.of(AmqpNames.PROJECT_WORK_DLQ, AmqpNames.FETCH_REQUESTS_QUEUE, AmqpNames.PROJECT_DELETIONS_QUEUE,
                AmqpNames.deadLetterQueue(AmqpNames.FETCH_RESULTS_QUEUE)));
        for (String queue : queues) {
            admin.purgeQueue(queue, false);
        }
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
    }

    static final Duration WAIT = Duration.ofSeconds(15);

    Response send(String method, String path, String body) throws Exception {
        return send(method, path, body, null);
    }

    /** With {@code token}: as that API key ({@code Authorization: Bearer}). */
    Response send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = response.body() == null || response.body().isBlank() ? null : json.readTree(response.body());
        return new Response(response.statusCode(), node, response);
    }

    Response post(String url) throws Exception {
        return send("POST", "/api/projects", "{\"url\":\"" + url + "\"}");
    }

    Response get(String path) throws Exception {
        return send("GET", path, null);
    }

    static UUID id(Response response) {
        return UUID.fromString(response.body().get("id").asString());
    }

    static UUID fetchId(Response response) {
        return UUID.fromString(response.body().get("fetch").get("id").asString());
    }

    JsonNode project(UUID id) throws Exception {
        Response response = get("/api/projects/" + id);
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    String management(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    void publish(Event event) {
        rabbit.send(AmqpNames.EXCHANGE, event.type().routingKey(),
                codec.toMessage(event, MessageTrace.of(event, null)));
    }

    /** A success as commit-service reports it, at the next sequence of {@link #STORE_EPOCH}. */
    static FetchSucceeded succeeded(UUID projectId, UUID fetchId, long commits, long newCommits, int branches, long durationMs) {
        return FetchSucceeded.of(projectId, fetchId, commits, newCommits, branches, durationMs, STORE_EPOCH,
                STORE_SEQUENCE.incrementAndGet());
    }

    /** Every message now on the queue (waiting up to {@code wait} for the first). */
    List<Message> drain(String queue, Duration wait) {
        List<Message> messages = new ArrayList<>();
        Message first = rabbit.receive(queue, wait.toMillis());
        while (first != null) {
            messages.add(first);
            first = rabbit.receive(queue, 300);
        }
        return messages;
    }

    /** Messages of the project work drained from the shards but of another type than asked for, kept for a later call. */
    private final List<Message> otherWork = new ArrayList<>();

    /**
     * Every {@code type} message now on the shard queues of the project work (ADR 0010), where
     * project-service's fetch requests and deletions go (waiting up to {@code wait} for the first,
     * then until none came for 300 ms).
     */
    List<Message> drainWork(io.commitviewer.common.events.EventType type, Duration wait) {
        List<Message> drained = new ArrayList<>(otherWork);
        otherWork.clear();
        // the shards have a single active consumer, and quorum queues refuse basic.get on those: consume
        java.util.concurrent.BlockingQueue<Message> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        var converter = new org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter();
        rabbit.execute(channel -> {
            List<String> tags = new ArrayList<>();
            for (String queue : AmqpNames.projectWorkQueues()) {
                tags.add(channel.basicConsume(queue, true, new com.rabbitmq.client.DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                            com.rabbitmq.client.AMQP.BasicProperties properties, byte[] body) {
                        arrived.add(new Message(body, converter.toMessageProperties(properties, envelope, "UTF-8")));
                    }
                }));
            }
            try {
                long deadline = System.nanoTime() + wait.toNanos();
                long quietUntil = drained.stream().anyMatch(m -> isOf(m, type)) ? System.nanoTime() + 300_000_000L : Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    Message message = arrived.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (message != null) {
                        drained.add(message);
                        if (quietUntil != Long.MAX_VALUE || isOf(message, type)) {
                            quietUntil = System.nanoTime() + 300_000_000L;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (String tag : tags) {
                channel.basicCancel(tag);
            }
            return null;
        });
        arrived.drainTo(drained);
        List<Message> ofType = new ArrayList<>();
        for (Message message : drained) {
            (isOf(message, type) ? ofType : otherWork).add(message);
        }
        return ofType;
    }

    private static boolean isOf(Message message, io.commitviewer.common.events.EventType type) {
        return type.routingKey().equals(message.getMessageProperties().getHeaders().get(AmqpNames.TYPE_HEADER));
    }

    JsonNode body(Message message) {
        return json.readTree(message.getBody());
    }

    long outboxBacklog() {
        return jdbc.queryForObject("SELECT count(*) FROM outbox", Long.class);
    }
}
