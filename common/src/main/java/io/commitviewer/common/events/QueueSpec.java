package io.commitviewer.common.events;

import java.util.List;
import java.util.Map;

/**
 * A queue of the topology: its name, the routing keys bound to it on {@link AmqpNames#EXCHANGE},
 * and the arguments every service must declare it with (RabbitMQ refuses a second declaration
 * with other arguments, so both sides take them from here).
 */
public record QueueSpec(String name, List<EventType> events, Map<String, Object> extraArguments) {

    /** Deliveries of one message (redeliveries after a crash included) before it is dead-lettered. */
    public static final int DELIVERY_LIMIT = 10;

    public QueueSpec {
        events = List.copyOf(events);
        extraArguments = Map.copyOf(extraArguments);
    }

    public QueueSpec(String name, List<EventType> events) {
        this(name, events, Map.of());
    }

    public String deadLetterQueue() {
        return AmqpNames.deadLetterQueue(name);
    }

    /** Quorum queue, dead-lettered to {@link #deadLetterQueue()} through the dead-letter exchange. */
    public Map<String, Object> arguments() {
        Map<String, Object> arguments = new java.util.HashMap<>(Map.of(
                "x-queue-type", "quorum",
                "x-dead-letter-exchange", AmqpNames.DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key", deadLetterQueue(),
                "x-delivery-limit", DELIVERY_LIMIT));
        arguments.putAll(extraArguments);
        return Map.copyOf(arguments);
    }

    /** The dead-letter queue is a quorum queue too, bound on the dead-letter exchange by its own name. */
    public Map<String, Object> deadLetterArguments() {
        return Map.of("x-queue-type", "quorum");
    }
}
