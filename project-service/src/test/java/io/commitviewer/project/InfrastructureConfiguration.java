package io.commitviewer.project;

import io.commitviewer.testsupport.TestInfrastructure;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * One way to get PostgreSQL and RabbitMQ in tests: containers as {@code @ServiceConnection} beans
 * when Docker answers, the services named by the environment ({@code scripts/local-infra.sh env})
 * when it does not. Neither: the context fails, saying what to do.
 */
@TestConfiguration(proxyBeanMethods = false)
public class InfrastructureConfiguration {

    static {
        TestInfrastructure.requireServices();
    }

    /** Records the API's responses for the contract test ({@link io.commitviewer.testsupport.ApiContract}). */
    @Bean
    io.commitviewer.testsupport.ContractRecorder contractRecorder() {
        return new io.commitviewer.testsupport.ContractRecorder();
    }

    @Bean
    @ServiceConnection
    @Conditional(UseContainers.class)
    PostgreSQLContainer postgres() {
        return new PostgreSQLContainer(TestInfrastructure.POSTGRES_IMAGE);
    }

    @Bean
    @ServiceConnection
    @Conditional(UseContainers.class)
    RabbitMQContainer rabbit() {
        return new RabbitMQContainer(TestInfrastructure.RABBITMQ_IMAGE);
    }

    /** Stops and starts the broker of whichever path is in use. */
    @Bean
    BrokerControl brokerControl(ObjectProvider<RabbitMQContainer> container) {
        return new BrokerControl(Optional.ofNullable(container.getIfAvailable()));
    }

    public record BrokerControl(Optional<RabbitMQContainer> container) {

        public void stop() {
            run(false);
        }

        public void start() {
            run(true);
        }

        private void run(boolean up) {
            if (container.isEmpty()) {
                TestInfrastructure.localBroker(up);
                return;
            }
            try {
                container.get().execInContainer("rabbitmqctl", up ? "start_app" : "stop_app");
                if (up) {
                    container.get().execInContainer("rabbitmqctl", "await_startup");
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not " + (up ? "start" : "stop") + " the broker", e);
            }
        }
    }

    static class UseContainers implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return TestInfrastructure.useContainers();
        }
    }
}
