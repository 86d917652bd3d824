package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** commit-service began working on a fetch. */
public record FetchStarted(UUID eventId, Instant occurredAt, UUID projectId, UUID fetchId) implements FetchEvent {

    public FetchStarted {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(fetchId, "fetchId");
    }

    public static FetchStarted of(UUID projectId, UUID fetchId) {
        return new FetchStarted(UUID.randomUUID(), Instant.now(), projectId, fetchId);
    }
}
