package io.commitviewer.amqp;

import io.commitviewer.common.events.AmqpNames;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The beans both services use to speak the events, and the topology they both declare: import it, then declare the consumers. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AmqpProperties.class)
public class AmqpSupportConfiguration {

    @Bean
    ConfirmedPublisher confirmedPublisher(RabbitTemplate template, AmqpProperties properties) {
        return new ConfirmedPublisher(template, properties.confirmTimeout());
    }

    @Bean
    EventPublisher eventPublisher(ConfirmedPublisher publisher, EventCodec codec) {
        return new EventPublisher(publisher, codec);
    }

    @Bean
    EventCodec eventCodec(JsonMapper json) {
        return new EventCodec(json);
    }

    /** Every exchange, queue, dead-letter queue and binding ({@link AmqpNames#QUEUES}). */
    @Bean
    Declarables topology() {
        return Topology.declarables(AmqpNames.QUEUES);
    }

    /** The bindings of an older version removed at each connection (ADR 0010: the project work moved to shard queues). */
    @Bean
    RetiredBindings retiredBindings(ConnectionFactory connectionFactory) {
        RetiredBindings retired = new RetiredBindings();
        connectionFactory.addConnectionListener(retired);
        return retired;
    }

    @Bean
    DeadLetterRecoverer deadLetterRecoverer(ConfirmedPublisher publisher) {
        return new DeadLetterRecoverer(publisher);
    }
}
