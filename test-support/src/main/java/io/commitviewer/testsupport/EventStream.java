package io.commitviewer.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests: opens {@code GET uri} with {@code Accept:
 * text/event-stream} (and {@code Last-Event-ID} if given) and parses the stream as it arrives
 * into {@link Event}s, read with {@link #next(Duration)}; {@link #ended()} says when the server
 * closed it.
 */
public final class EventStream implements AutoCloseable {

    /** One event: its id, name ({@code message} if none) and data (lines joined by newlines). */
    public record Event(String id, String name, String data) {
    }

    private static final Event END = new Event(null, null, null);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private volatile boolean ended;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        if (response.statusCode() == 200) {
            Thread reader = new Thread(this::read, "event-stream-reader");
            reader.setDaemon(true);
            reader.start();
        } else {
            ended = true;
            events.add(END);
        }
    }

    public static EventStream open(String uri, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return new EventStream(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    public int status() {
        return response.statusCode();
    }

    public HttpResponse<Stream<String>> response() {
        return response;
    }

    private void read() {
        String id = null;
        String name = null;
        List<String> data = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty() || name != null) {
                        events.add(new Event(id, name == null ? "message" : name, String.join("\n", data)));
                    }
                    id = null;
                    name = null;
                    data = new ArrayList<>();
                } else if (line.startsWith(":")) {
                    continue; // a comment: keep-alive
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> name = value;
                        case "data" -> data.add(value);
                        default -> { }
                    }
                }
            }
        } catch (RuntimeException e) {
            // the stream was cut: as ended
        } finally {
            ended = true;
            events.add(END);
        }
    }

    /** The next event, or null when the stream ended (or nothing came within {@code wait}). */
    public Event next(Duration wait) throws InterruptedException {
        Event event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (event == END) {
            events.add(END); // stays ended
            return null;
        }
        return event;
    }

    /** True once the server closed the stream and every event before was read. */
    public boolean ended() {
        return ended && events.peek() == END;
    }

    @Override
    public void close() {
        CompletableFuture.runAsync(() -> {
            try {
                response.body().close();
            } catch (RuntimeException e) {
                // already closed
            }
        });
    }
}
