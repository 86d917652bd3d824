package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.AmqpNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;

/** No request is lost while RabbitMQ is down: the POST succeeds and the fetch request goes out once it is back. */
class ProjectServiceBrokerOutageIT extends ProjectServiceTestBase {

    @Autowired
    InfrastructureConfiguration.BrokerControl broker;

    @Test
    void postWhileTheBrokerIsDownIsAcceptedAndPublishedWhenItIsBack() throws Exception {
        broker.stop();
        Response created;
        try {
            // the broker is started again only after this returns: a POST that waited for it would never answer
            created = post("https://github.com/acme/outage");
            assertThat(created.status()).isEqualTo(202);
            assertThat(get("/api/projects/" + created.body().get("id").asString()).body().get("status").asString())
                    .isEqualTo("QUEUED");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> outboxBacklog() == 1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(management("/actuator/prometheus")).containsPattern("commitviewer_outbox_backlog\\{[^}]*\\} 1.0"));
        } finally {
            broker.start();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> outboxBacklog() == 0);
        List<Message> messages = drain(AmqpNames.FETCH_REQUESTS_QUEUE, Duration.ofSeconds(10));
        assertThat(messages).hasSize(1);
        assertThat(body(messages.get(0)).get("projectId").asString()).isEqualTo(created.body().get("id").asString());
    }
}
