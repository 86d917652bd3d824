package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.ConsumerRetries;
import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.config.InstanceName;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.project.ProjectDeletions;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectLocks;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreClock;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/** The fetch feature's beans; its classes stay package-private. */
@Configuration(proxyBeanMethods = false)
class FetchConfiguration {

    @Bean
    Ingestion ingestion(CommitStore store, ProjectStates states, CommitGraphs graphs, StoreIdentities identities, MirrorCache mirrors,
            CommitServiceProperties properties, MeterRegistry meters) {
        return new Ingestion(store, states, graphs, identities, mirrors, properties.ingest(), meters);
    }

    @Bean
    TakeBacks takeBacks(ProjectStates states, CommitStore store, CommitGraphs graphs, CommitServiceProperties properties) {
        return new TakeBacks(states, store, graphs, properties.ingest());
    }

    @Bean
    Fetcher fetcher(ProjectStates states, StoreIdentities identities, Ingestion ingestion, TakeBacks takeBacks,
            EventPublisher publisher, EventCodec codec, RepositoryUrlPolicy policy, CommitServiceProperties properties,
            ProjectLocks locks, ProjectLeases leases, MeterRegistry meters, FetchProgressReporter progress) {
        return new Fetcher(states, identities, ingestion, takeBacks, publisher, codec, policy, properties.fetch(), locks, leases,
                meters, progress);
    }

    @Bean
    FetchProgressReporter fetchProgressReporter(EventPublisher publisher) {
        return new FetchProgressReporter(publisher);
    }

    @Bean
    FetchRequests fetchRequests(EventCodec codec, DeadLetterRecoverer deadLetters, Fetcher fetcher, CommitServiceProperties properties,
            StoreClock clock, EventPublisher publisher) {
        return new FetchRequests(codec, deadLetters, fetcher, properties.consumer().concurrency(), clock, publisher);
    }

    /** This instance's share of the project-work shards (ADR 0010, item 7). */
    @Bean
    ProjectWorkShards projectWorkShards(MongoTemplate mongo, @Qualifier("fetchRequestsContainerFactory") SimpleRabbitListenerContainerFactory containers,
            FetchRequests fetchRequests, ProjectDeletions deletions, CommitServiceProperties properties,
            MeterRegistry meters, RabbitConnectionDetails broker, CachingConnectionFactory connections, InstanceName instance) {
        ShardMembers members = new ShardMembers(mongo.getDb(), instance.value(), properties.shards().lapse());
        RabbitConnectionDetails.Address address = broker.getFirstAddress();
        Duration heartbeat = properties.shards().heartbeatEvery();
        BrokerProbe probe = new BrokerProbe(address.host(), address.port(), connections.getRabbitConnectionFactory(),
                heartbeat.compareTo(Duration.ofSeconds(5)) < 0 ? heartbeat : Duration.ofSeconds(5));
        return new ProjectWorkShards(members, containers, fetchRequests, deletions, properties, meters, probe);
    }

    /**
     * Fetch requests are long: one message at a time per consumer, and no retries in the
     * container: the {@link Fetcher} is the one place that tries a fetch again (ADR 0007).
     */
    @Bean
    SimpleRabbitListenerContainerFactory fetchRequestsContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory, CommitServiceProperties properties) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setPrefetchCount(properties.consumer().prefetch());
        ConsumerRetries.applyWithoutRetries(factory);
        return factory;
    }

    @Bean
    StoreChecks storeChecks(StoreIdentities identities, EventPublisher publisher, CommitServiceProperties properties) {
        return new StoreChecks(identities, publisher, properties.store().checkInterval());
    }
}
