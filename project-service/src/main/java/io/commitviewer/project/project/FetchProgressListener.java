package io.commitviewer.project.project;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.FetchProgress;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code fetch.progress}: records the phase and count of a running fetch, which the
 * project's API and its event stream show. Lossy like the events: one that cannot be recorded
 * (the database does not answer) is dropped, not retried — the next one, half a second later,
 * says more. Unreadable messages go to the DLQ at once.
 */
@Component
class FetchProgressListener {

    private static final Logger log = LoggerFactory.getLogger(FetchProgressListener.class);

    private final EventCodec codec;
    private final Fetches fetches;
    private final DeadLetterRecoverer deadLetters;
    private final MeterRegistry meters;

    FetchProgressListener(EventCodec codec, Fetches fetches, DeadLetterRecoverer deadLetters, MeterRegistry meters) {
        this.codec = codec;
        this.fetches = fetches;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    @RabbitListener(id = "fetch-progress", queues = AmqpNames.FETCH_PROGRESS_QUEUE)
    void on(Message message) {
        codec.expect(message, FetchProgress.class, deadLetters).ifPresent(this::record);
    }

    private void record(FetchProgress progress) {
        try {
            int updated = fetches.recordProgress(progress.fetchId(), progress.phase().name(), progress.commitsStored(),
                    progress.sequence(), progress.firstLook());
            meters.counter("commitviewer.fetch.progress", "outcome", updated == 1 ? "applied" : "stale").increment();
        } catch (DataAccessException e) {
            meters.counter("commitviewer.fetch.progress", "outcome", "dropped").increment();
            log.debug("Progress dropped: {}", e.toString());
        }
    }
}
