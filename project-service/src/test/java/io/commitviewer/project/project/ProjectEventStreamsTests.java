package io.commitviewer.project.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event streams' bounds for the open internet (issue 24, finding 2), with the project service
 * mocked and emitters that record what they are sent, or never take a write (a client that stopped
 * reading: its socket's buffers full).
 */
class ProjectEventStreamsTests {

    private static final UUID ID = UUID.randomUUID();
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private final ProjectService projects = mock(ProjectService.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicReference<ProjectService.ProjectView> current = new AtomicReference<>(view(UUID.randomUUID()));
    private ProjectEventStreams streams;

    private static ProjectService.ProjectView view(UUID fetchId) {
        Project project = new Project(ID, "https://github.com/octocat/Hello-World", "https://github.com/octocat/hello-world",
                "octocat", "Hello-World", fetchId, NOW, null);
        return new ProjectService.ProjectView(project, new Fetch(fetchId, ID, NOW, FetchReason.CREATED)); // queued: in progress
    }

    private static ProjectServiceProperties.Events settings(int perClient, Duration cutoff) {
        return new ProjectServiceProperties.Events(100, Duration.ofMillis(50), Duration.ofSeconds(15), Duration.ofMinutes(30),
                perClient, cutoff);
    }

    /** Records the events it is sent ("event:NAME" lines), comments left out. */
    static final class Recording extends SseEmitter {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void send(SseEventBuilder event) {
            StringBuilder text = new StringBuilder();
            event.build().forEach(part -> text.append(part.getData()));
            if (text.indexOf("event:") >= 0) {
                events.add(text.toString());
            }
        }
    }

    /** Never returns from a write until released: a client whose socket takes nothing more. */
    static final class Stuck extends SseEmitter {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void send(SseEventBuilder event) {
            writing.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @AfterEach
    void stop() {
        if (streams != null) {
            streams.destroy();
        }
    }

    @Test
    void oneAddressHoldsAtMostItsCapOfStreamsWhileAnotherStillOpensOne() {
        when(projects.get(ID)).thenAnswer(invocation -> current.get());
        streams = new ProjectEventStreams(projects, JsonMapper.builder().build(), settings(2, Duration.ofSeconds(10)), meters,
                timeout -> new Recording());

        assertThat(streams.open(ID, null, "198.51.100.7")).isNotNull();
        assertThat(streams.open(ID, null, "198.51.100.7")).isNotNull();
        assertThatThrownBy(() -> streams.open(ID, null, "198.51.100.7")).isInstanceOfSatisfying(LimitExceededException.class, e -> {
            assertThat(e.scope()).isEqualTo(LimitExceededException.Scope.CLIENT);
            assertThat(e.limit()).isEqualTo("max-event-streams-per-client");
            assertThat(e.rateLimit()).hasValueSatisfying(limit -> assertThat(limit.state()).isEqualTo("\"max-event-streams-per-client\";r=0;t=30"));
        });
        assertThat(streams.open(ID, null, "203.0.113.9")).as("another address").isNotNull();
        assertThat(meters.get("commitviewer.event.streams").gauge().value()).isEqualTo(3);
    }

    @Test
    void aClientThatStopsReadingDelaysNoOtherAndIsDroppedAfterTheCutoff() throws Exception {
        when(projects.get(ID)).thenAnswer(invocation -> current.get());
        Stuck stuck = new Stuck();
        Recording reading = new Recording();
        List<SseEmitter> emitters = new CopyOnWriteArrayList<>(List.of(stuck, reading));
        streams = new ProjectEventStreams(projects, JsonMapper.builder().build(), settings(20, Duration.ofMillis(500)), meters,
                timeout -> emitters.remove(0));

        streams.open(ID, null, "198.51.100.7");
        assertThat(stuck.writing.await(5, TimeUnit.SECONDS)).as("the stuck client's first write started").isTrue();
        streams.open(ID, null, "203.0.113.9");
        await().atMost(Duration.ofSeconds(2)).until(() -> reading.events.size() == 1);

        current.set(view(UUID.randomUUID())); // the project changed: a new event for every stream
        await().atMost(Duration.ofSeconds(2)).until(() -> reading.events.size() == 2);
        current.set(view(UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(2)).until(() -> reading.events.size() == 3);

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("commitviewer.event.streams.cut").counter().count() == 1);
        assertThat(meters.get("commitviewer.event.streams").gauge().value()).as("its slot is free").isEqualTo(1);
        stuck.release.countDown();
        current.set(view(UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(2)).until(() -> reading.events.size() == 4);
    }
}
