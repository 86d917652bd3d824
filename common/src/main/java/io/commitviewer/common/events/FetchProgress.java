package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * How far a running fetch is: its phase, the commits it has listed and stored so far, and whether
 * a first look at its newest commits is served (ADR 0012).
 * Published by commit-service at each phase change and at most twice a second in between; a
 * fetch's progress events carry increasing {@code sequence} numbers, so one that arrives late
 * changes nothing. Lossy by design: a progress event that cannot be published is dropped, never
 * retried, and never delays the fetch.
 */
public record FetchProgress(UUID eventId, Instant occurredAt, UUID projectId, UUID fetchId, FetchPhase phase,
        long commitsStored, long sequence, Boolean firstLook) implements FetchEvent {

    /** {@code firstLook} absent (an event of a version before it): false. */
    public FetchProgress {
        firstLook = Boolean.TRUE.equals(firstLook);
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(fetchId, "fetchId");
        Objects.requireNonNull(phase, "phase");
    }

    public static FetchProgress of(UUID projectId, UUID fetchId, FetchPhase phase, long commitsStored, long sequence) {
        return of(projectId, fetchId, phase, commitsStored, sequence, false);
    }

    public static FetchProgress of(UUID projectId, UUID fetchId, FetchPhase phase, long commitsStored, long sequence,
            boolean firstLook) {
        return new FetchProgress(UUID.randomUUID(), Instant.now(), projectId, fetchId, phase, commitsStored, sequence, firstLook);
    }
}
