package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.common.events.FetchPhase;
import io.commitviewer.common.events.FetchProgress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the progress of running fetches ({@code fetch.progress}): each phase change, and the
 * commits stored so far at most once per {@link #INTERVAL}. Lossy on purpose: events are published
 * by one thread of their own from a short queue, dropped when it is full or the broker does not
 * take them, so a fetch never waits for its progress (a result, by contrast, is never dropped).
 */
final class FetchProgressReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FetchProgressReporter.class);
    static final Duration INTERVAL = Duration.ofMillis(500);

    private final EventPublisher publisher;
    private final ThreadPoolExecutor executor;

    FetchProgressReporter(EventPublisher publisher) {
        this.publisher = publisher;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), runnable -> {
            Thread thread = new Thread(runnable, "fetch-progress");
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    /** The progress of one fetch (one per attempt: its sequence numbers go on across attempts). */
    Progress of(UUID projectId, UUID fetchId) {
        return new Progress(projectId, fetchId);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One fetch's: its thread reports phases and counts, its first look's thread that the look is served. */
    final class Progress {
        private final UUID projectId;
        private final UUID fetchId;
        private FetchPhase phase = FetchPhase.CLONING;
        private long stored;
        private long sequence;
        private long lastPublished;
        private boolean firstLook;

        private Progress(UUID projectId, UUID fetchId) {
            this.projectId = projectId;
            this.fetchId = fetchId;
        }

        synchronized void phase(FetchPhase next) {
            phase = next;
            publish();
        }

        /** {@code count} commits listed and stored so far in this attempt. */
        synchronized void stored(long count) {
            stored = count;
            if (System.nanoTime() - lastPublished >= INTERVAL.toNanos()) {
                publish();
            }
        }

        /** A first look at this fetch's newest commits is served (ADR 0012); said in every later event of the attempt. */
        synchronized void firstLook() {
            firstLook = true;
            publish();
        }

        private void publish() {
            lastPublished = System.nanoTime();
            // increasing across attempts, deliveries and instances (the wall clock in µs), so that the progress
            // of a delivery after a crash is not taken for older than the dead one's
            sequence = Math.max(sequence + 1, System.currentTimeMillis() * 1000);
            FetchProgress event = FetchProgress.of(projectId, fetchId, phase, stored, sequence, firstLook);
            executor.execute(() -> {
                try {
                    publisher.publish(event);
                } catch (RuntimeException e) {
                    log.debug("Progress event dropped: {}", e.toString());
                }
            });
        }
    }
}
