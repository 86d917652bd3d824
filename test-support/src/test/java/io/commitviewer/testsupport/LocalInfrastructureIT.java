package io.commitviewer.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Smoke test: the PostgreSQL and RabbitMQ the integration tests use are there and answer. */
class LocalInfrastructureIT {

    @Test
    void postgresAnswersAndAcceptsWrites() throws Exception {
        TestInfrastructure.Postgres postgres = TestInfrastructure.postgres();
        try (var connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
                var statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE smoke (id int primary key, note text)");
            statement.execute("INSERT INTO smoke VALUES (1, 'commit viewer')");
            try (ResultSet rows = statement.executeQuery("SELECT note, current_setting('server_version_num')::int FROM smoke")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("commit viewer");
                assertThat(rows.getInt(2)).isGreaterThanOrEqualTo(130000);
            }
        }
    }

    @Test
    void rabbitMqRoutesAPersistentMessageWithConfirms() throws Exception {
        TestInfrastructure.RabbitMq rabbit = TestInfrastructure.rabbitMq();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbit.host());
        factory.setPort(rabbit.port());
        factory.setUsername(rabbit.username());
        factory.setPassword(rabbit.password());
        try (Connection connection = factory.newConnection("local-infrastructure-it");
                Channel channel = connection.createChannel()) {
            String queue = channel.queueDeclare("smoke-" + UUID.randomUUID(), false, true, true, null).getQueue();
            channel.confirmSelect();
            channel.basicPublish("", queue, true, com.rabbitmq.client.MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(channel.waitForConfirms(5_000)).isTrue();
            GetResponse response = channel.basicGet(queue, true);
            assertThat(response).isNotNull();
            assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }
}
