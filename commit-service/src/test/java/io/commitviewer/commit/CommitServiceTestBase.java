package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchEvent;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.testsupport.ApiContract;
import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.ContractRecorder;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.OpenApiDocuments;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service against real RabbitMQ, real git on a loopback server, and MongoDB (or its stand-in),
 * for the {@code *IT} classes of this package that extend it, one feature each: {@link FetchAndRefreshIT},
 * {@link BranchesIT}, {@link ApiIT}, {@link FetchFailuresIT}, {@link DeliveryIT}, {@link ProjectDeletionIT}.
 *
 * <p>They share one application context (and so one start of the infrastructure and of the
 * service per JVM) because Spring's test context cache finds their configuration identical: all
 * of it is here. A subclass must add nothing that goes into the cache's key — no
 * {@code @SpringBootTest}, {@code @Import}, {@code @ContextConfiguration},
 * {@code @TestPropertySource}, {@code @ActiveProfiles}, {@code @DirtiesContext}, no
 * {@code @DynamicPropertySource} method, no {@code @MockitoBean} field — or it gets a context of
 * its own. Injected fields ({@code @Autowired}, {@code @LocalServerPort}) are no part of the key.
 *
 * <p>The servers the context is configured with (the git server, the project-service stand-in)
 * start once per JVM, when the first subclass is initialised, and stop when the JVM exits: an
 * {@code @AfterAll} here would run after each subclass and stop them under the context the next
 * one reuses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "commitviewer.consumer.initial-backoff=100ms",
            "commitviewer.consumer.max-retries=1", "commitviewer.fetch.max-attempts=2", "commitviewer.fetch.initial-backoff=100ms",
            "commitviewer.ingest.batch-size=500",
            "commitviewer.ingest.max-commits=5000", "commitviewer.git.fetch-timeout=5s",
            "commitviewer.ingest.max-message-bytes=200", "commitviewer.store.check-interval=1s",
            "commitviewer.projects.cache-ttl=0s"})
@Import(InfrastructureConfiguration.class)
@ContextConfiguration(initializers = InfrastructureConfiguration.EmbeddedMongoWithoutDocker.class)
// its consumers must not stay on the shared queues after these classes (CommitServiceRestartIT runs the jar): the
// context is paused after each class (src/test/resources/spring.properties); a @DirtiesContext would close it after each
abstract class CommitServiceTestBase {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path COMMITTED_DOCUMENT = Path.of("../docs/openapi/commit-service.json");
    private static final Path SERVED = tempDir("served");
    static final Path CACHE = tempDir("mirrors");
    static final GitHttpServer SERVER = GitHttpServer.start(SERVED);

    /** project-service as commit-service asks it about projects it does not hold: id to the JSON it answers. */
    static final Map<String, String> KNOWN_PROJECTS = new ConcurrentHashMap<>();
    private static final HttpServer PROJECT_SERVICE = projectServiceStandIn();
    /** An allowed origin with nothing listening. */
    static final int CLOSED_PORT = closedPort();

    static {
        // once per JVM, as the context that points at them lives until the last subclass (or the JVM's exit)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            SERVER.close();
            PROJECT_SERVICE.stop(0);
        }, "commit-service-it-servers"));
    }

    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void gitServer(DynamicPropertyRegistry registry) {
        registry.add("commitviewer.git.allowed-origins", () -> "https://github.com," + SERVER.allowedOrigin() + ",internal:http://127.0.0.1:" + CLOSED_PORT);
        registry.add("commitviewer.cache.dir", CACHE::toString);
        registry.add("commitviewer.projects.url", () -> "http://127.0.0.1:" + PROJECT_SERVICE.getAddress().getPort());
    }

    private static HttpServer projectServiceStandIn() {
        try {
            HttpServer server = HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/projects/", exchange -> {
                String id = exchange.getRequestURI().getPath().substring("/api/projects/".length());
                String body = KNOWN_PROJECTS.get(id);
                int status = body == null ? 404 : body.equals("broken") ? 500 : 200;
                byte[] bytes = (body == null || status == 500 ? "{}" : body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    EventCodec codec;

    @Autowired
    JsonMapper json;

    @Autowired
    MongoTemplate mongo;

    @Autowired
    CommitStore store;

    @Autowired
    io.commitviewer.commit.project.ProjectStates states;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    io.commitviewer.commit.mirror.MirrorCache mirrors;

    @Autowired
    io.commitviewer.common.url.RepositoryUrlPolicy urls;

    final HttpClient http = HttpClient.newHttpClient();

    static Path tempDir(String name) {
        try {
            return Files.createTempDirectory("commit-service-it-" + name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The statuses the responses of a subclass must include, so that the contract test
     * ({@link #everyResponseConformsToTheDocument}) holds each kind it causes to the document.
     * Read by that method only, not by Spring: it is no part of the context's configuration.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface CausesStatuses {
        int[] value();
    }

    /** Responses recorded before a class started, another class's (e.g. FaultsIT's, whose service is the same). */
    private static List<ApiContract.Exchange> causedBefore = List.of();

    @BeforeAll
    static void setAsideWhatOthersCaused() {
        causedBefore = ContractRecorder.drain();
    }

    /**
     * Every response the class caused, against the committed OpenAPI document (the contract test),
     * after each subclass: a violation fails the class that caused it. Responses recorded before
     * the class started are held to the document too, but do not count as the class's.
     */
    @AfterAll
    static void everyResponseConformsToTheDocument(TestInfo test) throws Exception {
        List<ApiContract.Exchange> exchanges = ContractRecorder.drain();
        List<ApiContract.Exchange> all = new ArrayList<>(causedBefore);
        all.addAll(exchanges);
        causedBefore = List.of();
        if (Boolean.getBoolean(OpenApiDocuments.WRITE)) {
            return; // the document is being rewritten from what the service serves
        }
        Class<?> testClass = test.getTestClass().orElseThrow();
        CausesStatuses causes = testClass.getAnnotation(CausesStatuses.class);
        assertThat(causes).as("%s says which statuses its responses include (@CausesStatuses)", testClass.getSimpleName())
                .isNotNull();
        assertThat(exchanges).as("the recorder saw the API's responses").isNotEmpty();
        assertThat(exchanges).extracting(ApiContract.Exchange::status)
                .contains(IntStream.of(causes.value()).boxed().toArray(Integer[]::new));
        assertThat(ApiContract.of(COMMITTED_DOCUMENT).violations(all)).isEmpty();
    }

    @BeforeEach
    void clear() {
        for (String queue : List.of(AmqpNames.FETCH_RESULTS_QUEUE, AmqpNames.PROJECT_WORK_DLQ)) {
            admin.purgeQueue(queue, false);
        }
        // everything but the store's identity and markers (ADR 0006): their loss is a test of its own
        var allButIdentity = com.mongodb.client.model.Filters.ne("_id", "~store");
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).deleteMany(allButIdentity);
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.BRANCHES).deleteMany(allButIdentity);
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.TAGS).deleteMany(allButIdentity);
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.PROJECTS).deleteMany(allButIdentity);
        mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.DELETED_PROJECTS).deleteMany(allButIdentity);
        KNOWN_PROJECTS.clear();
    }

    ServedRepository repository(String name, int commits) {
        ServedRepository repository = SERVER.repository("acme", name);
        repository.load(SyntheticHistory.builder().commits(commits).branches(4).build());
        return repository;
    }

    void publish(Event event) {
        rabbit.send(AmqpNames.EXCHANGE, event.type().routingKey(),
                codec.toMessage(event, MessageTrace.of(event, null)));
    }

    /** The results published for a fetch, in order, waiting until a terminal one arrives. */
    List<Event> results(UUID fetchId) {
        List<Event> events = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null) {
                Event event = codec.fromMessage(message);
                if (event instanceof FetchEvent fetch && fetch.fetchId().equals(fetchId)) {
                    events.add(event);
                }
            }
            return !events.isEmpty() && !(events.get(events.size() - 1) instanceof FetchStarted);
        });
        return events;
    }

    /** Results of the fetch that arrive within {@code wait}, store announcements left aside. */
    List<Event> laterResults(UUID fetchId, Duration wait) {
        List<Event> events = new ArrayList<>();
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 200);
            if (message != null && codec.fromMessage(message) instanceof FetchEvent event && event.fetchId().equals(fetchId)) {
                events.add(event);
            }
        }
        return events;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Walks every page by cursor and returns the shas in the order served. */
    List<String> walk(UUID projectId, int limit) throws Exception {
        return CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), limit);
    }

    FetchSucceeded fetch(UUID projectId, String name) {
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", name), fetchId));
        List<Event> events = results(fetchId);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(FetchStarted.class);
        assertThat(events.get(1)).isInstanceOf(FetchSucceeded.class);
        return (FetchSucceeded) events.get(1);
    }

    /** What the LRU bound does to a mirror: the next fetch clones again and lists the whole history. */
    void evictMirror(String name) {
        io.commitviewer.common.git.FileTrees.deleteQuietly(mirrors.dirOf(urls.parse(SERVER.url("acme", name))));
    }

    /** git commands run so far, observed by the service's CommandObserver (the git command timer). */
    long gitRuns() {
        return meters.find("commitviewer.git.command.duration").timers().stream().mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }
}
