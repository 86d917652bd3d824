package io.commitviewer.project.project;

import io.commitviewer.project.config.ProjectServiceProperties;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 */
@Component
class ProjectEventStreams implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProjectEventStreams.class);

    private final ProjectService projects;
    private final JsonMapper json;
    private final ProjectServiceProperties.Events settings;
    private final Map<UUID, List<Stream>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "project-events");
        thread.setDaemon(true);
        return thread;
    });

    ProjectEventStreams(ProjectService projects, JsonMapper json, ProjectServiceProperties properties, MeterRegistry meters) {
        this.projects = projects;
        this.json = json;
        this.settings = properties.events();
        long poll = settings.pollInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
        long beat = settings.heartbeat().toMillis();
        scheduler.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        Gauge.builder("commitviewer.event.streams", open, AtomicInteger::get).description("Open project event streams")
                .register(meters);
    }

    /** One client's stream, and the id of the last event it was sent. */
    private static final class Stream {
        final SseEmitter emitter;
        final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        String lastSent;

        Stream(SseEmitter emitter, String lastSent) {
            this.emitter = emitter;
            this.lastSent = lastSent;
        }
    }

    /** A project's state as an event: its JSON, the digest that is its id, and whether a fetch is still in progress. */
    private record State(String json, String id, boolean fetching) {
    }

    /**
     * Opens a stream of the project (404 if there is none), or returns null when the client's
     * {@code lastEventId} is the final state already: nothing will follow (answer 204).
     */
    SseEmitter open(UUID id, String lastEventId) {
        State state = state(projects.get(id));
        if (!state.fetching() && state.id().equals(lastEventId)) {
            return null;
        }
        if (open.incrementAndGet() > settings.maxStreams()) {
            open.decrementAndGet();
            throw new LimitExceededException(LimitExceededException.Scope.ADMISSION, "max-event-streams", settings.maxStreams(),
                    Duration.ofSeconds(30), "this instance serves " + settings.maxStreams() + " event streams already");
        }
        SseEmitter emitter = new SseEmitter(settings.maxDuration().toMillis());
        Stream stream = new Stream(emitter, lastEventId);
        emitter.onCompletion(() -> close(id, stream));
        emitter.onTimeout(() -> close(id, stream));
        emitter.onError(error -> close(id, stream));
        synchronized (stream) {
            send(id, stream, state); // the state now, before any poll can send a newer one; it may end the stream
            // registered atomically with close()'s removal of an emptied list, so that no stream is left out of it
            streams.compute(id, (key, list) -> {
                List<Stream> registered = list == null ? new CopyOnWriteArrayList<>() : list;
                if (!stream.closed.get()) {
                    registered.add(stream);
                }
                return registered.isEmpty() ? null : registered;
            });
        }
        return emitter;
    }

    /** Forgets a stream, once, whoever notices first that it ended. */
    private void close(UUID id, Stream stream) {
        if (stream.closed.compareAndSet(false, true)) {
            streams.computeIfPresent(id, (key, list) -> {
                list.remove(stream);
                return list.isEmpty() ? null : list;
            });
            open.decrementAndGet();
        }
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
        write(id, stream, () -> {
            if (!state.id().equals(stream.lastSent)) {
                stream.emitter.send(SseEmitter.event().id(state.id()).name("project").data(state.json(), MediaType.APPLICATION_JSON));
                stream.lastSent = state.id();
            }
            return !state.fetching();
        });
    }

    private void deleted(UUID id, Stream stream) {
        write(id, stream, () -> {
            stream.emitter.send(SseEmitter.event().name("deleted").data("{}", MediaType.APPLICATION_JSON));
            return true;
        });
    }

    private void heartbeat() {
        streams.forEach((id, list) -> list.forEach(stream -> write(id, stream, () -> {
            stream.emitter.send(SseEmitter.event().comment("keep-alive"));
            return false;
        })));
    }

    /** A write to the stream; returns true when the stream ends after it. */
    private interface Write {
        boolean write() throws IOException;
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
        streams.values().forEach(list -> list.forEach(stream -> stream.emitter.complete()));
        streams.clear();
    }
}
