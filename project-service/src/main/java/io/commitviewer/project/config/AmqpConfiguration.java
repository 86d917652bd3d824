package io.commitviewer.project.config;

import io.commitviewer.amqp.AmqpSupportConfiguration;
import io.commitviewer.amqp.ConsumerRetries;
import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.Topology;
import io.commitviewer.common.events.AmqpNames;
import java.util.List;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The RabbitMQ topology this service relies on, and how its consumer fails.
 *
 * <p>Besides its own result queue it declares the queues it publishes into, with the arguments
 * commit-service uses (both come from {@link AmqpNames}), so a request published before
 * commit-service ever ran waits in its queue instead of being returned as unroutable.
 */
@Configuration(proxyBeanMethods = false)
@Import(AmqpSupportConfiguration.class)
class AmqpConfiguration {

    @Bean
    Declarables topology() {
        return Topology.declarables(List.of(AmqpNames.FETCH_RESULTS, AmqpNames.FETCH_REQUESTS, AmqpNames.PROJECT_DELETIONS));
    }

    /**
     * Transient failures (database down) are retried with back-off in the consumer, then the
     * message goes to the DLQ with the reason. Poison messages are dead-lettered by the listener
     * itself, without retries.
     */
    @Bean
    SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory, DeadLetterRecoverer recoverer, ProjectServiceProperties properties) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        ProjectServiceProperties.Results results = properties.results();
        ConsumerRetries.apply(factory, results.maxRetries(), results.initialBackoff(), results.maxBackoff(), recoverer);
        return factory;
    }
}
