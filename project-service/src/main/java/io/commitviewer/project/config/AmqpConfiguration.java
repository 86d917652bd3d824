package io.commitviewer.project.config;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import io.commitviewer.common.events.QueueSpec;
import io.commitviewer.project.messaging.DeadLetterRecoverer;
import io.commitviewer.project.messaging.PoisonMessageException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The RabbitMQ topology this service relies on, and how its consumer fails.
 *
 * <p>Besides its own result queue it declares the queues it publishes into, with the arguments
 * commit-service uses (both come from {@link AmqpNames}), so a request published before
 * commit-service ever ran waits in its queue instead of being returned as unroutable.
 */
@Configuration(proxyBeanMethods = false)
class AmqpConfiguration {

    @Bean
    Declarables topology() {
        List<Declarable> declarables = new ArrayList<>();
        TopicExchange events = new TopicExchange(AmqpNames.EXCHANGE, true, false);
        DirectExchange deadLetters = new DirectExchange(AmqpNames.DEAD_LETTER_EXCHANGE, true, false);
        declarables.add(events);
        declarables.add(deadLetters);
        for (QueueSpec spec : List.of(AmqpNames.FETCH_RESULTS, AmqpNames.FETCH_REQUESTS, AmqpNames.PROJECT_DELETIONS)) {
            Queue queue = QueueBuilder.durable(spec.name()).withArguments(spec.arguments()).build();
            Queue deadLetterQueue = QueueBuilder.durable(spec.deadLetterQueue()).withArguments(spec.deadLetterArguments()).build();
            declarables.add(queue);
            declarables.add(deadLetterQueue);
            declarables.add(BindingBuilder.bind(deadLetterQueue).to(deadLetters).with(spec.deadLetterQueue()));
            for (EventType type : spec.events()) {
                Binding binding = BindingBuilder.bind(queue).to(events).with(type.routingKey());
                declarables.add(binding);
            }
        }
        return new Declarables(declarables);
    }

    /**
     * Transient failures (database down) are retried with back-off in the consumer, then the
     * message goes to the DLQ with the reason. Poison messages are dead-lettered by the listener
     * itself, without retries.
     */
    @Bean
    DeadLetterRecoverer deadLetterRecoverer(RabbitTemplate template) {
        return new DeadLetterRecoverer(template);
    }

    @Bean
    SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory, DeadLetterRecoverer recoverer, ProjectServiceProperties properties) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        ProjectServiceProperties.Results results = properties.results();
        factory.setAdviceChain(RetryInterceptorBuilder.stateless()
                .configureRetryPolicy(policy -> policy.maxRetries(results.maxRetries())
                        .delay(results.initialBackoff()).multiplier(2).maxDelay(results.maxBackoff())
                        .predicate(AmqpConfiguration::transientFailure))
                .recoverer(recoverer)
                .build());
        factory.setDefaultRequeueRejected(false);
        return factory;
    }

    static boolean transientFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PoisonMessageException) {
                return false;
            }
        }
        return true;
    }
}
