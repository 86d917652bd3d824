package io.commitviewer.project.config;

import io.commitviewer.amqp.AmqpSupportConfiguration;
import io.commitviewer.amqp.ConsumerRetries;
import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.common.events.AmqpNames;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * How this service's consumer fails. The topology, every queue of {@link AmqpNames#QUEUES} (also
 * those it publishes into, so a request published before commit-service ever ran waits in its
 * queue), comes from {@link AmqpSupportConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@Import(AmqpSupportConfiguration.class)
class AmqpConfiguration {

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
