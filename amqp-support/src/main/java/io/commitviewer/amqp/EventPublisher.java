package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;

/**
 * Publishes an event to {@link AmqpNames#EXCHANGE} and waits until the broker acked and routed it
 * ({@link ConfirmedPublisher}), with the correlation ids of the current log context in its headers.
 */
public class EventPublisher {

    private final ConfirmedPublisher publisher;
    private final EventCodec codec;

    public EventPublisher(ConfirmedPublisher publisher, EventCodec codec) {
        this.publisher = publisher;
        this.codec = codec;
    }

    /** Returns once confirmed; a {@link PublishFailedException} otherwise. */
    public void publish(Event event) {
        publisher.publish(AmqpNames.EXCHANGE, event.type().routingKey(), codec.toMessage(event, MessageTrace.ofCurrentRequest(event)),
                event.eventId().toString());
    }
}
