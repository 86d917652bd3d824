package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Removes, each time a connection opens, the bindings an older version declared and this one does
 * not ({@link AmqpNames#RETIRED_BINDINGS}): a broker upgraded in place keeps bindings nobody
 * declares any more, and would go on copying each fetch request into the queue of before the
 * shards. What already waits there is still consumed (drained), never lost.
 */
public final class RetiredBindings implements ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(RetiredBindings.class);

    @Override
    public void onCreate(Connection connection) {
        for (Map.Entry<String, EventType> binding : AmqpNames.RETIRED_BINDINGS.entrySet()) {
            // a channel each: unbinding from a queue that does not exist closes the channel (404)
            try (var channel = connection.createChannel(false)) {
                channel.queueUnbind(binding.getKey(), AmqpNames.EXCHANGE, binding.getValue().routingKey());
            } catch (Exception e) {
                log.debug("Binding {} -> {} not removed: {}", binding.getValue().routingKey(), binding.getKey(), e.getMessage());
            }
        }
    }
}
