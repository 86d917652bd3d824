package io.commitviewer.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * commit-service checked its store: it holds epoch {@code epoch}, in which {@code sequence}
 * fetches have succeeded so far (ADR 0006). {@code occurredAt} is taken before the check read the
 * store: a success reported before it, with another epoch or a higher sequence, was lost.
 */
public record CommitStoreChecked(UUID eventId, Instant occurredAt, UUID epoch, long sequence) implements Event {

    public CommitStoreChecked {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(epoch, "epoch");
    }

    public static CommitStoreChecked of(Instant checkedAt, UUID epoch, long sequence) {
        return new CommitStoreChecked(UUID.randomUUID(), checkedAt, epoch, sequence);
    }
}
