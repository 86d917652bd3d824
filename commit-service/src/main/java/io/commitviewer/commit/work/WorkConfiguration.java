package io.commitviewer.commit.work;

import io.commitviewer.amqp.ConsumerRetries;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.config.InstanceName;
import io.commitviewer.commit.fetch.FetchRequests;
import io.commitviewer.commit.project.ProjectDeletions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/** How project work reaches this instance: its shards, and the one entry point that dispatches it. */
@Configuration(proxyBeanMethods = false)
class WorkConfiguration {

    @Bean
    ProjectWork projectWork(FetchRequests fetchRequests, ProjectDeletions deletions, CommitServiceProperties properties) {
        return new ProjectWork(fetchRequests, deletions, properties.consumer());
    }

    /** This instance's share of the project-work shards (ADR 0010, item 7). */
    @Bean
    ProjectWorkShards projectWorkShards(MongoTemplate mongo,
            @Qualifier("projectWorkContainerFactory") SimpleRabbitListenerContainerFactory containers, ProjectWork work,
            CommitServiceProperties properties, MeterRegistry meters, RabbitConnectionDetails broker,
            CachingConnectionFactory connections, InstanceName instance) {
        ShardMembers members = new ShardMembers(mongo.getDb(), instance.value(), properties.shards().lapse());
        RabbitConnectionDetails.Address address = broker.getFirstAddress();
        Duration heartbeat = properties.shards().heartbeatEvery();
        BrokerProbe probe = new BrokerProbe(address.host(), address.port(), connections.getRabbitConnectionFactory(),
                heartbeat.compareTo(Duration.ofSeconds(5)) < 0 ? heartbeat : Duration.ofSeconds(5));
        return new ProjectWorkShards(members, containers, work, properties, meters, probe);
    }

    /**
     * Project work is long (a fetch): one message at a time per consumer, and no retries in the
     * container: the {@code fetch.Fetcher} is the one place that tries a fetch again (ADR 0007),
     * {@link ProjectWork} retries a deletion.
     */
    @Bean
    SimpleRabbitListenerContainerFactory projectWorkContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory, CommitServiceProperties properties) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setPrefetchCount(properties.consumer().prefetch());
        ConsumerRetries.applyWithoutRetries(factory);
        return factory;
    }
}
