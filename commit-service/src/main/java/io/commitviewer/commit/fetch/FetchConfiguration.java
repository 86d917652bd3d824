package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.commit.commits.CommitStore;
import io.commitviewer.commit.commits.StoreIdentities;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The fetch feature's beans; its classes stay package-private. */
@Configuration(proxyBeanMethods = false)
class FetchConfiguration {

    @Bean
    Ingestion ingestion(CommitStore store, StoreIdentities identities, MirrorCache mirrors, CommitServiceProperties properties,
            MeterRegistry meters) {
        return new Ingestion(store, identities, mirrors, properties.ingest(), meters);
    }

    @Bean
    ProjectLocks projectLocks() {
        return new ProjectLocks();
    }

    @Bean
    ResultPublisher resultPublisher(RabbitTemplate rabbit, EventCodec codec) {
        return new ResultPublisher(rabbit, codec);
    }

    @Bean
    FetchRequests fetchRequests(EventCodec codec, DeadLetterRecoverer deadLetters, CommitStore store, Ingestion ingestion,
            ResultPublisher publisher, RepositoryUrlPolicy policy, CommitServiceProperties properties, MeterRegistry meters,
            ProjectLocks locks, StoreIdentities identities) {
        return new FetchRequests(codec, deadLetters, store, ingestion, publisher, policy, properties.consumer(), meters, locks,
                identities);
    }

    @Bean
    StoreChecks storeChecks(StoreIdentities identities, ResultPublisher publisher, CommitServiceProperties properties) {
        return new StoreChecks(identities, publisher, properties.store().checkInterval());
    }

    @Bean
    ProjectDeletions projectDeletions(EventCodec codec, DeadLetterRecoverer deadLetters, CommitStore store, MirrorCache mirrors,
            RepositoryUrlPolicy policy, ProjectLocks locks) {
        return new ProjectDeletions(codec, deadLetters, store, mirrors, policy, locks);
    }
}
