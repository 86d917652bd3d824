package io.commitviewer.commit.system;

import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.common.git.Git;
import java.nio.file.Files;
import org.bson.Document;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/** Health of what a fetch needs besides the broker: git, a writable mirror cache, the store. */
final class DependenciesHealth {

    private DependenciesHealth() {
    }

    /** {@code ping}: answered by MongoDB and by the embedded stand-in alike (which lacks {@code hello}). */
    @Component("mongoHealthIndicator")
    static class MongoPing extends AbstractHealthIndicator {
        private final MongoTemplate mongo;

        MongoPing(MongoTemplate mongo) {
            this.mongo = mongo;
        }

        @Override
        protected void doHealthCheck(Health.Builder builder) {
            Document reply = mongo.getDb().runCommand(new Document("ping", 1));
            builder.up().withDetail("database", mongo.getDb().getName()).withDetail("ok", reply.get("ok"));
        }
    }

    @Component("gitHealthIndicator")
    static class GitPresent extends AbstractHealthIndicator {
        private final Git git;

        GitPresent(Git git) {
            this.git = git;
        }

        @Override
        protected void doHealthCheck(Health.Builder builder) {
            builder.up().withDetail("version", git.version());
        }
    }

    @Component("mirrorCacheHealthIndicator")
    static class CacheWritable extends AbstractHealthIndicator {
        private final MirrorCache cache;

        CacheWritable(MirrorCache cache) {
            this.cache = cache;
        }

        @Override
        protected void doHealthCheck(Health.Builder builder) throws Exception {
            var probe = Files.createTempFile(cache.root(), ".health", ".tmp");
            Files.delete(probe);
            builder.up().withDetail("path", cache.root().toString()).withDetail("usableBytes", Files.getFileStore(cache.root()).getUsableSpace());
        }
    }
}
