package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * commit-service stored the repository's commits; counts describe the stored set.
 * {@code storeEpoch} and {@code storeSequence} say where in the commit store's history this
 * success lies (ADR 0006); null in events of a commit-service older than that.
 */
public record FetchSucceeded(UUID eventId, Instant occurredAt, UUID projectId, UUID fetchId, long commitCount,
        long newCommitCount, int branchCount, long durationMs, UUID storeEpoch, Long storeSequence) implements FetchEvent {

    public FetchSucceeded {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(fetchId, "fetchId");
    }

    public static FetchSucceeded of(UUID projectId, UUID fetchId, long commitCount, long newCommitCount,
            int branchCount, long durationMs, UUID storeEpoch, Long storeSequence) {
        return new FetchSucceeded(UUID.randomUUID(), Instant.now(), projectId, fetchId, commitCount, newCommitCount,
                branchCount, durationMs, storeEpoch, storeSequence);
    }
}
