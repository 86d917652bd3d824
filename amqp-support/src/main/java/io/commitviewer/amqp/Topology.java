package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import io.commitviewer.common.events.QueueSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.CustomExchange;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

/**
 * The exchanges and the given queues, each with its dead-letter queue and bindings, declared with
 * the arguments of {@link QueueSpec} so that both services declare them identically.
 */
public final class Topology {

    private Topology() {
    }

    public static Declarables declarables(List<QueueSpec> queues) {
        List<Declarable> declarables = new ArrayList<>();
        TopicExchange events = new TopicExchange(AmqpNames.EXCHANGE, true, false);
        DirectExchange deadLetters = new DirectExchange(AmqpNames.DEAD_LETTER_EXCHANGE, true, false);
        CustomExchange projectWork = new CustomExchange(AmqpNames.PROJECT_WORK_EXCHANGE, "x-consistent-hash", true, false,
                Map.of("hash-header", AmqpNames.PROJECT_ID_HEADER));
        declarables.add(events);
        declarables.add(deadLetters);
        declarables.add(projectWork);
        for (EventType type : AmqpNames.PROJECT_WORK_EVENTS) {
            declarables.add(BindingBuilder.bind(projectWork).to(events).with(type.routingKey()));
        }
        Set<String> deadLetterQueues = new HashSet<>();
        for (QueueSpec spec : queues) {
            Queue queue = QueueBuilder.durable(spec.name()).withArguments(spec.arguments()).build();
            declarables.add(queue);
            if (deadLetterQueues.add(spec.deadLetterQueue())) { // the shards share one
                Queue deadLetterQueue = QueueBuilder.durable(spec.deadLetterQueue()).withArguments(spec.deadLetterArguments()).build();
                declarables.add(deadLetterQueue);
                declarables.add(BindingBuilder.bind(deadLetterQueue).to(deadLetters).with(spec.deadLetterQueue()));
            }
            if (AmqpNames.isProjectWorkQueue(spec.name())) {
                // the binding key of a consistent-hash exchange is the queue's weight on the hash ring
                declarables.add(BindingBuilder.bind(queue).to(projectWork).with("1").noargs());
            }
            for (EventType type : spec.events()) {
                declarables.add(BindingBuilder.bind(queue).to(events).with(type.routingKey()));
            }
        }
        return new Declarables(declarables);
    }

    /** True unless the failure, or one of its causes, is a {@link PoisonMessageException}: worth retrying. */
    public static boolean transientFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PoisonMessageException) {
                return false;
            }
        }
        return true;
    }
}
