package io.commitviewer.commit.project;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/** Where a project's state is kept, the per-project lock, and the consumer of deletions. */
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

    @Bean
    ProjectDeletions projectDeletions(EventCodec codec, DeadLetterRecoverer deadLetters, ProjectStates states, CommitStore store,
            MirrorCache mirrors, RepositoryUrlPolicy policy, ProjectLocks locks) {
        return new ProjectDeletions(codec, deadLetters, states, store, mirrors, policy, locks);
    }
}
