package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** Publishes result events and waits for the broker's confirm; anything less is an exception. */
class ResultPublisher {

    private final RabbitTemplate rabbit;
    private final EventCodec codec;

    ResultPublisher(RabbitTemplate rabbit, EventCodec codec) {
        this.rabbit = rabbit;
        this.codec = codec;
    }

    void publish(Event event) {
        String id = event.eventId().toString();
        CorrelationData correlation = new CorrelationData(id);
        rabbit.send(AmqpNames.EXCHANGE, event.type().routingKey(), codec.toMessage(event, MessageTrace.ofCurrentRequest(event)),
                correlation);
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(10, TimeUnit.SECONDS);
            if (!confirm.ack()) {
                throw new AmqpException("broker nacked " + event.type().routingKey() + ": " + confirm.reason());
            }
            if (correlation.getReturned() != null) {
                throw new AmqpException(event.type().routingKey() + " was unroutable: " + correlation.getReturned().getReplyText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for a confirm", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AmqpException("no confirm for " + event.type().routingKey(), e);
        }
    }
}
