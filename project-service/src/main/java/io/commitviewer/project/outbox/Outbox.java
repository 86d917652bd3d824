package io.commitviewer.project.outbox;

import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.common.events.Event;
import java.time.Instant;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Records an event in the transaction of the change it announces; it is published once that
 * transaction has committed, and again by {@link OutboxRelay} until the broker confirms it.
 */
@Component
public class Outbox {

    private final OutboxRows rows;
    private final EventCodec codec;
    private final OutboxRelay relay;

    Outbox(OutboxRows rows, EventCodec codec, OutboxRelay relay) {
        this.rows = rows;
        this.codec = codec;
        this.relay = relay;
    }

    /** Events not yet confirmed by the broker, as the relay last counted them (every few seconds). */
    public long backlog() {
        return relay.backlog();
    }

    /**
     * Writes the event in the current transaction and, once that commits, hands it to the relay's
     * publisher thread without waiting; the relay deletes the row when the broker confirms, and
     * publishes it again only if no confirm came within the grace period.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(Event event) {
        Instant now = Instant.now();
        String payload = codec.toJson(event);
        // the request that caused the event travels with it, also when the relay publishes it later
        MessageTrace trace = MessageTrace.ofCurrentRequest(event);
        long id = rows.insert(event.eventId(), event.type().routingKey(), payload, trace.requestId(), now,
                now.plus(relay.immediatePublishGrace()));
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                relay.publishNow(id, event.eventId(), event.type(), payload, trace);
            }
        });
    }
}
