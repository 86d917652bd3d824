package io.commitviewer.project.outbox;

import io.commitviewer.common.events.Event;
import io.commitviewer.project.messaging.EventCodec;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Records an event in the transaction of the change it announces; {@link OutboxRelay} publishes
 * it once that transaction has committed (and again until the broker confirms it).
 */
@Component
public class Outbox {

    private final JdbcTemplate jdbc;
    private final EventCodec codec;
    private final OutboxRelay relay;

    Outbox(JdbcTemplate jdbc, EventCodec codec, OutboxRelay relay) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.relay = relay;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void append(Event event) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO outbox (event_id, event_type, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
                event.eventId(), event.type().routingKey(), codec.toJson(event), now, now);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                relay.wakeUp();
            }
        });
    }
}
