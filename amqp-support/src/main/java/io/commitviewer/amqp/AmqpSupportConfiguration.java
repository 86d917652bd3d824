package io.commitviewer.amqp;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The beans both services use to speak the events: import it, then declare the topology and consumers. */
@Configuration(proxyBeanMethods = false)
public class AmqpSupportConfiguration {

    @Bean
    EventCodec eventCodec(JsonMapper json) {
        return new EventCodec(json);
    }

    @Bean
    DeadLetterRecoverer deadLetterRecoverer(RabbitTemplate template) {
        return new DeadLetterRecoverer(template);
    }
}
