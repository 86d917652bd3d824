package io.commitviewer.commit.work;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;

/**
 * Asks whether this instance reaches RabbitMQ now: one round trip on a connection of its own (not
 * the consumers', which may look open across a partition until its heartbeats time out), answered
 * within a short timeout. A connection that fails a round trip is dropped and the next probe opens
 * another, so a partition in either direction is seen at the next heartbeat. An instance that
 * cannot reach the broker must not keep its shards (issue 23, finding 2).
 */
class BrokerProbe implements AutoCloseable {

    private final ConnectionFactory factory;
    private Connection connection;
    private com.rabbitmq.client.Channel channel;

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
        factory.setChannelRpcTimeout(millis);
        factory.setRequestedHeartbeat(Math.max(1, millis / 1000));
        factory.setAutomaticRecoveryEnabled(false);
    }

    /** True if the broker answered a passive declaration of one of its own exchanges in time. */
    synchronized boolean reachable() {
        try {
            if (connection == null || !connection.isOpen() || channel == null || !channel.isOpen()) {
                close();
                connection = factory.newConnection("commit-service-broker-probe");
                channel = connection.createChannel();
            }
            channel.exchangeDeclarePassive("amq.direct");
            return true;
        } catch (Exception e) {
            close();
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.abort(1_000);
        }
        connection = null;
        channel = null;
    }
}
