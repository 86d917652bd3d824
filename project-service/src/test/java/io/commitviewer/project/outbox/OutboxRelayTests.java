package io.commitviewer.project.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.commitviewer.amqp.ConfirmedPublisher;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.amqp.PublishFailedException;
import io.commitviewer.common.events.EventType;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.amqp.core.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * The relay's decisions, with a fake publisher whose broker answers as each test says and the
 * outbox table mocked: which rows are deleted, which rescheduled and when, and that the
 * committing request never waits for the broker.
 */
class OutboxRelayTests {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofMillis(300);
    private static final MessageTrace NO_TRACE = new MessageTrace(null, null, null);

    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());
    private final OutboxRows rows = mock(OutboxRows.class);
    private final FakePublisher publisher = new FakePublisher();
    private double jitter;
    private final OutboxRelay relay = new OutboxRelay(rows, publisher, codec, settings(Duration.ofMinutes(1)),
            new SimpleMeterRegistry(), () -> jitter);

    @AfterEach
    void stop() {
        publisher.release.countDown();
        relay.stop();
    }

    // --- the immediate path ---

    @Test
    void publishNowReturnsWhileTheBrokerDoesNotAnswer() {
        publisher.hangSends();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> relay.publishNow(1, UUID.randomUUID(), EventType.FETCH_REQUESTED, "{}", NO_TRACE));

        await().untilAsserted(() -> assertThat(publisher.sendingThread.get()).isEqualTo("outbox-publisher"));
        assertThat(publisher.release.getCount()).as("the send is still blocked when publishNow has returned").isEqualTo(1);
    }

    @Test
    void publishNowLeavesEventsToTheRelayWhenItsQueueIsFull() {
        publisher.hangSends();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 5000; i++) {
                relay.publishNow(i, UUID.randomUUID(), EventType.FETCH_REQUESTED, "{}", NO_TRACE);
            }
        });

        publisher.release.countDown();
        await().untilAsserted(() -> assertThat(publisher.sends.get()).isGreaterThan(1));
        assertThat(publisher.sends.get()).as("events beyond the hand-over queue are not published by it").isLessThan(5000);
    }

    @Test
    void aConfirmedImmediatePublishIsDeletedByTheNextPass() {
        UUID event = UUID.randomUUID();
        publisher.answer(event, Outcome.ACK);

        relay.publishNow(7, event, EventType.FETCH_REQUESTED, "{}", NO_TRACE);
        await().untilAsserted(() -> assertThat(publisher.settled).containsKey(event));
        relay.deleteConfirmed();

        verify(rows).delete(List.of(7L));
    }

    @Test
    void anImmediatePublishThatIsNotConfirmedLeavesTheRowToTheRelay() {
        UUID nacked = UUID.randomUUID();
        UUID returned = UUID.randomUUID();
        publisher.answer(nacked, Outcome.NACK);
        publisher.answer(returned, Outcome.RETURNED);

        relay.publishNow(8, nacked, EventType.FETCH_REQUESTED, "{}", NO_TRACE);
        relay.publishNow(9, returned, EventType.FETCH_REQUESTED, "{}", NO_TRACE);
        await().untilAsserted(() -> assertThat(publisher.settled).containsKeys(nacked, returned));
        relay.deleteConfirmed();

        verify(rows, never()).delete(anyCollection());
    }

    // --- the relay's path: settle each row of a batch ---

    @Test
    void settleDeletesNothingAndReschedulesNothingForAConfirmedRow() {
        OutboxRows.Row row = row(Outcome.ACK, 0);

        assertThat(relay.settle(row, publisher.sendRow(row), deadline())).isTrue();

        verify(rows, never()).reschedule(anyLong(), anyInt(), any(), anyString());
    }

    @Test
    void settleReschedulesANackedReturnedTimedOutOrUnsentRowWithItsReasonAndBackOff() {
        assertRescheduled(Outcome.NACK, 0, "broker nacked");
        assertRescheduled(Outcome.RETURNED, 2, "was unroutable");
        assertRescheduled(Outcome.HANG, 4, "no confirm");
        assertRescheduled(Outcome.SEND_FAILED, 9, "failed");
    }

    private void assertRescheduled(Outcome outcome, int attemptsBefore, String reason) {
        OutboxRows.Row row = row(outcome, attemptsBefore);
        Instant before = Instant.now();

        assertThat(relay.settle(row, publisher.sendRow(row), deadline())).as("%s", outcome).isFalse();

        ArgumentCaptor<Instant> next = ArgumentCaptor.forClass(Instant.class);
        ArgumentCaptor<String> error = ArgumentCaptor.forClass(String.class);
        verify(rows).reschedule(eq(row.id()), eq(attemptsBefore + 1), next.capture(), error.capture());
        assertThat(error.getValue()).contains(reason);
        assertThat(Duration.between(before, next.getValue())).isGreaterThanOrEqualTo(relay.backoff(attemptsBefore + 1));
    }

    @Test
    void aBatchDeletesTheConfirmedRowsAndReschedulesTheOthers() {
        List<OutboxRows.Row> due = List.of(row(Outcome.ACK, 0), row(Outcome.NACK, 0), row(Outcome.HANG, 1), row(Outcome.ACK, 3));
        claimReturns(due);

        assertThat(relay.relayBatch()).isEqualTo(4);

        verify(rows).delete(List.of(due.get(0).id(), due.get(3).id()));
        verify(rows).reschedule(eq(due.get(1).id()), eq(1), any(), anyString());
        verify(rows).reschedule(eq(due.get(2).id()), eq(2), any(), anyString());
        verify(rows, times(2)).reschedule(anyLong(), anyInt(), any(), anyString());
    }

    @Test
    void theRowsOfABatchShareOneConfirmDeadline() {
        claimReturns(List.of(row(Outcome.HANG, 0), row(Outcome.HANG, 0), row(Outcome.HANG, 0), row(Outcome.HANG, 0)));
        long start = System.nanoTime();

        relay.relayBatch();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("four unanswered confirms wait one timeout, not four")
                .isLessThan(CONFIRM_TIMEOUT.multipliedBy(3));
    }

    @Test
    void aReconnectedBrokerMakesTheWaitingRowsDueOnceAtTheNextPass() {
        claimReturns(List.of());
        when(rows.backlog()).thenReturn(new OutboxRows.Backlog(0, null));

        relay.brokerConnected();
        relay.pass();
        relay.pass();

        verify(rows, times(1)).makeFailedDueNow();
    }

    // --- back-off ---

    @Test
    void backOffDoublesFromHalfASecondUpToTheMaximumWithTwentyPercentJitter() {
        jitter = 0;
        assertThat(relay.backoff(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(relay.backoff(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(relay.backoff(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(relay.backoff(8)).as("capped").isEqualTo(Duration.ofMinutes(1));
        assertThat(relay.backoff(500)).as("no overflow").isEqualTo(Duration.ofMinutes(1));
        assertThat(relay.backoff(0)).as("as the first").isEqualTo(Duration.ofMillis(500));
        jitter = 1;
        assertThat(relay.backoff(1)).isEqualTo(Duration.ofMillis(600));
        assertThat(relay.backoff(9)).isEqualTo(Duration.ofSeconds(72));
        jitter = -1;
        assertThat(relay.backoff(1)).isEqualTo(Duration.ofMillis(400));
        assertThat(relay.backoff(9)).isEqualTo(Duration.ofSeconds(48));
    }

    @Test
    void backOffIsNeverUnderATenthOfASecond() {
        OutboxRelay quick = new OutboxRelay(rows, publisher, codec, settings(Duration.ofMillis(20)), new SimpleMeterRegistry(),
                () -> -1);

        assertThat(quick.backoff(1)).isEqualTo(Duration.ofMillis(100));
    }

    // --- fakes ---

    private long deadline() {
        return System.nanoTime() + CONFIRM_TIMEOUT.toNanos();
    }

    private final AtomicInteger ids = new AtomicInteger();

    private OutboxRows.Row row(Outcome outcome, int attempts) {
        FetchRequested event = FetchRequested.of(UUID.randomUUID(), "https://github.com/a/b", UUID.randomUUID());
        publisher.answer(event.eventId(), outcome);
        return new OutboxRows.Row(ids.incrementAndGet(), event.eventId(), event.type().routingKey(), codec.toJson(event), attempts,
                "request-" + attempts);
    }

    @SuppressWarnings("unchecked")
    private void claimReturns(List<OutboxRows.Row> due) {
        when(rows.claimDue(anyInt(), any())).thenAnswer(invocation -> ((Function<List<OutboxRows.Row>, Integer>) invocation
                .getArgument(1)).apply(due));
    }

    private static ProjectServiceProperties.Outbox settings(Duration maxBackoff) {
        return new ProjectServiceProperties.Outbox(Duration.ofSeconds(1), Duration.ofMillis(10), 100, maxBackoff);
    }

    enum Outcome { ACK, NACK, RETURNED, HANG, SEND_FAILED }

    /** A broker that answers each event as told: by its event id, the correlation id of the send. */
    static final class FakePublisher extends ConfirmedPublisher {
        final Map<UUID, Outcome> outcomes = new ConcurrentHashMap<>();
        final Map<UUID, Boolean> settled = new ConcurrentHashMap<>();
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger sends = new AtomicInteger();
        final AtomicReference<String> sendingThread = new AtomicReference<>();
        private volatile boolean hang;

        FakePublisher() {
            super(null, CONFIRM_TIMEOUT);
        }

        void answer(UUID eventId, Outcome outcome) {
            outcomes.put(eventId, outcome);
        }

        void hangSends() {
            hang = true;
        }

        PendingPublish sendRow(OutboxRows.Row row) {
            return send("exchange", row.type(), new Message(new byte[0]), row.eventId().toString());
        }

        @Override
        public PendingPublish send(String exchange, String routingKey, Message message, String correlationId) {
            sends.incrementAndGet();
            sendingThread.set(Thread.currentThread().getName());
            if (hang) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // stop() interrupts a hanging send: the row stays for the relay
                }
            }
            UUID eventId = UUID.fromString(correlationId);
            Outcome outcome = outcomes.getOrDefault(eventId, Outcome.HANG);
            PublishFailedException failure = switch (outcome) {
                case ACK, HANG -> null;
                case NACK -> new PublishFailedException(PublishFailedException.Kind.NACKED, "broker nacked " + routingKey, null);
                case RETURNED -> new PublishFailedException(PublishFailedException.Kind.RETURNED, routingKey + " was unroutable", null);
                case SEND_FAILED -> new PublishFailedException(PublishFailedException.Kind.SEND_FAILED, "send failed", null);
            };
            return new PendingPublish() {
                @Override
                public void await(long deadlineNanos) {
                    if (outcome == Outcome.HANG) {
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, deadlineNanos - System.nanoTime()));
                        throw new PublishFailedException(PublishFailedException.Kind.TIMEOUT, "no confirm within " + timeout(), null);
                    }
                    if (failure != null) {
                        throw failure;
                    }
                }

                @Override
                public void whenSettled(Consumer<PublishFailedException> callback) {
                    if (outcome != Outcome.HANG) {
                        callback.accept(failure);
                        settled.put(eventId, failure == null);
                    }
                }
            };
        }
    }
}
