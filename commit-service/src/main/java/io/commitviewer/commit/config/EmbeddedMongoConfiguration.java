package io.commitviewer.commit.config;

import com.mongodb.ConnectionString;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The opt-in MongoDB stand-in (mongo-java-server, in-process) for machines without MongoDB:
 * {@code commitviewer.mongo.embedded=memory} or {@code h2} (persisted to
 * {@code commitviewer.mongo.embedded-file}). It speaks the wire protocol on a loopback port and
 * the service connects to it like to any MongoDB. It lacks transactions, the {@code hello}
 * command (so the Mongo health indicator is off in this mode) and secondary indexes (it scans).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${commitviewer.mongo.embedded:none}' != 'none'")
class EmbeddedMongoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedMongoConfiguration.class);

    @Bean(destroyMethod = "shutdownNow")
    MongoServer embeddedMongoServer(CommitServiceProperties properties) {
        CommitServiceProperties.Mongo mongo = properties.mongo();
        MongoServer server;
        if (mongo.embedded() == CommitServiceProperties.Mongo.Embedded.h2) {
            try {
                if (mongo.embeddedFile().toAbsolutePath().getParent() != null) {
                    Files.createDirectories(mongo.embeddedFile().toAbsolutePath().getParent());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = new MongoServer(new H2Backend(mongo.embeddedFile().toString()));
        } else {
            server = new MongoServer(new MemoryBackend());
        }
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        log.warn("Using the embedded MongoDB stand-in ({}) on {}: for development and tests only", mongo.embedded(), address);
        return server;
    }

    @Bean
    MongoConnectionDetails embeddedMongoConnectionDetails(MongoServer server) {
        InetSocketAddress address = server.getLocalAddress();
        ConnectionString connection = new ConnectionString(
                "mongodb://" + address.getHostString() + ":" + address.getPort() + "/commitviewer");
        return () -> connection;
    }
}
