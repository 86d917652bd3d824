package io.commitviewer.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A fact one service tells the others over RabbitMQ. Events carry identifiers, never entities,
 * and consumers are idempotent on {@link #eventId()}.
 */
public sealed interface Event permits ProjectEvent, CommitStoreChecked {

    UUID eventId();

    Instant occurredAt();

    /** The routing key and {@code type} header value. */
    default EventType type() {
        return EventType.of(getClass());
    }
}
