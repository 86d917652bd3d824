package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.EventType;
import java.nio.charset.StandardCharsets;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Events to and from AMQP messages: JSON body, {@code type} header, persistent, message id = event id. */
public class EventCodec {

    private final JsonMapper json;

    public EventCodec(JsonMapper json) {
        this.json = json;
    }

    public String toJson(Event event) {
        return json.writeValueAsString(event);
    }

    /** The message of an event, with the correlation ids given. */
    public Message toMessage(Event event, MessageTrace trace) {
        return toMessage(event.type(), event.eventId().toString(), toJson(event), trace);
    }

    /**
     * The message of an event: its JSON, its type and id, and the correlation ids in headers (the
     * project's id is also what routes its work to a shard, ADR 0010).
     */
    public Message toMessage(EventType type, String eventId, String payload, MessageTrace trace) {
        MessageProperties properties = new MessageProperties();
        trace.writeTo(properties);
        properties.setContentType(AmqpNames.CONTENT_TYPE);
        properties.setContentEncoding(StandardCharsets.UTF_8.name());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(eventId);
        properties.setType(type.routingKey());
        properties.setHeader(AmqpNames.TYPE_HEADER, type.routingKey());
        return new Message(payload.getBytes(StandardCharsets.UTF_8), properties);
    }

    /** Reads an event of a known type from its JSON (an outbox row). */
    public Event fromJson(EventType type, String payload) {
        return json.readValue(payload, type.eventClass());
    }

    /**
     * The event a listener expects: read from the message, or, when the message is unreadable or
     * another event, sent to the queue's DLQ with the reason (never retried) and empty.
     */
    public <T extends Event> java.util.Optional<T> expect(Message message, Class<T> type, DeadLetterRecoverer deadLetters) {
        try {
            Event event = fromMessage(message);
            if (!type.isInstance(event)) {
                throw new PoisonMessageException("expected " + EventType.of(type).routingKey() + ", got " + event.type().routingKey());
            }
            return java.util.Optional.of(type.cast(event));
        } catch (PoisonMessageException e) {
            deadLetters.recover(message, e);
            return java.util.Optional.empty();
        }
    }

    /** Reads an event; anything unreadable is a {@link PoisonMessageException}, never retried. */
    public Event fromMessage(Message message) {
        Object header = message.getMessageProperties().getHeaders().get(AmqpNames.TYPE_HEADER);
        if (header == null) {
            throw new PoisonMessageException("no '" + AmqpNames.TYPE_HEADER + "' header");
        }
        EventType type = EventType.fromRoutingKey(header.toString())
                .orElseThrow(() -> new PoisonMessageException("unknown event type '" + header + "'"));
        try {
            return json.readValue(message.getBody(), type.eventClass());
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new PoisonMessageException("unreadable " + type.routingKey() + " body: " + e.getMessage());
        }
    }
}
