package io.commitviewer.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A fact one service tells the others over RabbitMQ. Events carry identifiers, never entities,
 * and consumers are idempotent on {@link #eventId()}.
 */
public sealed interface Event permits FetchRequested, FetchStarted, FetchSucceeded, FetchFailed, ProjectDeleted {

    UUID eventId();

    Instant occurredAt();

    UUID projectId();

    /** The routing key and {@code type} header value. */
    default EventType type() {
        return EventType.of(getClass());
    }
}
