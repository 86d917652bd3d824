package io.commitviewer.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.QueueSpec;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import tools.jackson.databind.json.JsonMapper;

class EventCodecTests {

    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());

    @Test
    void writesPersistentJsonWithTypeHeaderAndEventIdAndReadsItBack() {
        FetchRequested event = FetchRequested.of(UUID.randomUUID(), "https://github.com/a/b", UUID.randomUUID());

        Message message = codec.toMessage(event, MessageTrace.of(event, null));

        MessageProperties properties = message.getMessageProperties();
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(properties.getMessageId()).isEqualTo(event.eventId().toString());
        assertThat((Object) properties.getHeader(AmqpNames.TYPE_HEADER)).isEqualTo("fetch.requested");
        assertThat(codec.fromMessage(message)).isEqualTo(event);
    }

    @Test
    void carriesTheCorrelationIdsInHeadersAndRestoresThemIntoTheMdcForAScope() throws Exception {
        FetchRequested event = FetchRequested.of(UUID.randomUUID(), "https://github.com/a/b", UUID.randomUUID());
        MDC.put(Correlation.REQUEST_ID, "req-1");
        Message message;
        try {
            message = codec.toMessage(event, MessageTrace.ofCurrentRequest(event));
        } finally {
            MDC.clear();
        }
        MessageProperties properties = message.getMessageProperties();
        assertThat((Object) properties.getHeader(Correlation.REQUEST_ID_HEADER)).isEqualTo("req-1");
        assertThat((Object) properties.getHeader(Correlation.PROJECT_ID_HEADER)).isEqualTo(event.projectId().toString());
        assertThat((Object) properties.getHeader(Correlation.FETCH_ID_HEADER)).isEqualTo(event.fetchId().toString());

        try (AutoCloseable scope = MessageTrace.restore(properties)) {
            assertThat(MDC.get(Correlation.REQUEST_ID)).isEqualTo("req-1");
            assertThat(MDC.get(Correlation.PROJECT_ID)).isEqualTo(event.projectId().toString());
            assertThat(MDC.get(Correlation.FETCH_ID)).isEqualTo(event.fetchId().toString());
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void ignoresCorrelationHeadersThatAreNotShortPrintableText() throws Exception {
        MessageProperties properties = new MessageProperties();
        properties.setHeader(Correlation.REQUEST_ID_HEADER, "line\nbreak");
        properties.setHeader(Correlation.PROJECT_ID_HEADER, "x".repeat(500));
        try (AutoCloseable scope = MessageTrace.restore(properties)) {
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
    }

    @Test
    void aListenerGetsTheEventItExpectsAndAnythingElseGoesToTheDeadLetterQueue() {
        java.util.List<String> deadLettered = new java.util.ArrayList<>();
        DeadLetterRecoverer recoverer = new DeadLetterRecoverer(null) {
            @Override
            public void recover(Message message, Throwable cause) {
                deadLettered.add(cause.getMessage());
            }
        };
        FetchRequested request = FetchRequested.of(UUID.randomUUID(), "https://github.com/a/b", UUID.randomUUID());
        Message message = codec.toMessage(request, MessageTrace.of(request, null));

        assertThat(codec.expect(message, FetchRequested.class, recoverer)).contains(request);
        assertThat(codec.expect(message, io.commitviewer.common.events.ProjectDeleted.class, recoverer)).isEmpty();
        assertThat(codec.expect(new Message("{}".getBytes(StandardCharsets.UTF_8), new MessageProperties()), FetchRequested.class,
                recoverer)).isEmpty();
        assertThat(deadLettered).containsExactly("expected project.deleted, got fetch.requested", "no 'type' header");
    }

    @Test
    void unreadableMessagesArePoison() {
        assertThatThrownBy(() -> codec.fromMessage(new Message("{}".getBytes(StandardCharsets.UTF_8), new MessageProperties())))
                .isInstanceOf(PoisonMessageException.class).hasMessageContaining("no 'type' header");
        MessageProperties unknown = new MessageProperties();
        unknown.setHeader(AmqpNames.TYPE_HEADER, "fetch.exploded");
        assertThatThrownBy(() -> codec.fromMessage(new Message("{}".getBytes(StandardCharsets.UTF_8), unknown)))
                .isInstanceOf(PoisonMessageException.class).hasMessageContaining("unknown event type");
        MessageProperties typed = new MessageProperties();
        typed.setHeader(AmqpNames.TYPE_HEADER, "fetch.requested");
        assertThatThrownBy(() -> codec.fromMessage(new Message("{broken".getBytes(StandardCharsets.UTF_8), typed)))
                .isInstanceOf(PoisonMessageException.class).hasMessageContaining("unreadable fetch.requested body");
        assertThatThrownBy(() -> codec.fromMessage(new Message("{\"eventId\":null}".getBytes(StandardCharsets.UTF_8), typed)))
                .isInstanceOf(PoisonMessageException.class);
    }

    @Test
    void poisonIsNotTransientButEverythingElseIs() {
        assertThat(Topology.transientFailure(new RuntimeException("wrapped", new PoisonMessageException("bad")))).isFalse();
        assertThat(Topology.transientFailure(new IllegalStateException("database down"))).isTrue();
    }

    @Test
    void everyQueueIsAQuorumQueueWithItsDeadLetterQueue() {
        var declarables = Topology.declarables(java.util.List.of(AmqpNames.FETCH_REQUESTS));
        var queues = declarables.getDeclarablesByType(Queue.class);
        assertThat(queues).extracting(Queue::getName).containsExactlyInAnyOrder("commit-service.fetch-requests",
                "commit-service.fetch-requests.dlq");
        Queue main = queues.stream().filter(q -> q.getName().equals("commit-service.fetch-requests")).findFirst().orElseThrow();
        assertThat(main.getArguments()).containsEntry("x-queue-type", "quorum")
                .containsEntry("x-dead-letter-exchange", AmqpNames.DEAD_LETTER_EXCHANGE)
                .containsEntry("x-dead-letter-routing-key", "commit-service.fetch-requests.dlq")
                .containsEntry("x-delivery-limit", QueueSpec.DELIVERY_LIMIT);
    }

    @Test
    void projectWorkGoesThroughAConsistentHashExchangeToSingleActiveConsumerShardsWithOneDeadLetterQueue() {
        var declarables = Topology.declarables(AmqpNames.QUEUES);
        var shards = declarables.getDeclarablesByType(Queue.class).stream().filter(q -> AmqpNames.isProjectWorkQueue(q.getName())).toList();
        assertThat(shards).extracting(Queue::getName).containsExactlyElementsOf(AmqpNames.projectWorkQueues()).hasSize(8);
        assertThat(shards).allSatisfy(q -> assertThat(q.getArguments()).containsEntry("x-single-active-consumer", true)
                .containsEntry("x-queue-type", "quorum").containsEntry("x-dead-letter-routing-key", AmqpNames.PROJECT_WORK_DLQ));
        assertThat(declarables.getDeclarablesByType(Queue.class)).extracting(Queue::getName).containsOnlyOnce(AmqpNames.PROJECT_WORK_DLQ);
        var exchange = declarables.getDeclarablesByType(org.springframework.amqp.core.Exchange.class).stream()
                .filter(e -> e.getName().equals(AmqpNames.PROJECT_WORK_EXCHANGE)).findFirst().orElseThrow();
        assertThat(exchange.getType()).isEqualTo("x-consistent-hash");
        assertThat(exchange.getArguments()).containsEntry("hash-header", AmqpNames.PROJECT_ID_HEADER);
        var bindings = declarables.getDeclarablesByType(org.springframework.amqp.core.Binding.class);
        assertThat(bindings).filteredOn(b -> b.getDestination().equals(AmqpNames.PROJECT_WORK_EXCHANGE))
                .extracting(org.springframework.amqp.core.Binding::getRoutingKey).containsExactlyInAnyOrder("fetch.requested", "project.deleted");
        assertThat(bindings).filteredOn(b -> b.getExchange().equals(AmqpNames.EXCHANGE))
                .extracting(org.springframework.amqp.core.Binding::getDestination).doesNotContain(AmqpNames.FETCH_REQUESTS_QUEUE,
                        AmqpNames.PROJECT_DELETIONS_QUEUE);
        assertThat(AmqpNames.deadLetterQueue(AmqpNames.projectWorkQueue(3))).isEqualTo(AmqpNames.PROJECT_WORK_DLQ);
    }

    @Test
    void aMessageCarriesItsProjectIdForTheShardAndNoneWhenItsEventHasNone() {
        UUID projectId = UUID.randomUUID();
        FetchRequested request = FetchRequested.of(projectId, "https://github.com/a/b", UUID.randomUUID());
        Message requested = codec.toMessage(request, MessageTrace.of(request, null));
        assertThat(requested.getMessageProperties().getHeaders()).containsEntry(AmqpNames.PROJECT_ID_HEADER, projectId.toString());
        var storeChecked = io.commitviewer.common.events.CommitStoreChecked.of(java.time.Instant.now(), UUID.randomUUID(), 1);
        Message checked = codec.toMessage(storeChecked, MessageTrace.of(storeChecked, null));
        assertThat(checked.getMessageProperties().getHeaders()).doesNotContainKey(AmqpNames.PROJECT_ID_HEADER);
    }
}
