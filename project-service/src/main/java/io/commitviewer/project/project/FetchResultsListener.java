package io.commitviewer.project.project;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.PoisonMessageException;
import io.commitviewer.common.events.CommitStoreChecked;
import io.commitviewer.common.events.Event;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code fetch.started|succeeded|failed} and {@code commit-store.checked}; unreadable
 * messages go to the DLQ at once.
 */
@Component
class FetchResultsListener {

    private final EventCodec codec;
    private final FetchResults results;
    private final StoreRecovery recovery;
    private final DeadLetterRecoverer deadLetters;

    FetchResultsListener(EventCodec codec, FetchResults results, StoreRecovery recovery, DeadLetterRecoverer deadLetters) {
        this.codec = codec;
        this.results = results;
        this.recovery = recovery;
        this.deadLetters = deadLetters;
    }

    @RabbitListener(id = "fetch-results", queues = AmqpNames.FETCH_RESULTS_QUEUE)
    void on(Message message) {
        try {
            Event event = codec.fromMessage(message);
            if (event instanceof CommitStoreChecked checked) {
                recovery.apply(checked); // idempotent: a second time finds nothing to recover
            } else {
                results.apply(event);
            }
        } catch (PoisonMessageException e) {
            // retrying cannot help: straight to the DLQ with the reason, then ack
            deadLetters.recover(message, e);
        }
    }
}
