package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.commitviewer.common.events.AmqpNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * No request is lost while RabbitMQ is down: the POST succeeds and the fetch request goes out once
 * it is back; and the outbox does not grow without end meanwhile (admission bound of 2 here).
 */
@TestPropertySource(properties = "commitviewer.admission.max-outbox-backlog=2")
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
        List<Message> messages = drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, Duration.ofSeconds(10));
        assertThat(messages).hasSize(1);
        assertThat(body(messages.get(0)).get("projectId").asString()).isEqualTo(created.body().get("id").asString());
    }

    @Test
    void overTheOutboxBoundNewFetchesAreRefusedWith503AndTheOutboxStaysBounded() throws Exception {
        broker.stop();
        try {
            assertThat(post("https://github.com/acme/first").status()).isEqualTo(202);
            assertThat(post("https://github.com/acme/second").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(management("/actuator/prometheus")).containsPattern("commitviewer_outbox_backlog\\{[^}]*\\} 2.0"));

            Response refused = post("https://github.com/acme/third");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body().get("type").asString()).isEqualTo("/problems/overloaded");
            assertThat(refused.body().get("limit").asString()).isEqualTo("max-outbox-backlog");
            assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(outboxBacklog()).isEqualTo(2);
            assertThat(post("https://github.com/acme/first").status()).as("a known repository is still answered").isEqualTo(200);
        } finally {
            broker.start();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> outboxBacklog() == 0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(post("https://github.com/acme/third").status()).isEqualTo(202));
        assertThat(drainWork(io.commitviewer.common.events.EventType.FETCH_REQUESTED, Duration.ofSeconds(10))).hasSize(3);
    }
}
