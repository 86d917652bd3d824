package io.commitviewer.common.events;

import io.commitviewer.common.git.FailureReason;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** commit-service gave up on a fetch; {@code retryable} says whether a later refresh may succeed. */
public record FetchFailed(UUID eventId, Instant occurredAt, UUID projectId, UUID fetchId, FailureReason reason,
        String message, boolean retryable) implements FetchEvent {

    public FetchFailed {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(fetchId, "fetchId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    public static FetchFailed of(UUID projectId, UUID fetchId, FailureReason reason, String message,
            boolean retryable) {
        return new FetchFailed(UUID.randomUUID(), Instant.now(), projectId, fetchId, reason, message, retryable);
    }
}
