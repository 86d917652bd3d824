package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.FaultProxy;
import io.commitviewer.testsupport.GitHttpServer;
import io.commitviewer.testsupport.ProcessPause;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Chaos (issue 15): two project-service and three commit-service instances behind the gateway
 * (nginx upstreams of several servers, scripts/run-local.sh with the instance counts), one
 * RabbitMQ, PostgreSQL and the MongoDB stand-in as a process of its own. For
 * {@code commitviewer.chaos.duration} (120 s here; {@code scripts/chaos.sh} runs a long one) a load
 * generator adds, refreshes, deletes and reads projects (deletions often while the project's fetch
 * runs) while the test force-pushes, deletes and creates branches upstream, SIGKILLs a random
 * service instance every 2–5 s (a restarter starts what is down again meanwhile), pauses a
 * commit-service instance (SIGSTOP) for longer than its lease now and then, cuts commit-service-3
 * off from RabbitMQ (both ways, through a {@link FaultProxy}) for 15 s at a third of the run and
 * from MongoDB at two thirds, and restarts RabbitMQ once. Only ready instances are killed or paused,
 * never the last ready one of a service: the service stays up. Then, once all is quiet and each live project was refreshed
 * once more: every live project serves exactly {@code git rev-list --branches} of its repository;
 * every deleted one has nothing left in the store (commits, branches, graphs, state, lease; only its
 * tombstone and the stub that keeps its fencing token); no
 * fetch request is left unfinished; the outbox is empty; no queue, dead-letter queues included,
 * holds a message. The counts go to {@code target/chaos-report.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosIT {

    private static final String GATEWAY = "http://127.0.0.1:8080";
    private static final int INFRA_BASE = 30_000;
    private static final Map<String, String> INFRA_PORTS = PrivateCheckout.infraPorts(INFRA_BASE);
    private static final List<String> INSTANCES = List.of("project-service", "project-service-2", "commit-service",
            "commit-service-2", "commit-service-3");
    private static final int REPOSITORIES = 6;
    private static final int STORE_PORT = INFRA_BASE + 17;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Duration duration = duration(System.getProperty("commitviewer.chaos.duration", "120s"));
    private final long seed = Long.getLong("commitviewer.chaos.seed", System.nanoTime());
    private final Map<String, AtomicLong> counts = new TreeMap<>();
    private final ConcurrentMap<String, String> projectUrls = new ConcurrentHashMap<>(); // every project id ever seen
    private final Set<String> believedLive = ConcurrentHashMap.newKeySet(); // as the load generator last heard
    private final List<ServedRepository> repositories = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();
    private GitHttpServer server;
    private PrivateCheckout checkout;
    /** Between commit-service-3 and RabbitMQ, and between it and the MongoDB stand-in: cut for one phase each. */
    private FaultProxy brokerLink;
    private FaultProxy storeLink;
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean restartInFlight = new AtomicBoolean();

    @BeforeAll
    void startStack() throws Exception {
        server = GitHttpServer.start(Files.createTempDirectory("chaos-served"));
        for (int i = 0; i < REPOSITORIES; i++) {
            ServedRepository repository = server.repository("chaos", "repo-" + i);
            // fetches of a few seconds, so that kills, deletions and the broker restart meet them mid-way
            repository.load(SyntheticHistory.builder().commits(2_000 + 2_500 * i).branches(3 + i % 3).seed(i).build());
            repositories.add(repository);
            urls.add(server.url("chaos", "repo-" + i));
        }
        Map<String, String> environment = new LinkedHashMap<>(INFRA_PORTS);
        environment.put("COMMITVIEWER_GIT_ALLOWED_ORIGINS", "https://github.com," + server.allowedOrigin());
        environment.put("COMMITVIEWER_PROJECT_SERVICE_INSTANCES", "2");
        environment.put("COMMITVIEWER_COMMIT_SERVICE_INSTANCES", "3");
        environment.put("COMMITVIEWER_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
        environment.put("COMMITVIEWER_LOG_FORMAT", "text");
        environment.put("COMMITVIEWER_FETCH_MIN_REFRESH_INTERVAL", "0s");
        // a killed writer's projects are taken over within seconds, not the production minute
        environment.put("COMMITVIEWER_LEASE_DURATION", "8s");
        environment.put("COMMITVIEWER_LEASE_RENEW_EVERY", "2s");
        // and its shards of the project work move to the live instances as soon (ADR 0010)
        environment.put("COMMITVIEWER_SHARDS_HEARTBEAT_EVERY", "2s");
        environment.put("COMMITVIEWER_SHARDS_LAPSE", "6s");
        // commit-service-3 reaches the broker and the store through proxies the test cuts (one-sided partitions)
        environment.put("COMMITVIEWER_MONGO_STANDIN_PORT", Integer.toString(STORE_PORT));
        brokerLink = FaultProxy.tcp("127.0.0.1", Integer.parseInt(INFRA_PORTS.get("COMMITVIEWER_RABBITMQ_PORT")));
        storeLink = FaultProxy.mongo("127.0.0.1", STORE_PORT);
        environment.put("COMMITVIEWER_ENV_COMMIT_SERVICE_3", "SPRING_RABBITMQ_PORT=" + brokerLink.port()
                + " SPRING_MONGODB_URI=mongodb://127.0.0.1:" + storeLink.port() + "/commitviewer");
        PrivateCheckout.liftGatewayLimits(environment);
        checkout = PrivateCheckout.startStack("chaos checkout", environment, Path.of("target/run-local-chaos.log"));
    }

    @AfterAll
    void stopStack() throws Exception {
        brokerLink.close();
        storeLink.close();
        PrivateCheckout.tearDown(checkout, server, Path.of("target/chaos-logs"));
    }

    @Test
    void underKillsABrokerRestartAndForcePushesEveryProjectEndsExactAndNothingIsLost() throws Exception {
        System.out.printf("chaos: %s, seed %d%n", duration, seed);
        Instant end = Instant.now().plus(duration);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Random random = new Random(seed + i);
            threads.add(new Thread(() -> load(random, stop), "chaos-load-" + i));
        }
        java.util.concurrent.atomic.AtomicReference<Throwable> faultsFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread faults = new Thread(() -> {
            try {
                faults(new Random(seed + 7), end, stop);
            } catch (Throwable e) {
                faultsFailed.set(e);
            }
        }, "chaos-faults");
        threads.forEach(Thread::start);
        faults.start();
        faults.join(Math.max(1, Duration.between(Instant.now(), end).toMillis())); // ends at the end, or earlier if it failed
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        faults.join(180_000);
        assertThat(faults.isAlive()).as("the fault thread ended").isFalse();
        assertThat(faultsFailed.get()).as("the fault thread's failure").isNull();

        // quiet: every instance up again, every fetch ended; then one more refresh of each live project
        assertThat(checkout.run("run-local.sh", "up").exitCode()).isZero();
        Map<String, JsonNode> live = liveProjects();
        waitForQuiet(live.keySet());
        for (String id : live.keySet()) {
            HttpResponse<String> refreshed = send("POST", "/api/projects/" + id + "/refresh", null);
            assertThat(refreshed.statusCode()).as("final refresh of %s: %s", id, refreshed.body()).isIn(200, 202);
        }
        waitForQuiet(live.keySet());
        // and every event consumed: deletions included
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(PrivateCheckout.queueDepths(INFRA_PORTS)).as("messages left in the queues (dead-letter queues included)")
                        .allSatisfy((queue, messages) -> assertThat(messages).as(queue).isZero()));

        long verified = 0;
        for (Map.Entry<String, JsonNode> project : live.entrySet()) {
            String id = project.getKey();
            ServedRepository repository = repositoryOf(project.getValue().get("url").asString());
            JsonNode state = json.readTree(send("GET", "/api/projects/" + id, null).body());
            assertThat(state.get("status").asString()).as("project %s (%s)", id, state).isEqualTo("READY");
            assertThat(state.get("fetch").get("status").asString()).isEqualTo("SUCCEEDED");
            List<String> served = CommitPages.walk(GATEWAY, id, 100);
            List<String> expected = repository.revListBranches();
            assertThat(served).as("project %s serves git rev-list --branches of %s", id, repository.dir()).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(state.get("commitCount").asLong()).isEqualTo(expected.size());
            verified += served.size();
        }

        Set<String> deleted = new HashSet<>(projectUrls.keySet());
        deleted.removeAll(live.keySet());
        try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + STORE_PORT)) {
            MongoDatabase store = mongo.getDatabase("commitviewer");
            for (String id : deleted) {
                assertThat(send("GET", "/api/projects/" + id, null).statusCode()).as("deleted project %s", id).isEqualTo(404);
                for (String collection : List.of("commits", "branches", "graphs")) {
                    assertThat(store.getCollection(collection).countDocuments(Filters.eq("projectId", id)))
                            .as("%s of deleted project %s", collection, id).isZero();
                }
                assertThat(store.getCollection("leases").countDocuments(Filters.eq("_id", id))).as("lease of deleted project %s", id)
                        .isZero();
                // no state; only the stub that keeps the deletion's fencing token (ADR 0010), beside the tombstone
                assertThat(store.getCollection("projects").countDocuments(Filters.and(Filters.eq("_id", id), Filters.ne("deleted", true))))
                        .as("state of deleted project %s", id).isZero();
                assertThat(store.getCollection("deletedProjects").countDocuments(Filters.eq("_id", id)))
                        .as("tombstone of deleted project %s", id).isEqualTo(1);
            }
            assertThat(store.getCollection("leases").countDocuments()).as("leases held once quiet").isZero();
        }
        assertThat(sql("SELECT count(*) FROM fetches WHERE status IN ('QUEUED', 'FETCHING')")).as("fetches not ended").isEqualTo("0");
        assertThat(sql("SELECT count(*) FROM outbox")).as("events not published").isEqualTo("0");
        count("verified projects", live.size());
        count("verified deleted projects", deleted.size());
        count("verified commits", verified);
        countFromLogs();
        report();
    }

    /** One load generator: adds, refreshes, deletes and reads projects, and changes the repositories upstream. */
    private void load(Random random, AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                int dice = random.nextInt(100);
                int which = random.nextInt(repositories.size());
                ServedRepository repository = repositories.get(which);
                String url = urls.get(which);
                if (dice < 20) {
                    HttpResponse<String> added = send("POST", "/api/projects", "{\"url\":\"" + url + "\"}");
                    count("add " + added.statusCode());
                    if (added.statusCode() / 100 == 2) {
                        String id = json.readTree(added.body()).get("id").asString();
                        projectUrls.put(id, url);
                        believedLive.add(id);
                    }
                } else if (dice < 45) {
                    String id = anyProject(random);
                    if (id != null) {
                        count("refresh " + send("POST", "/api/projects/" + id + "/refresh", null).statusCode());
                    }
                } else if (dice < 55) {
                    // a deletion while the project's fetch runs, most likely on another commit-service instance
                    String id = anyProject(random);
                    if (id != null) {
                        count("refresh " + send("POST", "/api/projects/" + id + "/refresh", null).statusCode());
                        Thread.sleep(200 + random.nextInt(1_500));
                        int deleted = send("DELETE", "/api/projects/" + id, null).statusCode();
                        count("delete " + deleted);
                        if (deleted == 204 || deleted == 404) {
                            believedLive.remove(id);
                        }
                    }
                } else if (dice < 85) {
                    String id = anyProject(random);
                    if (id != null) {
                        count("read " + send("GET", "/api/projects/" + id + "/commits?limit=50", null).statusCode());
                    }
                } else {
                    mutate(repository, random);
                }
                Thread.sleep(50 + random.nextInt(200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                count("request failed (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    /** Mostly a project believed live; now and then any project ever seen (deleted ones answer 404). */
    private String anyProject(Random random) {
        List<String> ids = new ArrayList<>(random.nextInt(10) == 0 ? projectUrls.keySet() : believedLive);
        return ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
    }

    /** An upstream change: new commits, a force-push back, a branch deleted or created. Serialised per repository. */
    private void mutate(ServedRepository repository, Random random) {
        synchronized (repository) {
            List<String> branches = new ArrayList<>(repository.branches().keySet());
            String branch = branches.get(random.nextInt(branches.size()));
            int kind = random.nextInt(4);
            if (kind == 0) {
                repository.addCommits(branch, 1 + random.nextInt(20));
                count("upstream commits added");
            } else if (kind == 1) {
                List<String> history = repository.revList("--first-parent", "--max-count=30", branch);
                repository.forcePush(branch, history.get(random.nextInt(history.size())));
                count("upstream force-pushes");
            } else if (kind == 2 && branches.size() > 2 && !branch.equals("main")) {
                repository.deleteBranch(branch);
                count("upstream branches deleted");
            } else {
                List<String> history = repository.revList("--max-count=200", branch);
                repository.forcePush("chaos-" + Long.toHexString(random.nextLong() & 0xffffff),
                        history.get(random.nextInt(history.size())));
                count("upstream branches created");
            }
        }
    }

    /**
     * Every 2–5 s a random running instance is SIGKILLed (commit-service's four times as often as
     * project-service's); a restarter starts what is down again meanwhile (scripts/run-local.sh up,
     * one at a time), so several instances may be down at once. RabbitMQ restarts once, half-way.
     */
    private void faults(Random random, Instant end, AtomicBoolean stop) {
        Instant brokerRestart = Instant.now().plus(duration.dividedBy(2));
        boolean brokerRestarted = false;
        Instant brokerPartition = Instant.now().plus(duration.dividedBy(3));
        Instant storePartition = Instant.now().plus(duration.multipliedBy(2).dividedBy(3));
        boolean brokerCut = false;
        boolean storeCut = false;
        List<Thread> faultThreads = new ArrayList<>();
        java.util.concurrent.Semaphore killed = new java.util.concurrent.Semaphore(0);
        AtomicBoolean restarting = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<Throwable> restartFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread restarter = new Thread(() -> {
            try {
                while (restarting.get() || killed.availablePermits() > 0) {
                    if (!killed.tryAcquire(500, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    killed.drainPermits();
                    Thread.sleep(500 + random.nextInt(1_500));
                    // an instance killed while `up` waits for the others fails that `up` (which stops what it
                    // started): the next one starts them again; only once the chaos is over must one succeed
                    restartInFlight.set(true);
                    PrivateCheckout.Result up = checkout.run("run-local.sh", "up");
                    for (int tries = 1; up.exitCode() != 0 && (restarting.get() || tries < 5); tries++) {
                        count("restarts cut short by a kill");
                        up = checkout.run("run-local.sh", "up");
                    }
                    restartInFlight.set(false);
                    assertThat(up.exitCode()).as("run-local.sh up after the chaos, 5 times: %s", up.output()).isZero();
                    count("restarts (run-local.sh up)");
                }
            } catch (Throwable e) {
                restartFailure.set(e);
            }
        }, "chaos-restarter");
        restarter.start();
        try {
            while (Instant.now().isBefore(end) && !stop.get() && restartFailure.get() == null) {
                Thread.sleep(2_000 + random.nextInt(3_000));
                if (!brokerRestarted && Instant.now().isAfter(brokerRestart)) {
                    assertThat(checkout.run("local-infra.sh", "rabbitmq-stop-app").exitCode()).isZero();
                    Thread.sleep(3_000);
                    assertThat(checkout.run("local-infra.sh", "rabbitmq-start-app").exitCode()).isZero();
                    brokerRestarted = true;
                    count("broker restarts");
                    continue;
                }
                if (!brokerCut && Instant.now().isAfter(brokerPartition)) {
                    brokerCut = true;
                    faultThreads.add(partition(brokerLink, "partitions of commit-service-3 from RabbitMQ (15 s, both ways)"));
                    continue;
                }
                if (!storeCut && Instant.now().isAfter(storePartition)) {
                    storeCut = true;
                    faultThreads.add(partition(storeLink, "partitions of commit-service-3 from MongoDB (15 s, both ways)"));
                    continue;
                }
                // commit-service instances are the writers: they are killed four times as often
                String instance = random.nextInt(5) == 0 ? INSTANCES.get(random.nextInt(2)) : INSTANCES.get(2 + random.nextInt(3));
                String service = instance.replaceAll("-\\d$", "");
                long ready = INSTANCES.stream().filter(other -> other.replaceAll("-\\d$", "").equals(service))
                        .filter(this::ready).count();
                if (ready < 2 || !ready(instance) || paused.contains(instance)) {
                    continue; // only a ready instance, never the last one of a service: the service stays up, its instances do not
                }
                // a paused instance is alive but not healthy: an `up` waiting for it would fail and stop what it started
                if (service.equals("commit-service") && paused.isEmpty() && !restartInFlight.get() && killed.availablePermits() == 0
                        && random.nextInt(4) == 0) {
                    process(instance).ifPresent(process -> faultThreads.add(pause(instance, process)));
                    continue;
                }
                process(instance).ifPresent(process -> {
                    process.destroyForcibly(); // SIGKILL
                    count("kills (SIGKILL) of " + service);
                    killed.release();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Thread fault : faultThreads) {
                try {
                    fault.join(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            restarting.set(false);
            try {
                restarter.join(300_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertThat(restartFailure.get()).as("the restarter").isNull();
    }

    /**
     * Stops a commit-service instance (SIGSTOP) for 12 s, longer than its lease (8 s) and the
     * shards' lapse (6 s): the others take its projects and shards over; on waking, its fenced
     * writes are refused.
     */
    private Thread pause(String instance, ProcessHandle process) {
        paused.add(instance);
        Thread thread = new Thread(() -> {
            try (ProcessPause pause = ProcessPause.of(process)) {
                count("pauses (SIGSTOP, 12 s, past the lease) of commit-service");
                Thread.sleep(12_000); // the chaos schedule: how long the process stays stopped
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                paused.remove(instance);
            }
        }, "chaos-pause-" + instance);
        thread.start();
        return thread;
    }

    /** Cuts one link both ways for 15 s, then heals it and drops the connections that timed out across it. */
    private Thread partition(FaultProxy link, String what) {
        Thread thread = new Thread(() -> {
            link.cutBoth();
            count(what);
            try {
                Thread.sleep(15_000); // the chaos schedule: how long the partition lasts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                link.heal();
                link.resetConnections();
            }
        }, "chaos-partition");
        thread.start();
        return thread;
    }

    /** True if the instance answers its readiness probe. */
    private boolean ready(String instance) {
        int index = INSTANCES.indexOf(instance);
        int port = index < 2 ? 9081 + 100 * index : 9082 + 100 * (index - 2);
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The instance's process, if it runs. */
    private java.util.Optional<ProcessHandle> process(String instance) {
        try {
            Path pidFile = checkout.stackState().resolve(instance + ".pid");
            if (!Files.exists(pidFile)) {
                return java.util.Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty(); // being rewritten by a restart
        }
    }

    /** Every project the API lists (also those whose creating request's answer was lost to a kill). */
    private Map<String, JsonNode> liveProjects() throws IOException, InterruptedException {
        Map<String, JsonNode> live = new LinkedHashMap<>();
        String cursor = null;
        do {
            HttpResponse<String> response = send("GET", "/api/projects?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = json.readTree(response.body());
            page.get("items").forEach(item -> live.put(item.get("id").asString(), item));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        live.forEach((id, project) -> projectUrls.putIfAbsent(id, project.get("url").asString()));
        return live;
    }

    /** Waits (up to 5 minutes) until every project's latest fetch ended. */
    private void waitForQuiet(Set<String> ids) {
        Set<String> pending = new HashSet<>(ids);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String id : List.copyOf(pending)) {
                JsonNode fetch = json.readTree(send("GET", "/api/projects/" + id, null).body()).get("fetch");
                if (fetch != null && !fetch.isNull() && Set.of("SUCCEEDED", "FAILED").contains(fetch.get("status").asString())) {
                    pending.remove(id);
                }
            }
            assertThat(pending).as("projects whose fetch still runs").isEmpty();
        });
    }

    private ServedRepository repositoryOf(String url) {
        for (int i = 0; i < urls.size(); i++) {
            if (canonical(urls.get(i)).equals(canonical(url))) {
                return repositories.get(i);
            }
        }
        throw new AssertionError("no repository for " + url);
    }

    private static String canonical(String url) {
        return url.toLowerCase(java.util.Locale.ROOT).replaceAll("/+$", "").replaceAll("\\.git$", "");
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(GATEWAY + path)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String sql(String query) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", INFRA_PORTS.get("COMMITVIEWER_PG_PORT"),
                "-U", "commitviewer", "-d", "commitviewer", "-Atc", query).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", "commitviewer");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as("psql: %s", output).isZero();
        return output;
    }

    /** What the commit-service instances' logs say happened: fetches, and the leases' waits and take-overs. */
    private void countFromLogs() throws IOException {
        Map<String, String> lines = Map.of("fetches succeeded", "Fetch succeeded", "fetches failed", "Fetch failed",
                "lease waits (project held by another instance)", "is being written by another instance",
                "lease take-overs (holder's lease lapsed)", "Took over project", "leases found lost by a renewal", "was taken by another writer",
                "attempts taken back", "Took back attempt",
                "shards given up by an instance cut off from the broker or the store", "giving up shards",
                "requests published again behind their queue (project busy)", "the request is published again",
                "deletions that waited behind their queue (store away)", "it waits behind its queue", "deliveries requeued (lease busy or lost, or result not published)", "the request is requeued");
        for (String instance : INSTANCES.subList(2, 5)) {
            List<String> log = new String(Files.readAllBytes(checkout.stackState().resolve(instance + ".log")), StandardCharsets.UTF_8)
                    .lines().toList();
            lines.forEach((what, marker) -> count(what, log.stream().filter(line -> line.contains(marker)).count()));
        }
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        synchronized (counts) {
            counts.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(n);
        }
    }

    private void report() throws IOException {
        StringBuilder table = new StringBuilder("| what | count |\n|---|---|\n");
        table.append("| duration | ").append(duration.toSeconds()).append(" s |\n");
        table.append("| seed | ").append(seed).append(" |\n");
        synchronized (counts) {
            counts.forEach((what, n) -> table.append("| ").append(what).append(" | ").append(n.get()).append(" |\n"));
        }
        Files.writeString(Path.of("target/chaos-report.md"), table);
        System.out.println(table);
    }

    /** "150s", "20m", "1h" or an ISO-8601 duration. */
    static Duration duration(String text) {
        if (text.startsWith("P")) {
            return Duration.parse(text);
        }
        long value = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(value);
            case 'm' -> Duration.ofMinutes(value);
            case 'h' -> Duration.ofHours(value);
            default -> throw new IllegalArgumentException("a duration like 150s, 20m or 1h: " + text);
        };
    }
}
