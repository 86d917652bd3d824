package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** project-service asks for a repository to be fetched (first time or refresh). */
public record FetchRequested(UUID eventId, Instant occurredAt, UUID projectId, String repositoryUrl, UUID fetchId)
        implements FetchEvent {

    public FetchRequested {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(repositoryUrl, "repositoryUrl");
        Objects.requireNonNull(fetchId, "fetchId");
    }

    public static FetchRequested of(UUID projectId, String repositoryUrl, UUID fetchId) {
        return new FetchRequested(UUID.randomUUID(), Instant.now(), projectId, repositoryUrl, fetchId);
    }
}
