package io.commitviewer.project.project;

import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event streams of projects ({@code GET /api/projects/{id}/events}, Server-Sent Events).
 * Every event is the whole project as {@code GET /api/projects/{id}} shows it (status, the fetch
 * with its phase and commits stored so far), sent when it changed: event {@code project}, its id
 * a digest of that state. The watched projects are read from the database every
 * {@code poll-interval} (one read per watched project, whatever the number of its streams), so
 * any instance serves any stream and an event never shows what the database does not hold yet. A
 * stream ends after the event in which no fetch is in progress any more; a client that reconnects
 * with {@code Last-Event-ID} gets the current state at once if it changed since, and {@code 204}
 * (stop reconnecting) if the fetch had ended with that very state. A deleted project's stream
 * ends with an event {@code deleted}.
 *
 * <p>Bounded for the open internet (issue 24, finding 2): at most {@code max-streams} on the
 * instance (503 beyond) and {@code max-streams-per-client} per client address (429). No client
 * can slow the others: a write to a stream runs on a thread of its own, one at a time per stream,
 * and what comes meanwhile replaces what waits (each event is the whole state, so only the latest
 * matters); a stream whose client has not taken a write for {@code slow-client-cutoff} is dropped
 * and its slots freed (its blocked write ends with the connection).
 */
@Component
class ProjectEventStreams implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectEventStreams.class);

    private final ProjectService projects;
    private final JsonMapper json;
    private final ProjectServiceProperties.Events settings;
    private final Map<UUID, List<Stream>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final LongFunction<SseEmitter> emitters;
    private final Counter cut;
    /** One thread per write in progress: at most one per stream. */
    private final ThreadPoolExecutor writers;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "project-events");
        thread.setDaemon(true);
        return thread;
    });

    @org.springframework.beans.factory.annotation.Autowired
    ProjectEventStreams(ProjectService projects, JsonMapper json, ProjectServiceProperties properties, MeterRegistry meters) {
        this(projects, json, properties.events(), meters, SseEmitter::new);
    }

    /** @param emitters a stream's emitter for its timeout in milliseconds (tests give emitters that record or block) */
    ProjectEventStreams(ProjectService projects, JsonMapper json, ProjectServiceProperties.Events settings, MeterRegistry meters,
            LongFunction<SseEmitter> emitters) {
        this.projects = projects;
        this.json = json;
        this.settings = settings;
        this.emitters = emitters;
        AtomicInteger writerThreads = new AtomicInteger();
        // twice the streams: the writes of dropped streams may still block until their connections end
        this.writers = new ThreadPoolExecutor(0, 2 * settings.maxStreams(), 60, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "project-events-write-" + writerThreads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long poll = settings.pollInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
        long beat = settings.heartbeat().toMillis();
        scheduler.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        long check = Math.max(50, Math.min(1000, settings.slowClientCutoff().toMillis() / 4));
        scheduler.scheduleWithFixedDelay(this::cutSlowClients, check, check, TimeUnit.MILLISECONDS);
        Gauge.builder("commitviewer.event.streams", open, AtomicInteger::get).description("Open project event streams")
                .register(meters);
        this.cut = Counter.builder("commitviewer.event.streams.cut")
                .description("Event streams dropped because their client stopped taking writes").register(meters);
    }

    /**
     * One client's stream: the id of the last event it was sent, the write waiting for it (the
     * latest only), whether one is in progress, and since when.
     */
    private static final class Stream {
        final SseEmitter emitter;
        final String client;
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicReference<Write> waiting = new AtomicReference<>();
        final AtomicBoolean writing = new AtomicBoolean();
        volatile long writeStarted;
        String lastSent;

        Stream(SseEmitter emitter, String client, String lastSent) {
            this.emitter = emitter;
            this.client = client;
            this.lastSent = lastSent;
        }
    }

    /** A project's state as an event: its JSON, the digest that is its id, and whether a fetch is still in progress. */
    private record State(String json, String id, boolean fetching) {
    }

    /**
     * Opens a stream of the project for a client address (404 if there is no project), or returns
     * null when the client's {@code lastEventId} is the final state already: nothing will follow
     * (answer 204).
     */
    SseEmitter open(UUID id, String lastEventId, String client) {
        State state = state(projects.get(id));
        if (!state.fetching() && state.id().equals(lastEventId)) {
            return null;
        }
        int[] ofClient = new int[1];
        perClient.compute(client, (key, count) -> {
            AtomicInteger counted = count == null ? new AtomicInteger() : count;
            ofClient[0] = counted.incrementAndGet();
            return counted;
        });
        if (ofClient[0] > settings.maxStreamsPerClient()) {
            release(client);
            throw new LimitExceededException(LimitExceededException.Scope.CLIENT, "max-event-streams-per-client",
                    settings.maxStreamsPerClient(), null, Duration.ofSeconds(30),
                    "this address holds " + settings.maxStreamsPerClient() + " event streams open already, its limit");
        }
        if (open.incrementAndGet() > settings.maxStreams()) {
            open.decrementAndGet();
            release(client);
            throw new LimitExceededException(LimitExceededException.Scope.ADMISSION, "max-event-streams", settings.maxStreams(),
                    Duration.ofSeconds(30), "this instance serves " + settings.maxStreams() + " event streams already");
        }
        SseEmitter emitter = emitters.apply(settings.maxDuration().toMillis());
        Stream stream = new Stream(emitter, client, lastEventId);
        emitter.onCompletion(() -> close(id, stream));
        emitter.onTimeout(() -> close(id, stream));
        emitter.onError(error -> close(id, stream));
        // the state now, before any poll can queue a newer one (a write waiting is replaced, never overtaken); it may end the stream
        send(id, stream, state);
        // registered atomically with close()'s removal of an emptied list, so that no stream is left out of it
        streams.compute(id, (key, list) -> {
            List<Stream> registered = list == null ? new CopyOnWriteArrayList<>() : list;
            if (!stream.closed.get()) {
                registered.add(stream);
            }
            return registered.isEmpty() ? null : registered;
        });
        return emitter;
    }

    private void release(String client) {
        perClient.computeIfPresent(client, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** Forgets a stream, once, whoever notices first that it ended. */
    private void close(UUID id, Stream stream) {
        if (stream.closed.compareAndSet(false, true)) {
            streams.computeIfPresent(id, (key, list) -> {
                list.remove(stream);
                return list.isEmpty() ? null : list;
            });
            open.decrementAndGet();
            release(stream.client);
        }
    }

    /**
     * Drops the streams whose client has not taken a write for {@code slow-client-cutoff}: no more
     * writes go to them and their slots are free. Their emitter is left alone (completing it would
     * wait for the write in progress); that write ends when the connection does.
     */
    private void cutSlowClients() {
        long now = System.nanoTime();
        long cutoff = settings.slowClientCutoff().toNanos();
        streams.forEach((id, list) -> list.forEach(stream -> {
            long started = stream.writeStarted;
            if (started != 0 && now - started > cutoff && !stream.closed.get()) {
                log.info("Dropping an event stream of project {}: its client took no write for {}", id, settings.slowClientCutoff());
                cut.increment();
                close(id, stream);
            }
        }));
    }

    private void poll() {
        for (Map.Entry<UUID, List<Stream>> entry : streams.entrySet()) {
            UUID id = entry.getKey();
            State state;
            try {
                state = state(projects.get(id));
            } catch (ProjectNotFoundException e) {
                for (Stream stream : entry.getValue()) {
                    deleted(id, stream);
                }
                continue;
            } catch (RuntimeException e) {
                log.debug("Project {} not read for its streams: {}", id, e.toString());
                continue;
            }
            for (Stream stream : entry.getValue()) {
                send(id, stream, state);
            }
        }
    }

    /** Sends the state if the stream has not seen it, and ends the stream once no fetch is in progress. */
    private void send(UUID id, Stream stream, State state) {
        queue(id, stream, true, () -> {
            if (!state.id().equals(stream.lastSent)) {
                stream.emitter.send(SseEmitter.event().id(state.id()).name("project").data(state.json(), MediaType.APPLICATION_JSON));
                stream.lastSent = state.id();
            }
            return !state.fetching();
        });
    }

    private void deleted(UUID id, Stream stream) {
        queue(id, stream, true, () -> {
            stream.emitter.send(SseEmitter.event().name("deleted").data("{}", MediaType.APPLICATION_JSON));
            return true;
        });
    }

    private void heartbeat() {
        streams.forEach((id, list) -> list.forEach(stream -> queue(id, stream, false, () -> {
            stream.emitter.send(SseEmitter.event().comment("keep-alive"));
            return false;
        })));
    }

    /** A write to the stream; returns true when the stream ends after it. */
    private interface Write {
        boolean write() throws IOException;
    }

    /**
     * Hands a write to the stream's writer: it waits for the write in progress, if any, and
     * replaces the one waiting — but a keep-alive ({@code replaces} false) never replaces an event.
     */
    private void queue(UUID id, Stream stream, boolean replaces, Write write) {
        if (stream.closed.get()) {
            return;
        }
        if (replaces) {
            stream.waiting.set(write);
        } else if (!stream.waiting.compareAndSet(null, write)) {
            return; // an event waits already: it keeps the stream alive as well
        }
        if (stream.writing.compareAndSet(false, true)) {
            try {
                writers.execute(() -> drain(id, stream));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stream.writing.set(false); // stopping, or every thread blocked: the write waits for the next one queued
            }
        }
    }

    /** Writes what waits for the stream, one write at a time, until nothing does. */
    private void drain(UUID id, Stream stream) {
        while (true) {
            Write next = stream.waiting.getAndSet(null);
            if (next == null) {
                stream.writing.set(false);
                // a write queued after the last look but before the flag was down: take it, unless another thread did
                if (stream.waiting.get() == null || !stream.writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            stream.writeStarted = System.nanoTime();
            try {
                write(id, stream, next);
            } finally {
                stream.writeStarted = 0;
            }
        }
    }

    /** One write to an open stream at a time; the stream is closed when the write ends it, or fails (the client left). */
    private void write(UUID id, Stream stream, Write write) {
        synchronized (stream) {
            if (stream.closed.get()) {
                return;
            }
            try {
                if (write.write()) {
                    close(id, stream);
                    stream.emitter.complete();
                }
            } catch (IOException | IllegalStateException e) {
                close(id, stream);
                stream.emitter.completeWithError(e);
            }
        }
    }

    private State state(ProjectService.ProjectView view) {
        String body = json.writeValueAsString(ProjectResponse.of(view));
        boolean fetching = view.fetch() != null && view.fetch().status().inProgress();
        return new State(body, digest(body), fetching);
    }

    private static String digest(String body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
        writers.shutdownNow();
        streams.values().forEach(list -> list.forEach(stream -> stream.emitter.complete()));
        streams.clear();
    }
}
