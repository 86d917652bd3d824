package io.commitviewer.commit.fetch;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;

/**
 * Asks whether this instance reaches RabbitMQ now: opens a connection of its own (not the
 * consumers' cached one, which may look open across a partition until its heartbeats time out),
 * within a short handshake, and closes it. An instance that cannot must not keep its shards
 * (issue 23, finding 2).
 */
class BrokerProbe {

    private final ConnectionFactory factory;

    /**
     * The consumers' broker at {@code host:port}, with the credentials, virtual host and socket
     * factory (TLS or not) of their connection factory {@code settings}, and {@code timeout} for
     * connect and handshake.
     */
    BrokerProbe(String host, int port, ConnectionFactory settings, Duration timeout) {
        this.factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(settings.getUsername());
        factory.setPassword(settings.getPassword());
        factory.setVirtualHost(settings.getVirtualHost());
        factory.setSocketFactory(settings.getSocketFactory());
        factory.setSaslConfig(settings.getSaslConfig());
        int millis = (int) Math.max(1, timeout.toMillis());
        factory.setConnectionTimeout(millis);
        factory.setHandshakeTimeout(millis);
        factory.setShutdownTimeout(millis);
        factory.setAutomaticRecoveryEnabled(false);
    }

    boolean reachable() {
        try (Connection connection = factory.newConnection("commit-service-broker-probe")) {
            return connection.isOpen();
        } catch (Exception e) {
            return false;
        }
    }
}
