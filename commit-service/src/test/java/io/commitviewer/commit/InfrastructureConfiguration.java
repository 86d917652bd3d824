package io.commitviewer.commit;

import io.commitviewer.testsupport.TestInfrastructure;
import java.util.Map;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.testcontainers.mongodb.MongoDBContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * RabbitMQ and MongoDB for the tests: containers as {@code @ServiceConnection} beans when Docker
 * answers; otherwise RabbitMQ from the environment ({@code scripts/local-infra.sh}) and the
 * embedded MongoDB stand-in (no MongoDB server package exists here). Neither: the context fails.
 */
@TestConfiguration(proxyBeanMethods = false)
public class InfrastructureConfiguration {

    public static final String MONGO_IMAGE = "mongo:7";

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
    MongoDBContainer mongo() {
        return new MongoDBContainer(MONGO_IMAGE);
    }

    @Bean
    @ServiceConnection
    @Conditional(UseContainers.class)
    RabbitMQContainer rabbit() {
        return new RabbitMQContainer(TestInfrastructure.RABBITMQ_IMAGE);
    }

    static class UseContainers implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return TestInfrastructure.useContainers();
        }
    }

    /** Without containers, MongoDB is the in-process stand-in. */
    public static class EmbeddedMongoWithoutDocker implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            if (!TestInfrastructure.useContainers()) {
                context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("embedded-mongo",
                        Map.of("commitviewer.mongo.embedded", "memory")));
            }
        }
    }
}
