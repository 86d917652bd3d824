package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectLocks;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreClock;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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

    @Bean
    StoreChecks storeChecks(StoreIdentities identities, EventPublisher publisher, CommitServiceProperties properties) {
        return new StoreChecks(identities, publisher, properties.store().checkInterval());
    }
}
