package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * How far a running fetch is: its phase and the commits it has listed and stored so far.
 * Published by commit-service at each phase change and at most twice a second in between; a
 * fetch's progress events carry increasing {@code sequence} numbers, so one that arrives late
 * changes nothing. Lossy by design: a progress event that cannot be published is dropped, never
 * retried, and never delays the fetch.
 */
public record FetchProgress(UUID eventId, Instant occurredAt, UUID projectId, UUID fetchId, FetchPhase phase,
        long commitsStored, long sequence) implements FetchEvent {

    public FetchProgress {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(fetchId, "fetchId");
        Objects.requireNonNull(phase, "phase");
    }

    public static FetchProgress of(UUID projectId, UUID fetchId, FetchPhase phase, long commitsStored, long sequence) {
        return new FetchProgress(UUID.randomUUID(), Instant.now(), projectId, fetchId, phase, commitsStored, sequence);
    }
}
