package io.commitviewer.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.commitviewer.common.git.FailureReason;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EventJsonTests {

    private static final UUID PROJECT = UUID.fromString("4f1c1a9e-5b7e-4a51-9d0b-7a1d2c3e4f50");
    private static final UUID FETCH = UUID.fromString("0b8e2f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b");

    private final JsonMapper mapper = JsonMapper.builder().build();

    static Stream<Event> events() {
        return Stream.of(
                FetchRequested.of(PROJECT, "https://github.com/octocat/Hello-World", FETCH),
                FetchStarted.of(PROJECT, FETCH),
                FetchSucceeded.of(PROJECT, FETCH, 85_356, 10, 7, 2_700, UUID.randomUUID(), 42L),
                FetchFailed.of(PROJECT, FETCH, FailureReason.REPOSITORY_NOT_FOUND, "repository not found", false),
                ProjectDeleted.of(PROJECT));
    }

    @ParameterizedTest
    @MethodSource("events")
    void roundTripsThroughJson(Event event) {
        String json = mapper.writeValueAsString(event);
        Event back = mapper.readValue(json, event.type().eventClass());
        assertThat(back).isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("events")
    void carriesIdentifiersAndIsoTimestamps(Event event) {
        JsonNode json = mapper.readTree(mapper.writeValueAsString(event));
        assertThat(json.get("eventId").asString()).isEqualTo(event.eventId().toString());
        assertThat(json.get("projectId").asString()).isEqualTo(PROJECT.toString());
        assertThat(((ProjectEvent) event).projectId()).isEqualTo(PROJECT);
        assertThat(Instant.parse(json.get("occurredAt").asString())).isEqualTo(event.occurredAt());
    }

    @Test
    void fetchRequestedHasTheDocumentedFields() {
        JsonNode json = mapper.readTree(mapper.writeValueAsString(FetchRequested.of(PROJECT, "https://github.com/a/b", FETCH)));
        assertThat(json.propertyNames()).containsExactlyInAnyOrder("eventId", "occurredAt", "projectId", "repositoryUrl", "fetchId");
    }

    @Test
    void theStoreAnnouncementRoundTripsAndASuccessFromBeforeEpochsHasNone() {
        CommitStoreChecked checked = CommitStoreChecked.of(Instant.parse("2026-11-30T10:00:00Z"), UUID.randomUUID(), 17);
        assertThat(mapper.readValue(mapper.writeValueAsString(checked), CommitStoreChecked.class)).isEqualTo(checked);

        FetchSucceeded old = mapper.readValue("""
                {"eventId":"9d5ac5f4-0d57-4a8e-9b83-2f1c7a1f2b3c","occurredAt":"2026-11-28T10:15:30.123Z",
                 "projectId":"4f1c1a9e-5b7e-4a51-9d0b-7a1d2c3e4f50","fetchId":"0b8e2f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
                 "commitCount":5,"newCommitCount":5,"branchCount":1,"durationMs":10}
                """, FetchSucceeded.class);
        assertThat(old.storeEpoch()).isNull();
        assertThat(old.storeSequence()).isNull();
    }

    @Test
    void readsTheContractAsWritten() {
        String json = """
                {"eventId":"9d5ac5f4-0d57-4a8e-9b83-2f1c7a1f2b3c","occurredAt":"2026-11-28T10:15:30.123Z",
                 "projectId":"4f1c1a9e-5b7e-4a51-9d0b-7a1d2c3e4f50","fetchId":"0b8e2f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
                 "reason":"ACCESS_DENIED","message":"authentication required","retryable":false,"extra":"ignored"}
                """;
        FetchFailed failed = mapper.readValue(json, FetchFailed.class);
        assertThat(failed.reason()).isEqualTo(FailureReason.ACCESS_DENIED);
        assertThat(failed.occurredAt()).isEqualTo(Instant.parse("2026-11-28T10:15:30.123Z"));
        assertThat(failed.retryable()).isFalse();
    }

    @Test
    void refusesAMessageWithoutRequiredFields() {
        assertThatThrownBy(() -> mapper.readValue("{\"eventId\":\"9d5ac5f4-0d57-4a8e-9b83-2f1c7a1f2b3c\"}", FetchRequested.class))
                .hasMessageContaining("occurredAt");
    }

    @Test
    void typesMapToRoutingKeysBothWays() {
        assertThat(List.of(EventType.values())).extracting(EventType::routingKey)
                .containsExactly("fetch.requested", "fetch.started", "fetch.progress", "fetch.succeeded", "fetch.failed", "project.deleted",
                        "commit-store.checked");
        for (EventType type : EventType.values()) {
            assertThat(EventType.fromRoutingKey(type.routingKey())).contains(type);
            assertThat(EventType.of(type.eventClass())).isEqualTo(type);
        }
        assertThat(EventType.fromRoutingKey("fetch.unknown")).isEmpty();
        assertThat(AmqpNames.deadLetterQueue(AmqpNames.FETCH_REQUESTS_QUEUE)).isEqualTo("commit-service.fetch-requests.dlq");
    }
}
