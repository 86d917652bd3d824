package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchPhase;
import io.commitviewer.common.events.FetchProgress;
import io.commitviewer.common.events.FetchStarted;
import io.commitviewer.common.events.CommitStoreChecked;
import io.commitviewer.common.events.FetchSucceeded;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.testsupport.EventStream;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.JsonNode;

class ProjectServiceIT extends ProjectServiceTestBase {


    @Test
    void postPutsOneFetchRequestedWithBodyAndHeadersOnTheQueue() throws Exception {
        Response created = post("https://github.com/Octocat/Hello-World.git");

        assertThat(created.status()).isEqualTo(202);
        assertThat(created.raw().headers().firstValue("Location")).contains("/api/projects/" + id(created));
        assertThat(created.body().get("url").asString()).isEqualTo("https://github.com/Octocat/Hello-World");
        List<Message> messages = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT);
        assertThat(messages).hasSize(1);
        Message message = messages.get(0);
        MessageProperties properties = message.getMessageProperties();
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat((Object) properties.getHeader("type")).isEqualTo("fetch.requested");
        // what the consistent-hash exchange routes on: the project's work goes to one shard (ADR 0010)
        assertThat((Object) properties.getHeader(AmqpNames.PROJECT_ID_HEADER)).isEqualTo(id(created).toString());
        assertThat(properties.getReceivedDeliveryMode()).isEqualTo(org.springframework.amqp.core.MessageDeliveryMode.PERSISTENT);
        JsonNode body = body(message);
        assertThat(properties.getMessageId()).isEqualTo(body.get("eventId").asString());
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("eventId", "occurredAt", "projectId", "repositoryUrl", "fetchId");
        assertThat(body.get("projectId").asString()).isEqualTo(id(created).toString());
        assertThat(body.get("fetchId").asString()).isEqualTo(fetchId(created).toString());
        assertThat(body.get("repositoryUrl").asString()).isEqualTo("https://github.com/Octocat/Hello-World");
        await().atMost(WAIT).until(() -> outboxBacklog() == 0);
    }

    @Test
    void fiftyConcurrentPostsInDifferentSpellingsCreateOneProject() throws Exception {
        List<String> spellings = List.of("https://github.com/acme/Rocket", "https://github.com/acme/rocket.git",
                "https://github.com/ACME/ROCKET/", "git@github.com:acme/rocket.git", "http://github.com/acme/rocket",
                "github.com/Acme/Rocket", "https://github.com/acme/rocket/tree/main", "ssh://git@github.com/acme/rocket.git",
                "HTTPS://GITHUB.COM/acme/rocket", "https://github.com/acme/rocket/commits/main");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Response>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String url = spellings.get(i % spellings.size());
            futures.add(pool.submit((Callable<Response>) () -> post(url)));
        }
        List<Response> responses = new ArrayList<>();
        for (Future<Response> future : futures) {
            responses.add(future.get());
        }
        pool.shutdown();

        Set<String> ids = responses.stream().map(r -> r.body().get("id").asString()).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(responses).filteredOn(r -> r.status() == 202).hasSize(1);
        assertThat(responses).filteredOn(r -> r.status() == 200).hasSize(49);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects", Long.class)).isEqualTo(1);
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT)).hasSize(1);
    }

    @Test
    void aProjectIsReadAsOneStateWhileItsFetchResultsArrive() throws Exception {
        Response created = post("https://github.com/acme/consistent");
        UUID id = id(created);
        List<String> inconsistent = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Map<String, Long> countOf = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pollers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(pollers.submit(() -> {
                while (polling.get()) {
                    JsonNode project = project(id);
                    JsonNode fetch = project.get("fetch");
                    Long expected = countOf.get(fetch.get("id").asString());
                    if (fetch.get("status").asString().equals("SUCCEEDED") && expected != null) {
                        checked.incrementAndGet();
                        if (project.get("commitCount").asLong() != expected) {
                            inconsistent.add(project.toString());
                        }
                    }
                }
                return null;
            }));
        }
        try {
            UUID fetch = fetchId(created);
            for (int round = 1; round <= 25; round++) {
                countOf.put(fetch.toString(), 1000L + round);
                publish(succeeded(id, fetch, 1000 + round, round, 1, 5));
                UUID done = fetch;
                await().atMost(WAIT).until(() -> project(id).get("fetch").get("id").asString().equals(done.toString())
                        && project(id).get("status").asString().equals("READY"));
                fetch = fetchId(send("POST", "/api/projects/" + id + "/refresh", null));
            }
        } finally {
            polling.set(false);
            for (Future<?> poller : running) {
                poller.get();
            }
            pollers.shutdown();
        }

        assertThat(checked.get()).as("reads of a succeeded fetch while results arrived: the race took place").isGreaterThan(25);
        assertThat(inconsistent).as("a succeeded fetch shown with another fetch's counts").isEmpty();
    }

    @Test
    void resultEventsMoveTheStatus() throws Exception {
        Response created = post("https://github.com/acme/status");
        UUID id = id(created);
        UUID fetch = fetchId(created);
        assertThat(created.body().get("status").asString()).isEqualTo("QUEUED");

        publish(FetchStarted.of(id, fetch));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FETCHING"));

        publish(succeeded(id, fetch, 1234, 1234, 5, 900));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("READY"));
        JsonNode ready = project(id);
        assertThat(ready.get("commitCount").asLong()).isEqualTo(1234);
        assertThat(ready.get("branchCount").asInt()).isEqualTo(5);
        assertThat(ready.get("lastFetchedAt").isNull()).isFalse();
        assertThat(ready.get("fetch").get("status").asString()).isEqualTo("SUCCEEDED");

        Response refreshed = send("POST", "/api/projects/" + id + "/refresh", null);
        assertThat(refreshed.status()).isEqualTo(202);
        UUID second = fetchId(refreshed);
        assertThat(second).isNotEqualTo(fetch);
        assertThat(refreshed.body().get("status").asString()).isEqualTo("QUEUED");

        publish(FetchFailed.of(id, second, FailureReason.TIMEOUT, "git fetch did not finish within 600 s", true));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FAILED"));
        JsonNode failed = project(id);
        assertThat(failed.get("lastError").get("reason").asString()).isEqualTo("TIMEOUT");
        assertThat(failed.get("lastError").get("message").asString()).contains("600 s");
        assertThat(failed.get("commitCount").asLong()).as("counts describe the last success").isEqualTo(1234);
    }

    /** The status code of a GET that names {@code tag} in If-None-Match. */
    private int getIfNoneMatch(String path, String tag) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("If-None-Match", tag).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void projectReadsCarryTagsThat304UntilTheProjectChanges() throws Exception {
        Response created = post("https://github.com/acme/tagged");
        UUID id = id(created);
        List<String> paths = List.of("/api/projects/" + id, "/api/projects?url=https%3A%2F%2Fgithub.com%2Facme%2Ftagged",
                "/api/projects?limit=10");
        List<String> tags = new java.util.ArrayList<>();
        for (String path : paths) {
            Response response = get(path);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.raw().headers().firstValue("Cache-Control")).as(path).hasValue("public, no-cache");
            String tag = response.raw().headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag on " + path));
            assertThat(getIfNoneMatch(path, tag)).as(path).isEqualTo(304);
            assertThat(getIfNoneMatch(path, "W/" + tag)).as(path + ", weakly").isEqualTo(304);
            tags.add(tag);
        }

        publish(FetchStarted.of(id, fetchId(created)));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FETCHING"));

        for (int i = 0; i < paths.size(); i++) {
            assertThat(getIfNoneMatch(paths.get(i), tags.get(i))).as(paths.get(i) + " once its fetch started").isEqualTo(200);
        }
        assertThat(get("/api/projects/" + UUID.randomUUID()).raw().headers().firstValue("ETag")).as("no tag on a 404").isEmpty();
    }

    @Test
    void progressEventsShowThePhaseAndCountOfTheRunningFetchAndALateOneChangesNothing() throws Exception {
        Response created = post("https://github.com/acme/progress");
        UUID id = id(created);
        UUID fetch = fetchId(created);
        publish(FetchStarted.of(id, fetch));
        publish(FetchProgress.of(id, fetch, FetchPhase.CLONING, 0, 1));
        publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 5000, 3));
        await().atMost(WAIT).until(() -> "LISTING".equals(project(id).get("fetch").get("phase").asString()));
        publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 2000, 2)); // late: its sequence is behind
        publish(FetchProgress.of(id, UUID.randomUUID(), FetchPhase.STORING, 1, 9)); // another fetch's
        // the late one changes nothing: the count stays 5000 while both events are consumed
        await().during(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> project(id).get("fetch").get("commitsStored").asLong() == 5000);
        assertThat(project(id).get("fetch").get("firstLook").asBoolean()).isFalse();
        publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 6000, 4, true)); // a first look is served (ADR 0012)
        await().atMost(WAIT).until(() -> project(id).get("fetch").get("firstLook").asBoolean());
        publish(FetchProgress.of(id, fetch, FetchPhase.STORING, 9000, 5));
        await().atMost(WAIT).until(() -> "STORING".equals(project(id).get("fetch").get("phase").asString()));
        JsonNode running = project(id).get("fetch");
        assertThat(running.get("status").asString()).isEqualTo("FETCHING");
        assertThat(running.get("commitsStored").asLong()).isEqualTo(9000);
        assertThat(running.get("firstLook").asBoolean()).as("once served, for the rest of the fetch").isTrue();

        publish(succeeded(id, fetch, 9500, 9500, 3, 2000));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("READY"));
        publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 1, 6)); // after the end
        // an event after the end is not recorded either: the columns keep the last progress while it is consumed
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> "STORING 9000".equals(
                jdbc.queryForObject("select phase || ' ' || commits_stored from fetches where id = ?", String.class, fetch)));
        JsonNode ended = project(id).get("fetch");
        assertThat(ended.get("phase").isNull()).as("no phase once it ended").isTrue();
        assertThat(ended.get("commitsStored").isNull()).isTrue();
        assertThat(ended.get("firstLook").asBoolean()).as("no first look once it ended: the listing is exact").isFalse();
        assertThat(drain(AmqpNames.deadLetterQueue(AmqpNames.FETCH_PROGRESS_QUEUE), Duration.ofMillis(200))).isEmpty();
    }

    /**
     * The event stream sends the project now, then each change (phase, count, status) and ends
     * after the event in which the fetch ended; a reconnect with an earlier Last-Event-ID gets the
     * current state at once and the end, one with the final id a 204.
     */
    @Test
    void anEventStreamFollowsTheFetchToItsEndAndResumesWithLastEventId() throws Exception {
        Response created = post("https://github.com/acme/streamed");
        UUID id = id(created);
        UUID fetch = fetchId(created);
        String uri = "http://127.0.0.1:" + port + "/api/projects/" + id + "/events";
        try (EventStream stream = EventStream.open(uri, null)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
            assertThat(stream.response().headers().firstValue("X-Accel-Buffering")).hasValue("no");
            assertThat(stream.response().headers().firstValue("ETag")).isEmpty();
            EventStream.Event first = stream.next(WAIT);
            assertThat(first.name()).isEqualTo("project");
            assertThat(json.readTree(first.data()).get("status").asString()).isEqualTo("QUEUED");

            publish(FetchStarted.of(id, fetch));
            publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 1000, 1));
            EventStream.Event listing = until(stream, event -> "LISTING".equals(phase(event)));
            publish(FetchProgress.of(id, fetch, FetchPhase.LISTING, 2500, 2));
            EventStream.Event more = until(stream, event -> count(event) == 2500);
            assertThat(more.id()).isNotEqualTo(listing.id());

            try (EventStream resumed = EventStream.open(uri, listing.id())) {
                assertThat(json.readTree(resumed.next(WAIT).data()).get("fetch").get("commitsStored").asLong())
                        .as("the state now, at once").isEqualTo(2500);
                publish(succeeded(id, fetch, 3000, 3000, 2, 900));
                EventStream.Event end = until(resumed, event -> "READY".equals(status(event)));
                assertThat(resumed.next(WAIT)).as("the stream ends after the end of the fetch").isNull();
                assertThat(resumed.ended()).isTrue();
                assertThat(EventStream.open(uri, end.id()).status()).as("nothing will follow").isEqualTo(204);
            }
            EventStream.Event end = until(stream, event -> "READY".equals(status(event)));
            assertThat(json.readTree(end.data()).get("commitCount").asLong()).isEqualTo(3000);
            assertThat(stream.next(WAIT)).isNull();
        }
        try (EventStream idle = EventStream.open(uri, null)) {
            assertThat(idle.status()).isEqualTo(200);
            assertThat(status(idle.next(WAIT))).as("a project with no fetch running: its state, then the end").isEqualTo("READY");
            assertThat(idle.next(WAIT)).isNull();
        }
        assertThat(EventStream.open("http://127.0.0.1:" + port + "/api/projects/" + UUID.randomUUID() + "/events", null).status())
                .isEqualTo(404);
    }

    @Test
    void anEventStreamOfADeletedProjectEndsWithDeleted() throws Exception {
        UUID id = id(post("https://github.com/acme/doomed-stream"));
        try (EventStream stream = EventStream.open("http://127.0.0.1:" + port + "/api/projects/" + id + "/events", null)) {
            assertThat(stream.next(WAIT).name()).isEqualTo("project");
            assertThat(send("DELETE", "/api/projects/" + id, null).status()).isEqualTo(204);
            assertThat(stream.next(WAIT).name()).isEqualTo("deleted");
            assertThat(stream.next(WAIT)).isNull();
        }
    }

    private EventStream.Event until(EventStream stream, java.util.function.Predicate<EventStream.Event> matching) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            EventStream.Event event = stream.next(Duration.ofMillis(500));
            if (event == null && stream.ended()) {
                throw new AssertionError("the stream ended first");
            }
            if (event != null && matching.test(event)) {
                return event;
            }
        }
        throw new AssertionError("no such event within " + WAIT);
    }

    private String status(EventStream.Event event) {
        return json.readTree(event.data()).get("status").asString();
    }

    private String phase(EventStream.Event event) {
        JsonNode fetch = json.readTree(event.data()).get("fetch");
        return fetch.get("phase").isNull() ? null : fetch.get("phase").asString();
    }

    private long count(EventStream.Event event) {
        JsonNode stored = json.readTree(event.data()).get("fetch").get("commitsStored");
        return stored.isNull() ? -1 : stored.asLong();
    }

    @Test
    void duplicateAndStaleEventsChangeNothing() throws Exception {
        Response created = post("https://github.com/acme/replay");
        UUID id = id(created);
        UUID first = fetchId(created);
        FetchSucceeded success = succeeded(id, first, 100, 100, 2, 10);
        publish(success);
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("READY"));

        // a newer fetch succeeds with other counts
        UUID second = fetchId(send("POST", "/api/projects/" + id + "/refresh", null));
        publish(succeeded(id, second, 150, 50, 3, 10));
        await().atMost(WAIT).until(() -> project(id).get("commitCount").asLong() == 150);
        JsonNode before = project(id);

        // the first success again (redelivery), an older fetch failing late, an older fetch starting late
        publish(success);
        publish(FetchFailed.of(id, first, FailureReason.GIT_ERROR, "late failure of an old fetch", true));
        publish(FetchStarted.of(id, first));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                management("/actuator/prometheus")).contains("commitviewer_fetch_results_total{application=\"project-service\",outcome=\"duplicate\",type=\"fetch.succeeded\"} 1.0"));
        await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM processed_events", Long.class) == 4);

        JsonNode after = project(id);
        assertThat(after.get("status").asString()).isEqualTo("READY");
        assertThat(after.get("commitCount").asLong()).isEqualTo(150);
        assertThat(after.get("branchCount").asInt()).isEqualTo(3);
        assertThat(after.get("lastError").isNull()).isTrue();
        assertThat(after.get("updatedAt")).isEqualTo(before.get("updatedAt"));
    }

    @Test
    void poisonMessagesGoToTheDeadLetterQueueWithTheReasonAndTheConsumerCarriesOn() throws Exception {
        UUID id = id(post("https://github.com/acme/poison"));
        UUID fetch = UUID.fromString(project(id).get("fetch").get("id").asString());

        MessageProperties garbage = new MessageProperties();
        garbage.setHeader("type", "fetch.succeeded");
        garbage.setContentType("application/json");
        rabbit.send(AmqpNames.EXCHANGE, "fetch.succeeded", new Message("{not json".getBytes(StandardCharsets.UTF_8), garbage));
        MessageProperties unknown = new MessageProperties();
        unknown.setHeader("type", "fetch.exploded");
        rabbit.send(AmqpNames.EXCHANGE, "fetch.failed", new Message("{}".getBytes(StandardCharsets.UTF_8), unknown));
        MessageProperties missingFields = new MessageProperties();
        missingFields.setHeader("type", "fetch.started");
        rabbit.send(AmqpNames.EXCHANGE, "fetch.started", new Message(
                ("{\"eventId\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8), missingFields));
        publish(succeeded(id, fetch, 7, 7, 1, 5));

        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("READY"));
        List<Message> dead = drain(AmqpNames.deadLetterQueue(AmqpNames.FETCH_RESULTS_QUEUE), WAIT);
        assertThat(dead).hasSize(3);
        assertThat(dead).allSatisfy(message -> {
            assertThat((Object) message.getMessageProperties().getHeader("x-exception-class"))
                    .isEqualTo("io.commitviewer.amqp.PoisonMessageException");
            assertThat((Object) message.getMessageProperties().getHeader("x-original-queue")).isEqualTo(AmqpNames.FETCH_RESULTS_QUEUE);
        });
        assertThat(dead).extracting(m -> (String) m.getMessageProperties().getHeader("x-exception-message"))
                .anySatisfy(reason -> assertThat(reason).startsWith("unreadable fetch.succeeded body"))
                .anySatisfy(reason -> assertThat(reason).isEqualTo("unknown event type 'fetch.exploded'"))
                .anySatisfy(reason -> assertThat(reason).startsWith("unreadable fetch.started body"));
    }

    @Test
    void aResultThatKeepsFailingIsRetriedThenDeadLetteredWithTheReason() throws Exception {
        UUID id = id(post("https://github.com/acme/flaky"));
        UUID fetch = UUID.fromString(project(id).get("fetch").get("id").asString());
        FetchStarted started = FetchStarted.of(id, fetch);
        // a real database failure for this one event, on every attempt
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN "
                + "IF NEW.event_id = '" + started.eventId() + "' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
        jdbc.execute("CREATE TRIGGER refuse_event BEFORE INSERT ON processed_events FOR EACH ROW EXECUTE FUNCTION refuse_event()");
        try {
            publish(started);
            List<Message> dead = drain(AmqpNames.deadLetterQueue(AmqpNames.FETCH_RESULTS_QUEUE), WAIT);

            assertThat(dead).hasSize(1);
            assertThat((String) dead.get(0).getMessageProperties().getHeader("x-exception-message")).contains("disk on fire");
            assertThat(project(id).get("status").asString()).isEqualTo("QUEUED");
        } finally {
            jdbc.execute("DROP TRIGGER refuse_event ON processed_events");
            jdbc.execute("DROP FUNCTION refuse_event()");
        }
        // the consumer carries on
        publish(FetchStarted.of(id, fetch));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FETCHING"));
    }

    @Test
    void refreshWhileAFetchIsQueuedOrRunningReturnsThatFetch() throws Exception {
        Response created = post("https://github.com/acme/busy");
        UUID id = id(created);
        UUID fetch = fetchId(created);
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT)).hasSize(1);

        Response whileQueued = send("POST", "/api/projects/" + id + "/refresh", null);
        publish(FetchStarted.of(id, fetch));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FETCHING"));
        Response whileRunning = send("POST", "/api/projects/" + id + "/refresh", null);

        assertThat(whileQueued.status()).isEqualTo(202);
        assertThat(fetchId(whileQueued)).isEqualTo(fetch);
        assertThat(whileRunning.status()).isEqualTo(202);
        assertThat(fetchId(whileRunning)).isEqualTo(fetch);
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, Duration.ofSeconds(2))).isEmpty();

        publish(FetchFailed.of(id, fetch, FailureReason.UNREACHABLE, "could not connect", true));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("FAILED"));
        Response afterFailure = send("POST", "/api/projects/" + id + "/refresh", null);
        assertThat(fetchId(afterFailure)).isNotEqualTo(fetch);
        List<Message> requests = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT);
        assertThat(requests).hasSize(1);
        assertThat(body(requests.get(0)).get("fetchId").asString()).isEqualTo(fetchId(afterFailure).toString());
    }

    /** A project fetched successfully at the given store position; its first fetch request drained. */
    private UUID readyAt(String name, UUID epoch, long sequence) throws Exception {
        Response created = post("https://github.com/acme/" + name);
        UUID id = id(created);
        publish(FetchSucceeded.of(id, fetchId(created), 10, 10, 1, 5, epoch, sequence));
        await().atMost(WAIT).until(() -> project(id).get("status").asString().equals("READY"));
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT)).hasSize(1);
        return id;
    }

    @Test
    void projectsTheCommitStoreLostAreFetchedAgainWithTheReasonAndOnlyThose() throws Exception {
        UUID epoch = UUID.randomUUID();
        UUID inOtherEpoch = readyAt("other-epoch", UUID.randomUUID(), 3);
        UUID pastTheSequence = readyAt("past-sequence", epoch, 8);
        UUID kept = readyAt("kept", epoch, 5);

        // the store now holds epoch E up to sequence 6: an older backup, without the success at 8
        publish(CommitStoreChecked.of(Instant.now(), epoch, 6));

        List<Message> requests = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT);
        assertThat(requests).extracting(message -> body(message).get("projectId").asString())
                .containsExactlyInAnyOrder(inOtherEpoch.toString(), pastTheSequence.toString());
        for (UUID lost : List.of(inOtherEpoch, pastTheSequence)) {
            JsonNode project = project(lost);
            assertThat(project.get("status").asString()).isEqualTo("QUEUED");
            assertThat(project.get("statusReason").asString()).isEqualTo("STORE_RECOVERY");
            assertThat(project.get("fetch").get("reason").asString()).isEqualTo("STORE_RECOVERY");
            assertThat(project.get("commitCount").asLong()).as("counts of the last success stay").isEqualTo(10);
        }
        assertThat(project(kept).get("status").asString()).isEqualTo("READY");
        assertThat(project(kept).get("statusReason").isNull()).isTrue();
    }

    @Test
    void aSuccessAfterTheAnnouncementAndARecoveryThatFailedAreNotFetchedAgain() throws Exception {
        Instant checkedAt = Instant.now();
        UUID newer = readyAt("newer-than-check", UUID.randomUUID(), 1);
        UUID lost = readyAt("lost-then-failed", UUID.randomUUID(), 1);
        jdbc.update("UPDATE projects SET last_fetched_at = ? WHERE id = ?", java.sql.Timestamp.from(checkedAt.minusSeconds(60)), lost);

        UUID epoch = UUID.randomUUID();
        publish(CommitStoreChecked.of(checkedAt, epoch, 0));
        List<Message> requests = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT);
        assertThat(requests).extracting(message -> body(message).get("projectId").asString()).containsExactly(lost.toString());
        UUID recovery = UUID.fromString(body(requests.get(0)).get("fetchId").asString());
        publish(FetchFailed.of(lost, recovery, FailureReason.REPOSITORY_NOT_FOUND, "gone upstream", false));
        await().atMost(WAIT).until(() -> project(lost).get("status").asString().equals("FAILED"));

        // a later announcement: the success that was newer than the first is not any more, the failed recovery stays failed
        publish(CommitStoreChecked.of(Instant.now(), epoch, 0));
        publish(CommitStoreChecked.of(Instant.now(), epoch, 0));

        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT)).as("no second recovery of the failed one")
                .extracting(message -> body(message).get("projectId").asString()).containsExactly(newer.toString());
        assertThat(project(lost).get("status").asString()).isEqualTo("FAILED");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_events", Long.class))
                .as("announcements are not remembered as processed events").isEqualTo(3);
    }

    @Test
    void refreshOfAStaleFetchQueuesANewOne() throws Exception {
        Response created = post("https://github.com/acme/stuck");
        UUID id = id(created);
        jdbc.update("UPDATE fetches SET requested_at = requested_at - interval '1 day' WHERE project_id = ?", id);

        Response refreshed = send("POST", "/api/projects/" + id + "/refresh", null);

        assertThat(fetchId(refreshed)).isNotEqualTo(fetchId(created));
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, WAIT)).hasSize(2);
    }

    @Test
    void deletePublishesProjectDeletedAndLateResultsAreIgnored() throws Exception {
        Response created = post("https://github.com/acme/gone");
        UUID id = id(created);

        assertThat(send("DELETE", "/api/projects/" + id, null).status()).isEqualTo(204);

        assertThat(get("/api/projects/" + id).status()).isEqualTo(404);
        List<Message> deletions = drainWork(io.commitviewer.common.events.EventType.PROJECT_DELETED, WAIT);
        assertThat(deletions).hasSize(1);
        assertThat((Object) deletions.get(0).getMessageProperties().getHeader("type")).isEqualTo("project.deleted");
        assertThat(body(deletions.get(0)).get("projectId").asString()).isEqualTo(id.toString());
        assertThat(send("DELETE", "/api/projects/" + id, null).status()).isEqualTo(404);

        publish(succeeded(id, fetchId(created), 1, 1, 1, 1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(management("/actuator/prometheus"))
                .contains("outcome=\"unknown_fetch\",type=\"fetch.succeeded\"} 1.0"));
        assertThat(drain(AmqpNames.deadLetterQueue(AmqpNames.FETCH_RESULTS_QUEUE), Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aProjectIsFoundByItsUrlInAnySpellingAndAnInvalidUrlIsRefusedAsByPost() throws Exception {
        UUID id = id(post("https://github.com/Acme/Finder"));
        for (String spelling : List.of("https://github.com/acme/finder", "https://github.com/ACME/Finder.git",
                "git@github.com:acme/finder.git", "https://github.com/acme/finder/tree/main", "github.com/acme/finder/")) {
            Response found = get("/api/projects?url=" + java.net.URLEncoder.encode(spelling, StandardCharsets.UTF_8));
            assertThat(found.status()).as(spelling).isEqualTo(200);
            assertThat(id(found)).as(spelling).isEqualTo(id);
            assertThat(found.raw().headers().firstValue("Content-Location")).hasValue("/api/projects/" + id);
        }
        Response missing = get("/api/projects?url=" + java.net.URLEncoder.encode("https://github.com/acme/other", StandardCharsets.UTF_8));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("type").asString()).isEqualTo("/problems/project-not-found");
        Response invalid = get("/api/projects?url=" + java.net.URLEncoder.encode("https://evil.example/a/b", StandardCharsets.UTF_8));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().get("type").asString()).isEqualTo("/problems/invalid-url");
        assertThat(invalid.body().get("reason").asString()).isEqualTo("host-not-allowed");
        assertThat(get("/api/projects?url=").status()).as("an empty url is no URL").isEqualTo(400);
    }

    @Test
    void listsProjectsNewestFirstByCursor() throws Exception {
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(id(post("https://github.com/acme/list-" + i)));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = get("/api/projects?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.body().get("items").forEach(item -> seen.add(item.get("id").asString()));
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asString();
            assertThat(page.raw().headers().firstValue("Link").isPresent()).isEqualTo(cursor != null);
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        List<String> newestFirst = new ArrayList<>(created.stream().map(UUID::toString).toList());
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void chunkedBodyOverTheLimitIsRefused() throws Exception {
        byte[] big = ("{\"url\":\"https://github.com/a/" + "b".repeat(10_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/projects"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json.readTree(response.body()).get("type").asString()).isEqualTo("/problems/payload-too-large");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects", Long.class)).isZero();
    }

    @Test
    void operationsEndpointsLiveOnTheManagementPortOnly() throws Exception {
        post("https://github.com/acme/metrics");
        assertThat(get("/actuator/health").status()).isEqualTo(404);
        assertThat(get("/actuator/prometheus").status()).isEqualTo(404);

        JsonNode health = json.readTree(management("/actuator/health"));
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").propertyNames()).contains("db", "rabbit");
        assertThat(json.readTree(management("/actuator/health/liveness")).get("status").asString()).isEqualTo("UP");
        JsonNode readiness = json.readTree(management("/actuator/health/readiness"));
        assertThat(readiness.get("status").asString()).isEqualTo("UP");
        assertThat(readiness.get("components").propertyNames()).contains("db").doesNotContain("rabbit");
        assertThat(json.readTree(management("/actuator/info")).get("build").get("artifact").asString()).isEqualTo("project-service");

        await().atMost(WAIT).untilAsserted(() -> assertThat(management("/actuator/prometheus"))
                .contains("http_server_requests_seconds_bucket{application=\"project-service\"", "le=\"0.25\"")
                .contains("commitviewer_outbox_backlog", "commitviewer_outbox_oldest_age_seconds",
                        "commitviewer_outbox_published_total", "commitviewer_projects{application=\"project-service\",status=\"QUEUED\"}")
                .contains("process_memory_rss_bytes{application=\"project-service\"}", "process_memory_rss_peak_bytes"));
        Response document = get("/v3/api-docs");
        assertThat(document.body().get("paths").propertyNames()).contains("/api/projects", "/api/projects/{id}",
                "/api/projects/{id}/refresh", "/api/projects/{id}/events");
        assertThat(io.commitviewer.testsupport.OpenApiDocuments.compare(document.raw().body(), COMMITTED_DOCUMENT)).isEmpty();
    }
}
