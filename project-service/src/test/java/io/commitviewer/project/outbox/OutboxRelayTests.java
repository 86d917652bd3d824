package io.commitviewer.project.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.common.events.EventType;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The immediate publish after a commit never makes the committing request wait for the broker. */
class OutboxRelayTests {

    private static final MessageTrace NO_TRACE = new MessageTrace(null, null, null);

    private final RabbitTemplate rabbit = mock(RabbitTemplate.class);
    private final CountDownLatch brokerAnswers = new CountDownLatch(1);
    private final AtomicReference<String> publishingThread = new AtomicReference<>();
    private final AtomicInteger sends = new AtomicInteger();
    private final OutboxRelay relay = new OutboxRelay(mock(JdbcTemplate.class), mock(TransactionTemplate.class), rabbit,
            new EventCodec(JsonMapper.builder().build()), properties(), new SimpleMeterRegistry(), mock(ConnectionFactory.class));

    @AfterEach
    void release() {
        brokerAnswers.countDown();
        relay.stop();
    }

    @Test
    void publishNowReturnsWhileTheBrokerDoesNotAnswer() {
        hangingBroker();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> relay.publishNow(1, UUID.randomUUID(), EventType.FETCH_REQUESTED, "{}", NO_TRACE));

        await().untilAsserted(() -> assertThat(publishingThread.get()).isEqualTo("outbox-publisher"));
        assertThat(brokerAnswers.getCount()).as("the send is still blocked when publishNow has returned").isEqualTo(1);
    }

    @Test
    void publishNowLeavesEventsToTheRelayWhenItsQueueIsFull() {
        hangingBroker();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 5000; i++) {
                relay.publishNow(i, UUID.randomUUID(), EventType.FETCH_REQUESTED, "{}", NO_TRACE);
            }
        });

        brokerAnswers.countDown();
        await().untilAsserted(() -> assertThat(sends.get()).isGreaterThan(1));
        assertThat(sends.get()).as("events beyond the hand-over queue are not published by it").isLessThan(5000);
    }

    private void hangingBroker() {
        doAnswer(invocation -> {
            publishingThread.set(Thread.currentThread().getName());
            sends.incrementAndGet();
            try {
                brokerAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stop() interrupts a hanging send: the row stays for the relay
            }
            return null;
        }).when(rabbit).send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));
    }

    private static ProjectServiceProperties properties() {
        return new ProjectServiceProperties(new ProjectServiceProperties.Git("https://github.com"),
                new ProjectServiceProperties.Api(4096, 30, 100), new ProjectServiceProperties.Fetch(Duration.ofMinutes(15)),
                new ProjectServiceProperties.Outbox(Duration.ofSeconds(1), Duration.ofMillis(10), 100, Duration.ofSeconds(5),
                        Duration.ofMinutes(1)),
                new ProjectServiceProperties.Results(4, Duration.ofMillis(500), Duration.ofSeconds(10)));
    }
}
