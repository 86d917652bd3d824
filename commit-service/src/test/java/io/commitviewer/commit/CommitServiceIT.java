package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.testsupport.CommitPages;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import com.sun.net.httpserver.HttpServer;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.CommitStoreChecked;
import io.commitviewer.common.events.FetchEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The service against real RabbitMQ, real git on a loopback server, and MongoDB (or its stand-in). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "commitviewer.consumer.initial-backoff=100ms",
            "commitviewer.consumer.max-retries=1", "commitviewer.fetch.max-attempts=2", "commitviewer.fetch.initial-backoff=100ms",
            "commitviewer.ingest.batch-size=500",
            "commitviewer.ingest.max-commits=5000", "commitviewer.git.fetch-timeout=5s",
            "commitviewer.ingest.max-message-bytes=200", "commitviewer.store.check-interval=1s",
            "commitviewer.projects.cache-ttl=0s"})
@Import(InfrastructureConfiguration.class)
@ContextConfiguration(initializers = InfrastructureConfiguration.EmbeddedMongoWithoutDocker.class)
// its consumers must not stay on the shared queues after this class (CommitServiceRestartIT runs the jar)
@org.springframework.test.annotation.DirtiesContext
class CommitServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path COMMITTED_DOCUMENT = Path.of("../docs/openapi/commit-service.json");
    private static final Path SERVED = tempDir("served");
    private static final Path CACHE = tempDir("mirrors");
    private static final GitHttpServer SERVER = GitHttpServer.start(SERVED);

    /** project-service as commit-service asks it about projects it does not hold: id to the JSON it answers. */
    private static final Map<String, String> KNOWN_PROJECTS = new ConcurrentHashMap<>();
    private static final HttpServer PROJECT_SERVICE = projectServiceStandIn();
    /** An allowed origin with nothing listening. */
    private static final int CLOSED_PORT = closedPort();

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

    @org.springframework.boot.test.web.server.LocalManagementPort
    int managementPort;

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

    final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    static void stopServer() {
        SERVER.close();
        PROJECT_SERVICE.stop(0);
    }

    private static Path tempDir(String name) {
        try {
            return Files.createTempDirectory("commit-service-it-" + name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every response this class caused, against the committed OpenAPI document (the contract test). */
    @AfterAll
    static void everyResponseConformsToTheDocument() throws Exception {
        List<io.commitviewer.testsupport.ApiContract.Exchange> exchanges = io.commitviewer.testsupport.ContractRecorder.drain();
        if (Boolean.getBoolean(io.commitviewer.testsupport.OpenApiDocuments.WRITE)) {
            return; // the document is being rewritten from what the service serves
        }
        assertThat(exchanges).as("the recorder saw the API's responses").isNotEmpty();
        assertThat(exchanges).extracting(io.commitviewer.testsupport.ApiContract.Exchange::status).contains(200, 202, 304, 400, 404, 409);
        assertThat(io.commitviewer.testsupport.ApiContract.of(COMMITTED_DOCUMENT).violations(exchanges)).isEmpty();
    }

    @BeforeEach
    void clear() {
        for (String queue : List.of(AmqpNames.FETCH_RESULTS_QUEUE, AmqpNames.PROJECT_WORK_DLQ)) {
            admin.purgeQueue(queue, false);
        }
        // everything but the store's identity and markers (ADR 0006): their loss is a test of its own
        var allButIdentity = com.mongodb.client.model.Filters.ne("_id", "~store");
        mongo.getDb().getCollection(CommitStore.COMMITS).deleteMany(allButIdentity);
        mongo.getDb().getCollection(CommitStore.BRANCHES).deleteMany(allButIdentity);
        mongo.getDb().getCollection(CommitStore.PROJECTS).deleteMany(allButIdentity);
        mongo.getDb().getCollection(CommitStore.DELETED_PROJECTS).deleteMany(allButIdentity);
        KNOWN_PROJECTS.clear();
    }

    private ServedRepository repository(String name, int commits) {
        ServedRepository repository = SERVER.repository("acme", name);
        repository.load(SyntheticHistory.builder().commits(commits).branches(4).build());
        return repository;
    }

    private void publish(Event event) {
        rabbit.send(AmqpNames.EXCHANGE, event.type().routingKey(),
                codec.toMessage(event, MessageTrace.of(event, null)));
    }

    /** The results published for a fetch, in order, waiting until a terminal one arrives. */
    private List<Event> results(UUID fetchId) {
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
    private List<Event> laterResults(UUID fetchId, Duration wait) {
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

    /** The next announcement of the store that matches, discarding fetch results meanwhile. */
    private CommitStoreChecked announcement(java.util.function.Predicate<CommitStoreChecked> matching) {
        java.util.concurrent.atomic.AtomicReference<CommitStoreChecked> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null && codec.fromMessage(message) instanceof CommitStoreChecked checked && matching.test(checked)) {
                found.set(checked);
            }
            return found.get() != null;
        });
        return found.get();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Walks every page by cursor and returns the shas in the order served. */
    private List<String> walk(UUID projectId, int limit) throws Exception {
        return CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), limit);
    }

    private FetchSucceeded fetch(UUID projectId, String name) {
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", name), fetchId));
        List<Event> events = results(fetchId);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(FetchStarted.class);
        assertThat(events.get(1)).isInstanceOf(FetchSucceeded.class);
        return (FetchSucceeded) events.get(1);
    }

    @Test
    void aRequestStoresExactlyTheRevListSetAndServesItNewestFirst() throws Exception {
        ServedRepository repository = repository("exact", 3000);
        UUID projectId = UUID.randomUUID();

        FetchSucceeded result = fetch(projectId, "exact");

        List<String> revList = repository.revListBranches();
        assertThat(result.commitCount()).isEqualTo(3000);
        assertThat(result.newCommitCount()).isEqualTo(3000);
        assertThat(result.branchCount()).isEqualTo(4);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(revList);
        JsonNode first = json.readTree(get("/api/projects/" + projectId + "/commits?limit=1").body());
        assertThat(first.get("totalCount").asLong()).isEqualTo(3000);
        assertThat(first.get("items").get(0).propertyNames()).containsExactly("sha", "parents", "author", "committer", "message");
        assertThat(json.readTree(get("/api/projects/" + projectId + "/branches").body())).hasSize(4);
    }

    @Test
    void aRefreshAfterNewCommitsAForcePushAndADeletedBranchLeavesExactlyTheNewSet() throws Exception {
        ServedRepository repository = repository("moving", 2000);
        UUID projectId = UUID.randomUUID();
        repository.addCommits("doomed", 3, repository.tip("main"));
        String base = repository.tip("feature/topic-2");
        repository.addCommits("feature/topic-2", 5);
        fetch(projectId, "moving");

        repository.addCommits("main", 10);
        repository.addCommits("feature/topic-2", 2, base);
        repository.deleteBranch("doomed");
        FetchSucceeded refreshed = fetch(projectId, "moving");

        assertThat(refreshed.newCommitCount()).isEqualTo(12);
        assertThat(refreshed.commitCount()).isEqualTo(repository.revListBranches().size());
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    /**
     * One branch's listing is exactly {@code git log NAME} (every ancestor, in the listing's
     * order), with its exact total and count, by cursor and by page, with the other filters; on
     * a history with merges, an octopus, 6 branches and 2 roots, before and after a refresh with
     * new commits, a force-push, a deleted branch and a new branch off an old commit.
     */
    @Test
    void eachBranchListsExactlyItsGitLogBeforeAndAfterARefresh() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "six-branches");
        SyntheticHistory.Summary summary = repository.load(SyntheticHistory.builder().commits(3000).branches(6).build());
        assertThat(summary.branches()).isEqualTo(6);
        assertThat(summary.roots()).isEqualTo(2);
        assertThat(summary.merges()).isGreaterThan(10);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "six-branches");
        assertEachBranchServesItsGitLog(projectId, repository);

        repository.addCommits("main", 10);
        repository.addCommits("feature/topic-3", 4, repository.revList("feature/topic-3").get(25)); // force-push
        repository.deleteBranch("feature/topic-4");
        repository.addCommits("hotfix/1.0", 3, repository.revList("main").get(1500)); // a new branch off an old commit
        fetch(projectId, "six-branches");

        assertThat(repository.branches()).containsKey("hotfix/1.0").doesNotContainKey("feature/topic-4");
        assertEachBranchServesItsGitLog(projectId, repository);
        HttpResponse<String> gone = get("/api/projects/" + projectId + "/commits?branch=feature/topic-4");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json.readTree(gone.body()).get("type").asString()).isEqualTo("/problems/branch-not-found");

        // the refresh stored a delta over the first fetch's graph; read back from the store alone, it is the same graph
        String id = projectId.toString();
        io.commitviewer.commit.project.ProjectState.Served served = states.find(id).orElseThrow().served();
        assertThat(store.graph(id, served.branchGeneration()).orElseThrow().base()).as("a delta").isNotNull();
        io.commitviewer.commit.store.CommitGraph stored = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                .stored(id, served.branchGeneration()).orElseThrow();
        assertThat(stored.size()).isEqualTo(repository.revListBranches().size());
        // a generation without a stored graph (written before graphs) is served from its commits, cut to its tips
        mongo.getDb().getCollection(CommitStore.GRAPHS).deleteMany(com.mongodb.client.model.Filters.eq("projectId", id));
        assertThat(store.graph(id, served.branchGeneration())).isEmpty();
        io.commitviewer.commit.store.CommitGraph rebuilt = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                .served(id, served.branchGeneration(), served.fetchId(), served.tips());
        assertThat(rebuilt.size()).isEqualTo(stored.size());
        for (int rank = 0; rank < stored.size(); rank += 97) {
            assertThat(rebuilt.sha(rank)).isEqualTo(stored.sha(rank));
            assertThat(rebuilt.reachable(rank)).isEqualTo(stored.reachable(rank));
        }
    }

    /**
     * A history with 1,000 branches: every branch is listed with the count of `git rev-list
     * --count NAME`, and a sample of them list exactly `git log NAME` (the time bounds are the
     * benchmark's: bench/run.sh --cases branches).
     */
    @Test
    void aThousandBranchesAreEachCountedAndListedAsGitDoes() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "thousand-branches");
        int created = repository.load(SyntheticHistory.builder().commits(4000).branches(1000).build()).branches();
        // feature branches that got no commit are not written: the rest are branches at older commits of main
        List<String> main = repository.revList("main");
        StringBuilder more = new StringBuilder();
        for (int i = created; i < 1000; i++) {
            more.append("create refs/heads/extra/").append(i).append(' ').append(main.get((i * 7) % main.size())).append('\n');
        }
        io.commitviewer.testsupport.GitCli.run(repository.dir(), more.toString().getBytes(StandardCharsets.UTF_8),
                List.of("update-ref", "--stdin"));
        assertThat(repository.branches()).hasSize(1000);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "thousand-branches");

        JsonNode branches = json.readTree(get("/api/projects/" + projectId + "/branches").body());
        Map<String, String> tips = repository.branches();
        assertThat(branches).hasSize(tips.size());
        StringBuilder countsOfGit = new StringBuilder();
        for (String name : tips.keySet()) {
            countsOfGit.append(name).append(' ').append(repository.revList("--count", name).get(0)).append('\n');
        }
        StringBuilder countsServed = new StringBuilder();
        for (JsonNode branch : branches) {
            countsServed.append(branch.get("name").asString()).append(' ').append(branch.get("commitCount").asLong()).append('\n');
        }
        assertThat(countsServed.toString()).isEqualTo(countsOfGit.toString());
        List<String> names = new ArrayList<>(tips.keySet());
        for (int i = 0; i < names.size(); i += 97) {
            String name = names.get(i);
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100,
                    "branch=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))).as(name)
                    .containsExactlyElementsOf(repository.revList(name));
        }
    }

    /** Refreshes store deltas until the chain is long, then the whole graph; each reads back exactly from the store. */
    @Test
    void refreshesStoreDeltasThenTheWholeGraphAgainAndEachReadsBackExactly() throws Exception {
        ServedRepository repository = repository("chained", 3000);
        UUID projectId = UUID.randomUUID();
        String id = projectId.toString();
        fetch(projectId, "chained");
        List<Integer> chainLengths = new ArrayList<>();
        for (int refresh = 0; refresh < 10; refresh++) {
            repository.addCommits(refresh % 2 == 0 ? "main" : "feature/topic-1", 2);
            fetch(projectId, "chained");
            String generation = states.find(id).orElseThrow().served().branchGeneration();
            chainLengths.add(store.graph(id, generation).orElseThrow().chain().size());
            io.commitviewer.commit.store.CommitGraph read = new io.commitviewer.commit.store.CommitGraphs(store, 0)
                    .stored(id, generation).orElseThrow();
            List<String> shas = new ArrayList<>();
            for (int rank = 0; rank < read.size(); rank++) {
                shas.add(read.sha(rank));
            }
            assertThat(shas).as("refresh %d", refresh).containsExactlyElementsOf(repository.revListBranches());
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, id, 100, "branch=main"))
                    .containsExactlyElementsOf(repository.revList("main"));
        }
        assertThat(chainLengths).as("deltas up to the longest chain, then whole again").containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 0, 1);
        assertThat(mongo.getDb().getCollection(CommitStore.GRAPHS).distinct("generation",
                com.mongodb.client.model.Filters.eq("projectId", id), String.class).into(new ArrayList<>()))
                .as("only the served graph and those it builds on are kept")
                .hasSize(chainLengths.get(chainLengths.size() - 1) + 1);
    }

    private void assertEachBranchServesItsGitLog(UUID projectId, ServedRepository repository) throws Exception {
        String base = "/api/projects/" + projectId;
        JsonNode branches = json.readTree(get(base + "/branches").body());
        List<String> names = new ArrayList<>();
        branches.forEach(branch -> names.add(branch.get("name").asString()));
        assertThat(names).containsExactlyElementsOf(repository.branches().keySet());
        for (JsonNode branch : branches) {
            String name = branch.get("name").asString();
            String query = "branch=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
            List<String> log = repository.revList(name);
            assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100, query)).as(name)
                    .containsExactlyElementsOf(log);
            assertThat(branch.get("commitCount").asLong()).as(name).isEqualTo(log.size());
            assertThat(json.readTree(get(base + "/commits?limit=1&" + query).body()).get("totalCount").asLong()).isEqualTo(log.size());
        }
        List<String> main = repository.revList("main");
        HttpResponse<String> third = get(base + "/commits?branch=main&page=3&per_page=40");
        List<String> shown = new ArrayList<>();
        json.readTree(third.body()).get("items").forEach(item -> shown.add(item.get("sha").asString()));
        assertThat(shown).containsExactlyElementsOf(main.subList(80, 120));
        assertThat(third.headers().firstValue("Link").orElseThrow()).contains("rel=\"first\"", "rel=\"prev\"", "rel=\"next\"",
                "rel=\"last\"").contains("branch=main");

        // with the author and date filters: git log's own view of the same branch, filtered the same way
        List<String[]> rows = new ArrayList<>();
        for (String line : repository.git("log", "--format=%H%x09%ct%x09%ae%x09%an", "feature/topic-2").split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        String author = rows.get(rows.size() / 3)[2];
        long since = Long.parseLong(rows.get(rows.size() * 3 / 4)[1]);
        long until = Long.parseLong(rows.get(rows.size() / 4)[1]);
        List<String> expected = rows.stream().filter(row -> row[2].equals(author) || row[3].equals(author))
                .filter(row -> Long.parseLong(row[1]) >= since && Long.parseLong(row[1]) <= until).map(row -> row[0]).toList();
        assertThat(expected).isNotEmpty();
        String filters = "branch=feature%2Ftopic-2&author=" + java.net.URLEncoder.encode(author, StandardCharsets.UTF_8)
                + "&since=" + java.time.Instant.ofEpochSecond(since) + "&until=" + java.time.Instant.ofEpochSecond(until);
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 7, filters)).containsExactlyElementsOf(expected);
        assertThat(json.readTree(get(base + "/commits?limit=1&" + filters).body()).get("totalCount").asLong()).isEqualTo(expected.size());
        HttpResponse<String> unknown = get(base + "/commits?branch=no-such-branch");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("type").asString()).isEqualTo("/problems/branch-not-found");
    }

    private HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("If-None-Match", ifNoneMatch)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The resource's tag, after checking that asking with it again is a 304 without a body. */
    private String revalidated(String path, String cacheControl) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue(cacheControl);
        String tag = response.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag on " + path));
        HttpResponse<String> again = get(path, tag);
        assertThat(again.statusCode()).as(path).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(tag);
        assertThat(get(path, "W/" + tag).statusCode()).as("weak comparison: the gateway's gzip weakens tags").isEqualTo(304);
        assertThat(get(path, "\"something-else\"").statusCode()).isEqualTo(200);
        return tag;
    }

    /**
     * Pages (by cursor, by number, of a branch), one commit and the branches answer If-None-Match
     * with 304; a page's tag stays through a refresh that changes nothing and changes after one
     * that changes the page. A project whose first fetch runs gets neither a tag nor a cache.
     */
    @Test
    void readsCarryTagsAnd304sThatChangeExactlyWhenAFetchChangesThem() throws Exception {
        ServedRepository repository = repository("tagged", 400);
        UUID projectId = UUID.randomUUID();
        String base = "/api/projects/" + projectId;
        KNOWN_PROJECTS.put(projectId.toString(),
                "{\"status\":\"QUEUED\",\"statusReason\":\"CREATED\",\"lastFetchedAt\":null,\"lastError\":null}");
        HttpResponse<String> pending = get(base + "/commits");
        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("ETag")).isEmpty();
        assertThat(pending.headers().firstValue("Cache-Control")).hasValue("no-store");
        fetch(projectId, "tagged");

        String sha = repository.revListBranches().get(7);
        List<String> paths = List.of(base + "/commits?limit=20", base + "/commits?page=2&per_page=30",
                base + "/commits?branch=main&limit=10", base + "/branches");
        List<String> tags = new ArrayList<>();
        for (String path : paths) {
            tags.add(revalidated(path, "public, no-cache"));
        }
        String commitTag = revalidated(base + "/commits/" + sha, "max-age=86400, public");

        fetch(projectId, "tagged"); // nothing changed upstream
        for (int i = 0; i < paths.size(); i++) {
            assertThat(get(paths.get(i), tags.get(i)).statusCode()).as(paths.get(i) + " after a refresh that changed nothing")
                    .isEqualTo(304);
        }

        repository.addCommits("main", 3);
        fetch(projectId, "tagged");
        for (int i = 0; i < paths.size(); i++) {
            HttpResponse<String> changed = get(paths.get(i), tags.get(i));
            assertThat(changed.statusCode()).as(paths.get(i) + " after a refresh that changed it").isEqualTo(200);
            assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(tags.get(i));
        }
        assertThat(get(base + "/commits/" + sha, commitTag).statusCode()).as("a commit does not change").isEqualTo(304);
    }

    @Test
    void aRedeliveredRequestLeavesNoDuplicate() throws Exception {
        ServedRepository repository = repository("twice", 800);
        UUID projectId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, SERVER.url("acme", "twice"), UUID.randomUUID());

        publish(request);
        List<Event> first = results(request.fetchId());
        long gitRuns = gitRuns();
        publish(request);
        List<Event> again = results(request.fetchId());

        assertThat(first).hasSize(2).last().isInstanceOf(FetchSucceeded.class);
        assertThat(again).as("the second delivery answered with the recorded result, the same event").containsExactly(first.get(1));
        assertThat(gitRuns()).as("no git ran for the second delivery").isEqualTo(gitRuns);
        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(800);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aMissingRepositoryFailsOnceAndIsAcked() throws Exception {
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "no-such-repository"), fetchId));

        List<Event> events = results(fetchId);

        assertThat(events).hasSize(2);
        FetchFailed failed = (FetchFailed) events.get(1);
        assertThat(failed.reason()).isEqualTo(FailureReason.REPOSITORY_NOT_FOUND);
        assertThat(failed.retryable()).isFalse();
        assertThat(laterResults(fetchId, Duration.ofSeconds(1))).as("no result after the failure").isEmpty();
        assertThat(rabbit.receive(AmqpNames.PROJECT_WORK_DLQ, 500)).isNull();
        HttpResponse<String> commits = get("/api/projects/" + projectId + "/commits");
        assertThat(commits.statusCode()).isEqualTo(409);
        assertThat(json.readTree(commits.body()).get("reason").asString()).isEqualTo("REPOSITORY_NOT_FOUND");
    }

    @Test
    void aPrivateRepositoryFailsAsAccessDenied() {
        repository("secret", 5);
        SERVER.makePrivate("acme", "secret");
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "secret"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.ACCESS_DENIED);
        assertThat(failed.retryable()).isFalse();
    }

    @Test
    void aRefusedUrlFailsWithoutRunningGit() {
        UUID fetchId = UUID.randomUUID();
        long gitRuns = gitRuns();
        publish(FetchRequested.of(UUID.randomUUID(), "https://evil.example.com/a/b", fetchId));

        List<Event> events = results(fetchId);

        assertThat(events).hasSize(1);
        FetchFailed failed = (FetchFailed) events.get(0);
        assertThat(failed.reason()).isEqualTo(FailureReason.INVALID_URL);
        assertThat(failed.message()).startsWith("refused URL: host not allowed");
        assertThat(failed.retryable()).isFalse();
        assertThat(gitRuns()).isEqualTo(gitRuns);
    }

    @Test
    void aProjectThisStoreDoesNotHoldIsAnsweredAsProjectServiceKnowsItNever404() throws Exception {
        String queued = UUID.randomUUID().toString();
        String lost = UUID.randomUUID().toString();
        String failed = UUID.randomUUID().toString();
        String unanswered = UUID.randomUUID().toString();
        KNOWN_PROJECTS.put(queued, "{\"status\":\"QUEUED\",\"statusReason\":\"CREATED\",\"lastFetchedAt\":null,\"lastError\":null}");
        KNOWN_PROJECTS.put(lost, "{\"status\":\"READY\",\"statusReason\":null,\"lastFetchedAt\":\"2026-11-30T10:00:00Z\",\"lastError\":null}");
        KNOWN_PROJECTS.put(failed, "{\"status\":\"FAILED\",\"lastFetchedAt\":null,"
                + "\"lastError\":{\"reason\":\"REPOSITORY_NOT_FOUND\",\"message\":\"not found\"}}");
        KNOWN_PROJECTS.put(unanswered, "broken");

        HttpResponse<String> pending = get("/api/projects/" + queued + "/commits");
        HttpResponse<String> recovering = get("/api/projects/" + lost + "/branches");
        HttpResponse<String> neverFetched = get("/api/projects/" + failed + "/commits");
        HttpResponse<String> unknownAnswer = get("/api/projects/" + unanswered + "/commits");

        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("Retry-After")).isPresent();
        assertThat(json.readTree(pending.body()).get("status").asString()).isEqualTo("QUEUED");
        assertThat(recovering.statusCode()).isEqualTo(202);
        assertThat(json.readTree(recovering.body()).get("message").asString()).contains("fetched again");
        assertThat(neverFetched.statusCode()).isEqualTo(409);
        assertThat(json.readTree(neverFetched.body()).get("reason").asString()).isEqualTo("REPOSITORY_NOT_FOUND");
        assertThat(unknownAnswer.statusCode()).isEqualTo(503);
        assertThat(unknownAnswer.headers().firstValue("Retry-After")).isPresent();
        assertThat(json.readTree(unknownAnswer.body()).get("type").asString()).isEqualTo("/problems/project-service-unavailable");
    }

    @Test
    void aDroppedCollectionOnALiveServiceStartsANewEpochThatIsAnnouncedAndTheProjectIsServedAgainAfterItsFetch()
            throws Exception {
        ServedRepository repository = repository("dropped", 600);
        UUID projectId = UUID.randomUUID();
        FetchSucceeded before = fetch(projectId, "dropped");
        assertThat(before.storeEpoch()).isNotNull();
        KNOWN_PROJECTS.put(projectId.toString(), "{\"status\":\"READY\",\"lastFetchedAt\":\"2026-11-30T10:00:00Z\"}");

        mongo.getDb().getCollection(CommitStore.COMMITS).drop();

        CommitStoreChecked announced = announcement(checked -> !checked.epoch().equals(before.storeEpoch()));
        assertThat(announced.sequence()).isZero();
        assertThat(identities.nextSequence(before.storeEpoch())).as("no success in the lost epoch").isEmpty();
        HttpResponse<String> meanwhile = get("/api/projects/" + projectId + "/commits");
        assertThat(meanwhile.statusCode()).as("the project's state went with the epoch: %s", meanwhile.body()).isEqualTo(202);

        FetchSucceeded again = fetch(projectId, "dropped"); // as project-service asks after the announcement
        assertThat(again.storeEpoch()).isEqualTo(announced.epoch());
        assertThat(again.storeSequence()).isEqualTo(1);
        assertThat(again.newCommitCount()).isEqualTo(600);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Autowired
    StoreIdentities identities;

    @Test
    void aPoisonMessageGoesToTheDeadLetterQueueAndTheConsumerCarriesOn() throws Exception {
        MessageProperties properties = new MessageProperties();
        properties.setHeader("type", "fetch.requested");
        rabbit.send(AmqpNames.EXCHANGE, "fetch.requested", new Message("{garbage".getBytes(StandardCharsets.UTF_8), properties));
        repository("after-poison", 20);

        fetch(UUID.randomUUID(), "after-poison");

        Message dead = rabbit.receive(AmqpNames.PROJECT_WORK_DLQ, 5000);
        assertThat(dead).isNotNull();
        assertThat((String) dead.getMessageProperties().getHeader("x-exception-message")).startsWith("unreadable fetch.requested body");
    }

    @Autowired
    org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry listeners;

    /**
     * A broker upgraded from the version before the shards (ADR 0010): the old queue's binding is
     * removed when a connection opens, so requests go to the shards only; a request that waited in
     * the old queue is still fetched (the old queue is drained).
     */
    @Test
    void theOldFetchQueueLosesItsBindingAndWhatWaitedInItIsStillFetched() throws Exception {
        repository("from-the-old-queue", 30);
        var legacy = listeners.getListenerContainer("fetch-requests");
        legacy.stop();
        try {
            var old = org.springframework.amqp.core.BindingBuilder.bind(new org.springframework.amqp.core.Queue(AmqpNames.FETCH_REQUESTS_QUEUE))
                    .to(new org.springframework.amqp.core.TopicExchange(AmqpNames.EXCHANGE)).with("fetch.requested");
            admin.declareBinding(old);
            UUID waiting = UUID.randomUUID();
            publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "from-the-old-queue"), waiting));
            await().atMost(WAIT).until(() -> admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount() == 1);
            assertThat(results(waiting)).last().isInstanceOf(FetchSucceeded.class); // and through its shard

            try (var connection = connections.createConnection()) {
                new io.commitviewer.amqp.RetiredBindings().onCreate(connection);
            }
            fetch(UUID.randomUUID(), "from-the-old-queue");
            assertThat(admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount()).as("nothing more in the old queue").isEqualTo(1);
        } finally {
            legacy.start();
        }
        // the copy that waited in the old queue is consumed too: its fetch id was done, so its result is published again
        await().atMost(WAIT).until(() -> admin.getQueueInfo(AmqpNames.FETCH_REQUESTS_QUEUE).getMessageCount() == 0);
    }

    @Test
    void theApiAnswersForUnknownPendingAndMissingThings() throws Exception {
        UUID unknown = UUID.randomUUID();
        HttpResponse<String> notFound = get("/api/projects/" + unknown + "/commits");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(json.readTree(notFound.body()).get("type").asString()).isEqualTo("/problems/project-not-found");

        ServedRepository repository = repository("api", 120);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "api");
        String sha = repository.revListBranches().get(5);

        JsonNode commit = json.readTree(get("/api/projects/" + projectId + "/commits/" + sha).body());
        assertThat(commit.get("sha").asString()).isEqualTo(sha);
        assertThat(get("/api/projects/" + projectId + "/commits/" + "0".repeat(40)).statusCode()).isEqualTo(404);
        assertThat(get("/api/projects/" + projectId + "/commits/nothex").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?cursor=bogus").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/projects/" + projectId + "/commits?since=yesterday").statusCode()).isEqualTo(400);

        HttpResponse<String> paged = get("/api/projects/" + projectId + "/commits?page=2&per_page=50");
        assertThat(json.readTree(paged.body()).get("items")).hasSize(50);
        assertThat(json.readTree(paged.body()).get("items").get(0).get("sha").asString())
                .isEqualTo(repository.revListBranches().get(50));
        assertThat(paged.headers().firstValue("Link")).hasValueSatisfying(link -> assertThat(link).contains("page=3"));
        String author = commit.get("author").get("email").asString();
        JsonNode byAuthor = json.readTree(get("/api/projects/" + projectId + "/commits?limit=100&author=" + author).body());
        assertThat(byAuthor.get("items")).allSatisfy(item -> assertThat(item.get("author").get("email").asString()).isEqualTo(author));
        assertThat(byAuthor.get("totalCount").asLong()).isLessThan(120).isEqualTo(byAuthor.get("items").size());
        String name = commit.get("author").get("name").asString();
        JsonNode byName = json.readTree(get("/api/projects/" + projectId + "/commits?limit=100&author="
                + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)).body());
        assertThat(byName.get("items")).isNotEmpty()
                .allSatisfy(item -> assertThat(item.get("author").get("name").asString()).isEqualTo(name));
        assertThat(store.commitIndexNames()).contains("project_authorEmail_committedAt_id", "project_authorName_committedAt_id")
                .doesNotContain("project_authorEmail_committedAt");

        // pages by number reach max-page-offset (50,000) deep, then point to the cursor
        assertThat(get("/api/projects/" + projectId + "/commits?page=1001&per_page=50").statusCode()).isEqualTo(200);
        HttpResponse<String> tooDeep = get("/api/projects/" + projectId + "/commits?page=1002&per_page=50");
        assertThat(tooDeep.statusCode()).isEqualTo(400);
        JsonNode problem = json.readTree(tooDeep.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems/page-too-deep");
        assertThat(problem.get("cursorListing").asString()).isEqualTo("/api/projects/" + projectId + "/commits?limit=50");
        HttpResponse<String> farFuture = get("/api/projects/" + projectId + "/commits?since=%2B1000000000-01-01T00:00:00Z");
        assertThat(farFuture.statusCode()).as(farFuture.body()).isEqualTo(400);
    }

    @Autowired
    CommitStore store;

    @Autowired
    io.commitviewer.commit.project.ProjectStates states;

    @Autowired
    org.springframework.amqp.rabbit.connection.CachingConnectionFactory connections;

    @Test
    void aFetchThatDiedPartWayIsFinishedByTheRedeliveredRequest() throws Exception {
        ServedRepository repository = repository("half-done", 3000);
        UUID projectId = UUID.randomUUID();
        // what a process killed in the middle of its first fetch leaves: some commits, no state
        var policy = new io.commitviewer.common.url.RepositoryUrlPolicy(
                io.commitviewer.common.url.AllowedOrigins.parse(SERVER.allowedOrigin()));
        var git = new io.commitviewer.common.git.Git(io.commitviewer.common.git.GitSettings.defaults(policy.allowedOrigins()));
        List<org.bson.Document> partial = new ArrayList<>();
        git.update(policy.parse(SERVER.url("acme", "half-done")), tempDir("half-done").resolve("m.git")).mirror()
                .forEachCommit(commit -> partial.add(CommitStore.toDocument(projectId.toString(), commit)) && partial.size() < 1700);
        store.insert(partial);

        fetch(projectId, "half-done");

        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(3000);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void longMessagesAreStoredCutAndFlagged() throws Exception {
        repository("wordy", 300);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "wordy");

        List<JsonNode> items = new ArrayList<>();
        json.readTree(get("/api/projects/" + projectId + "/commits?limit=100").body()).get("items").forEach(items::add);

        assertThat(items).filteredOn(item -> item.has("messageTruncated")).isNotEmpty()
                .allSatisfy(item -> assertThat(item.get("messageTruncated").asBoolean()).isTrue());
        assertThat(items).allSatisfy(item ->
                assertThat(item.get("message").asString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200));
    }

    @Test
    void aFailedRefreshLeavesThePreviousSetServed() throws Exception {
        ServedRepository repository = repository("frozen", 700);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "frozen");
        List<String> before = repository.revListBranches();
        repository.addCommits("main", 5);
        SERVER.stall("acme", "frozen");
        UUID refresh = UUID.randomUUID();

        publish(FetchRequested.of(projectId, SERVER.url("acme", "frozen"), refresh));
        FetchFailed failed = (FetchFailed) results(refresh).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT);
        HttpResponse<String> page = get("/api/projects/" + projectId + "/commits?limit=1");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(json.readTree(page.body()).get("totalCount").asLong()).isEqualTo(700);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(before);
    }

    @Autowired
    io.commitviewer.commit.mirror.MirrorCache mirrors;

    @Autowired
    io.commitviewer.common.url.RepositoryUrlPolicy urls;

    /** What the LRU bound does to a mirror: the next fetch clones again and lists the whole history. */
    private void evictMirror(String name) {
        io.commitviewer.common.git.FileTrees.deleteQuietly(mirrors.dirOf(urls.parse(SERVER.url("acme", name))));
    }

    /**
     * Issue 23, finding 9: a project's shard comes back to an instance whose mirror is older than
     * what was served meanwhile (fetched on another instance), and upstream dropped those commits
     * since. The refresh must still find what left every branch: the mirror lacks the served tips,
     * so it lists everything.
     */
    @Test
    void aRefreshFromAMirrorThatNeverSawTheServedTipsFindsWhatLeftEveryBranch() throws Exception {
        ServedRepository repository = repository("moved-shard", 500);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "moved-shard");
        Path mirror = mirrors.dirOf(urls.parse(SERVER.url("acme", "moved-shard")));
        Path older = tempDir("older-mirror").resolve("m.git");
        copyTree(mirror, older);
        repository.addCommits("side", 7, repository.tip("main"));
        assertThat(fetch(projectId, "moved-shard").commitCount()).isEqualTo(507); // served from "another instance"
        repository.deleteBranch("side");
        repository.git("reflog", "expire", "--expire=now", "--all");
        repository.git("gc", "-q", "--prune=now"); // gone upstream for good, as GitHub serves no unreachable commit
        io.commitviewer.common.git.FileTrees.deleteQuietly(mirror);
        copyTree(older, mirror); // this instance's mirror never saw side

        FetchSucceeded refreshed = fetch(projectId, "moved-shard");

        assertThat(refreshed.commitCount()).isEqualTo(500);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Process copy = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertThat(copy.waitFor()).isZero();
    }

    @Test
    void aFullListingAfterAnEvictionThatFailsTakesBackOnlyWhatItAdded() throws Exception {
        assertAFetchOverTheLimitKeepsThePreviousSet("evicted-fails", true);
    }

    @Test
    void aRefreshOverTheLimitTakesBackWhatItAddedAndKeepsThePreviousSet() throws Exception {
        assertAFetchOverTheLimitKeepsThePreviousSet("grows-too-much", false);
    }

    /**
     * A served project of 700 commits grows to 5,100, over the limit of 5,000: its next fetch
     * (a refresh, or a full listing when the mirror was evicted) finds that out while listing,
     * after it inserted, and must leave exactly the previous set.
     */
    private void assertAFetchOverTheLimitKeepsThePreviousSet(String name, boolean evictMirrorFirst) throws Exception {
        ServedRepository repository = repository(name, 700);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, name);
        List<String> before = repository.revListBranches();
        repository.addCommits("main", 4400);
        if (evictMirrorFirst) {
            evictMirror(name);
        }
        UUID refresh = UUID.randomUUID();

        publish(FetchRequested.of(projectId, SERVER.url("acme", name), refresh));
        FetchFailed failed = (FetchFailed) results(refresh).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(700);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(before);
    }

    @Test
    void aLateReplayOfAnEarlierFetchPublishesItsRecordedResultAgainAndChangesNothing() throws Exception {
        ServedRepository repository = repository("replayed", 700);
        UUID projectId = UUID.randomUUID();
        FetchRequested first = FetchRequested.of(projectId, SERVER.url("acme", "replayed"), UUID.randomUUID());
        publish(first);
        Event firstResult = results(first.fetchId()).get(1);
        assertThat(firstResult).isInstanceOf(FetchSucceeded.class);
        repository.addCommits("main", 10);
        fetch(projectId, "replayed");
        List<String> served = repository.revListBranches();
        repository.addCommits("main", 4400); // a fetch now would fail over the limit
        int gitRunsBefore = SERVER.requestCount("acme", "replayed");

        publish(first); // e.g. moved back from the DLQ, or a late duplicate
        List<Event> replay = laterResults(first.fetchId(), Duration.ofSeconds(3));

        assertThat(replay).as("the one result of that fetch, again, and nothing else").containsExactly(firstResult);
        assertThat(SERVER.requestCount("acme", "replayed")).as("no git ran for it").isEqualTo(gitRunsBefore);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(served);
    }

    @Test
    void aFullListingAfterAnEvictionRemovesWhatLeftEveryBranch() throws Exception {
        ServedRepository repository = repository("evicted-moves", 1500);
        UUID projectId = UUID.randomUUID();
        String base = repository.tip("feature/topic-2");
        repository.addCommits("feature/topic-2", 30);
        fetch(projectId, "evicted-moves");
        repository.addCommits("feature/topic-2", 3, base); // force-push: 30 commits leave every branch
        repository.addCommits("main", 7);
        evictMirror("evicted-moves");

        FetchSucceeded refreshed = fetch(projectId, "evicted-moves");

        assertThat(refreshed.newCommitCount()).isEqualTo(10);
        assertThat(refreshed.commitCount()).isEqualTo(repository.revListBranches().size());
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void theOpenApiDocumentDescribesTheCommitsApiAndIsTheCommittedOne() throws Exception {
        String served = get("/v3/api-docs").body();
        assertThat(io.commitviewer.testsupport.OpenApiDocuments.compare(served, COMMITTED_DOCUMENT)).isEmpty();
        JsonNode paths = json.readTree(served).get("paths");
        assertThat(paths.propertyNames()).contains("/api/projects/{id}/commits", "/api/projects/{id}/commits/{sha}",
                "/api/projects/{id}/branches");
        assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    }

    @Test
    void aStalledServerTimesOutIsRetriedAndThenFailsAsRetryable() {
        repository("stalled", 10);
        SERVER.stall("acme", "stalled");
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "stalled"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(failed.retryable()).isTrue();
        // two attempts (max-attempts=2), each cut at 5 s, and no more
        assertThat(SERVER.requestCount("acme", "stalled")).isEqualTo(2);
        assertThat(laterResults(fetchId, Duration.ofSeconds(2))).as("one result, the failure").isEmpty();
    }

    @Test
    void duplicateRequestsForAProjectBeingFetchedAllSucceedWithNothingDoubled() throws Exception {
        ServedRepository repository = repository("popular", 2500);
        UUID projectId = UUID.randomUUID();
        List<FetchRequested> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(FetchRequested.of(projectId, SERVER.url("acme", "popular"), UUID.randomUUID()));
        }
        requests.forEach(this::publish);

        // results of all four interleave on the queue: collect them together
        java.util.Map<UUID, Event> last = new java.util.HashMap<>();
        await().atMost(WAIT).until(() -> {
            Message message = rabbit.receive(AmqpNames.FETCH_RESULTS_QUEUE, 500);
            if (message != null) {
                if (codec.fromMessage(message) instanceof FetchEvent event) {
                    last.put(event.fetchId(), event);
                }
            }
            return requests.stream().allMatch(r -> last.get(r.fetchId()) instanceof FetchSucceeded);
        });
        List<FetchSucceeded> outcomes = requests.stream().map(r -> (FetchSucceeded) last.get(r.fetchId())).toList();

        // one fetch found the 2,500 commits; the others, run after it or served by a fetch that
        // started after they were received, found nothing new
        assertThat(outcomes).extracting(FetchSucceeded::newCommitCount).containsOnly(2500L, 0L).containsOnlyOnce(2500L);
        assertThat(outcomes).extracting(FetchSucceeded::commitCount).containsOnly(2500L);
        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(2500);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void aRepositoryOverTheLimitFailsAsTooLargeAndLeavesNothingBehind() {
        repository("huge", 5200);
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "huge"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(failed.retryable()).isFalse();
        assertThat(failed.message()).contains("the limit is 5000");
        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
    }

    @Test
    void aConsumerWhoseConnectionDropsMidIngestLeavesNothingMissingOrDoubled() throws Exception {
        ServedRepository repository = repository("interrupted", 4000);
        UUID projectId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, SERVER.url("acme", "interrupted"), UUID.randomUUID());
        var commits = mongo.getDb().getCollection(CommitStore.COMMITS);
        var ofProject = new org.bson.Document("projectId", projectId.toString());

        publish(request);
        // as soon as the first batches are stored, the broker connection goes away: the request was
        // not acked, so the broker delivers it again
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> commits.countDocuments(ofProject) > 0);
        connections.resetConnection();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("/api/projects/" + projectId + "/commits?limit=1").statusCode()).isEqualTo(200);
            assertThat(commits.countDocuments(ofProject)).isEqualTo(4000);
        });
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(repository.revListBranches());
        assertThat(results(request.fetchId())).last().isInstanceOf(FetchSucceeded.class);
    }

    @Test
    void healthAndMetricsAreOnTheManagementPort() throws Exception {
        repository("metrics", 30);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "metrics");
        get("/api/projects/" + projectId + "/commits");
        assertThat(get("/actuator/health").statusCode()).isEqualTo(404);

        String health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(json.readTree(health).get("status").asString()).isEqualTo("UP");
        assertThat(json.readTree(health).get("components").propertyNames()).contains("mongo", "rabbit", "git", "mirrorCache");
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("commitviewer_git_command_duration_seconds_count{application=\"commit-service\",command=\"clone\",outcome=\"ok\"}")
                .contains("commitviewer_fetch_duration_seconds_bucket", "outcome=\"succeeded\"")
                .contains("commitviewer_commits_ingested_total", "commitviewer_mirror_cache_size_bytes",
                        "commitviewer_mirror_cache_evictions_total", "commitviewer_fetches_in_flight",
                        "process_memory_rss_bytes{application=\"commit-service\"}", "process_memory_rss_peak_bytes")
                .contains("http_server_requests_seconds_bucket{application=\"commit-service\"", "le=\"0.25\""));
    }

    @Test
    void aCursorWalkNeverRepeatsOrSkipsACommitWhileCommitsArrive() throws Exception {
        ServedRepository repository = repository("walk", 1000);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "walk");
        List<String> original = repository.revListBranches();
        // between pages, commits arrive with dates newer than everything, older than everything and
        // equal to the date of the page boundary (the sha tie-break decides their place)
        List<String> shas = new ArrayList<>();
        String cursor = null;
        int round = 0;
        do {
            HttpResponse<String> response = get("/api/projects/" + projectId + "/commits?limit=37"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            JsonNode page = json.readTree(response.body());
            page.get("items").forEach(item -> shas.add(item.get("sha").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            if (cursor != null) {
                JsonNode last = page.get("items").get(page.get("items").size() - 1);
                java.time.OffsetDateTime boundary = java.time.OffsetDateTime.parse(last.get("committer").get("date").asString());
                store.insert(List.of(
                        CommitStore.toDocument(projectId.toString(), fakeCommit(round, "a", boundary.plusYears(5))),
                        CommitStore.toDocument(projectId.toString(), fakeCommit(round, "b", boundary.minusYears(30))),
                        CommitStore.toDocument(projectId.toString(), fakeCommit(round, "c", boundary))));
            }
            round++;
        } while (cursor != null);

        assertThat(shas).doesNotHaveDuplicates();
        assertThat(shas).containsAll(original);
        // the original commits come in their order, whatever arrived in between
        assertThat(shas.stream().filter(original::contains).toList()).containsExactlyElementsOf(original);
    }

    private static io.commitviewer.common.git.GitCommit fakeCommit(int round, String kind, java.time.OffsetDateTime date) {
        String sha = String.format("%039x%s", round, kind.equals("a") ? "a" : kind.equals("b") ? "b" : "c");
        io.commitviewer.common.git.Signature who = new io.commitviewer.common.git.Signature("Late Arrival", "late@example.com", date);
        return new io.commitviewer.common.git.GitCommit(sha, List.of(), who, who, "arrived during the walk " + round + kind, java.util.Set.of(), java.util.Set.of());
    }

    @Test
    void aFetchRequestArrivingAfterTheDeletionStoresNothing() throws Exception {
        repository("late", 40);
        UUID projectId = UUID.randomUUID();
        publish(ProjectDeleted.of(projectId));
        await().atMost(WAIT).until(() -> states.isDeleted(projectId.toString()));

        UUID late = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "late"), late));
        fetch(UUID.randomUUID(), "late"); // a later request is done, so the consumer is past the late one

        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
        assertThat(get("/api/projects/" + projectId + "/commits").statusCode()).isEqualTo(404);
    }

    @Test
    void aFetchRequestForADeletedProjectRunsNoGit() throws Exception {
        repository("late-git", 40);
        UUID projectId = UUID.randomUUID();
        publish(ProjectDeleted.of(projectId));
        await().atMost(WAIT).until(() -> states.isDeleted(projectId.toString()));
        long gitRuns = gitRuns();

        publish(FetchRequested.of(projectId, SERVER.url("acme", "late-git"), UUID.randomUUID()));

        await().atMost(WAIT).until(() -> AmqpNames.projectWorkQueues().stream().allMatch(queue -> admin.getQueueInfo(queue).getMessageCount() == 0)
                && meters.get("commitviewer.fetches.in.flight").gauge().value() == 0);
        assertThat(gitRuns()).isEqualTo(gitRuns);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    /** git commands run so far, observed by the service's CommandObserver (the git command timer). */
    private long gitRuns() {
        return meters.find("commitviewer.git.command.duration").timers().stream().mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    @Test
    void aRepositoryThatCannotBeReachedIsTriedMaxAttemptsTimesAndEndsInOneRetryableFailure() throws Exception {
        String url = "http://127.0.0.1:" + CLOSED_PORT + "/acme/unreachable";
        long gitRuns = gitRuns();
        UUID fetchId = UUID.randomUUID();

        publish(FetchRequested.of(UUID.randomUUID(), url, fetchId));
        List<Event> events = results(fetchId);

        assertThat(events).hasSize(2);
        FetchFailed failed = (FetchFailed) events.get(1);
        assertThat(failed.reason()).isEqualTo(FailureReason.UNREACHABLE);
        assertThat(failed.retryable()).isTrue();
        assertThat(gitRuns() - gitRuns).as("one git clone per attempt, max-attempts=2").isEqualTo(2);
        assertThat(laterResults(fetchId, Duration.ofSeconds(2))).as("one result per fetch").isEmpty();
    }

    @Test
    void projectDeletedDropsCommitsBranchesAndTheMirror() throws Exception {
        repository("deleted", 50);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "deleted");
        Path mirror = CACHE.resolve(SERVER.origin().substring("http://".length()).replace(':', '_')).resolve("acme/deleted.git");
        assertThat(mirror).isDirectory();

        publish(ProjectDeleted.of(projectId));

        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/api/projects/" + projectId + "/commits").statusCode()).isEqualTo(404));
        assertThat(mongo.getDb().getCollection(CommitStore.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(mirror).doesNotExist());
    }
}
