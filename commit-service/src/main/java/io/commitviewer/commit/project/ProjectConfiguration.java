package io.commitviewer.commit.project;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/** Where a project's state is kept, the per-project lock and lease, and the consumer of deletions. */
@Configuration(proxyBeanMethods = false)
class ProjectConfiguration {

    @Bean
    ProjectStates projectStates(MongoTemplate mongo, StoreIdentities identities) {
        return new ProjectStates(mongo.getDb(), identities);
    }

    @Bean
    ProjectLocks projectLocks() {
        return new ProjectLocks();
    }

    @Bean(destroyMethod = "close")
    ProjectLeases projectLeases(MongoTemplate mongo, CommitServiceProperties properties, MeterRegistry meters,
            io.commitviewer.commit.config.InstanceName instance) {
        CommitServiceProperties.Lease lease = properties.lease();
        return new ProjectLeases(mongo.getDb(), instance.value(), lease.duration(), lease.renewEvery(), lease.maxWait(), meters);
    }

    @Bean
    ProjectDeletions projectDeletions(EventCodec codec, DeadLetterRecoverer deadLetters, ProjectStates states, CommitStore store,
            MirrorCache mirrors, RepositoryUrlPolicy policy, ProjectLocks locks, ProjectLeases leases,
            CommitServiceProperties properties, io.commitviewer.amqp.EventPublisher publisher) {
        // a deletion waits for a fetch of the project on another instance as long as one may take
        return new ProjectDeletions(codec, deadLetters, states, store, mirrors, policy, locks, leases,
                properties.fetch().deadline().plus(properties.lease().duration()), publisher);
    }
}
