package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A project was deleted: commit-service drops its commits, branches and mirror. */
public record ProjectDeleted(UUID eventId, Instant occurredAt, UUID projectId) implements ProjectEvent {

    public ProjectDeleted {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
    }

    public static ProjectDeleted of(UUID projectId) {
        return new ProjectDeleted(UUID.randomUUID(), Instant.now(), projectId);
    }
}
