package io.commitviewer.project.outbox;

import io.commitviewer.amqp.ConfirmedPublisher;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.amqp.PublishFailedException;
import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.commitviewer.common.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Publishes outbox rows (ADR 0002), by two paths that end the same way, a row deleted only after
 * the broker confirmed its event:
 * <ul>
 * <li><b>at once</b>: a just-committed row goes to a small publisher thread ({@link #publishNow}),
 * so that a broker that does not answer never holds up the request that committed it; its
 * confirm adds the row to {@code confirmed}, which the relay deletes in its next pass;</li>
 * <li><b>by the relay</b>: every pass claims due rows ({@link OutboxRows#claimDue}), publishes them,
 * waits for their confirms, deletes the confirmed ones and reschedules the others with back-off.
 * A row is due once it failed, or once its immediate publish had {@code confirm-timeout + 1 s}
 * without a confirm (the broker was down, the publisher queue full, the process died).</li>
 * </ul>
 * An event may go out twice (a confirm slower than the grace period, a crash between confirm and
 * delete): consumers are idempotent on the event id. It never goes out zero times.
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long BACKLOG_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int IMMEDIATE_QUEUE_CAPACITY = 1000;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration SHORTEST_BACKOFF = Duration.ofMillis(100);

    private final OutboxRows rows;
    private final ConfirmedPublisher publisher;
    private final EventCodec codec;
    private final ProjectServiceProperties.Outbox settings;
    private final DoubleSupplier jitter;
    private final Counter published;
    private final Counter failed;
    /** Rows whose immediate publish the broker confirmed: deleted by the next pass. */
    private final Queue<Long> confirmed = new ConcurrentLinkedQueue<>();
    /** Publishes just-committed rows; when it is full the rows are left to the relay, never lost. */
    private final ThreadPoolExecutor immediate = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(IMMEDIATE_QUEUE_CAPACITY), daemon("outbox-publisher"), new ThreadPoolExecutor.DiscardPolicy());
    /** Runs the passes, one at a time: on a fixed delay and when woken up. */
    private final ScheduledExecutorService passes = Executors.newSingleThreadScheduledExecutor(daemon("outbox-relay"));
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicBoolean brokerReconnected = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private volatile boolean running;
    private long lastBacklogCheck;

    @Autowired
    OutboxRelay(OutboxRows rows, ConfirmedPublisher publisher, EventCodec codec, ProjectServiceProperties properties,
            MeterRegistry meters, ConnectionFactory connections) {
        this(rows, publisher, codec, properties.outbox(), meters, Backoff.randomJitter());
        connections.addConnectionListener(connection -> brokerConnected());
    }

    /** @param jitter a number in [-1, 1] for each back-off: ±20 % of it, so that instances do not retry in step */
    OutboxRelay(OutboxRows rows, ConfirmedPublisher publisher, EventCodec codec, ProjectServiceProperties.Outbox settings,
            MeterRegistry meters, DoubleSupplier jitter) {
        this.rows = rows;
        this.publisher = publisher;
        this.codec = codec;
        this.settings = settings;
        this.jitter = jitter;
        this.published = Counter.builder("commitviewer.outbox.published").description("Events confirmed by the broker")
                .register(meters);
        this.failed = Counter.builder("commitviewer.outbox.publish.failures")
                .description("Publish attempts not confirmed (broker down, nack, unroutable, timeout)").register(meters);
        meters.gauge("commitviewer.outbox.backlog", backlog);
        Gauge.builder("commitviewer.outbox.oldest.age", oldestAgeMillis, v -> v.get() / 1000.0)
                .description("Age of the oldest unpublished event").baseUnit("seconds").register(meters);
    }

    /** The backlog of the last count. */
    long backlog() {
        return backlog.get();
    }

    /** How long a new row waits for the confirm of its immediate publish before the relay takes it over. */
    Duration immediatePublishGrace() {
        return publisher.timeout().plusSeconds(1);
    }

    /**
     * Hands a just-committed row to the publisher thread and returns at once: the caller never
     * waits for the broker. A failure, or a full hand-over queue, leaves the row to the relay.
     */
    void publishNow(long id, java.util.UUID eventId, EventType type, String payload, MessageTrace trace) {
        long queuedAt = System.nanoTime();
        immediate.execute(() -> {
            // past its confirm timeout the row is the relay's (due at the grace period): a late duplicate otherwise
            if (System.nanoTime() - queuedAt >= publisher.timeout().toNanos()) {
                return;
            }
            publisher.send(AmqpNames.EXCHANGE, type.routingKey(), codec.toMessage(type, eventId.toString(), payload, trace),
                    eventId.toString()).whenSettled(failure -> {
                        if (failure == null) {
                            confirmed.add(id);
                            wakeUp();
                        } else {
                            failed.increment();
                            log.debug("Immediate publish of {} failed, the relay will retry: {}", eventId, failure.getMessage());
                        }
                    });
        });
    }

    /** The broker connection is (re)established: rows waiting out a back-off become due at the next pass. */
    void brokerConnected() {
        brokerReconnected.set(true);
        wakeUp();
    }

    /** Asks for a pass soon (after {@code coalesce}, so that more commits gather into its batch). */
    void wakeUp() {
        if (running && wakeUpPending.compareAndSet(false, true)) {
            passes.schedule(this::pass, settings.coalesce().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Deletes what was confirmed, makes rows due after a reconnection, relays due rows, measures the backlog. */
    void pass() {
        wakeUpPending.set(false);
        try {
            deleteConfirmed();
            if (brokerReconnected.getAndSet(false)) {
                int due = rows.makeFailedDueNow();
                if (due > 0) {
                    log.info("Broker connected: {} waiting event(s) due now", due);
                }
            }
            int handled;
            do {
                handled = relayBatch();
            } while (running && handled == settings.batchSize());
            if (handled == 0 || System.nanoTime() - lastBacklogCheck > BACKLOG_CHECK_INTERVAL_NANOS) {
                OutboxRows.Backlog now = rows.backlog();
                backlog.set(now.count());
                oldestAgeMillis.set(now.oldest() == null ? 0 : Math.max(0, Duration.between(now.oldest(), Instant.now()).toMillis()));
                lastBacklogCheck = System.nanoTime();
            }
        } catch (RuntimeException e) {
            log.warn("Outbox relay pass failed, will retry: {}", e.getMessage());
        }
    }

    /** Deletes the rows whose immediate publish the broker confirmed. */
    void deleteConfirmed() {
        List<Long> ids = new ArrayList<>();
        for (Long id = confirmed.poll(); id != null; id = confirmed.poll()) {
            ids.add(id);
        }
        if (!ids.isEmpty()) {
            rows.delete(ids);
            published.increment(ids.size());
        }
    }

    /** Claims due rows, publishes them, waits for their confirms, deletes the confirmed ones; returns how many it claimed. */
    int relayBatch() {
        Integer claimed = rows.claimDue(settings.batchSize(), due -> {
            List<ConfirmedPublisher.PendingPublish> sent = new ArrayList<>(due.size());
            for (OutboxRows.Row row : due) {
                sent.add(send(row));
            }
            long deadline = System.nanoTime() + publisher.timeout().toNanos();
            List<Long> done = new ArrayList<>(due.size());
            for (int i = 0; i < due.size(); i++) {
                if (settle(due.get(i), sent.get(i), deadline)) {
                    done.add(due.get(i).id());
                }
            }
            rows.delete(done);
            published.increment(done.size());
            return due.size();
        });
        return claimed == null ? 0 : claimed;
    }

    private ConfirmedPublisher.PendingPublish send(OutboxRows.Row row) {
        EventType type = EventType.fromRoutingKey(row.type())
                .orElseThrow(() -> new IllegalStateException("unknown event type " + row.type()));
        MessageTrace trace = MessageTrace.of(codec.fromJson(type, row.payload()), row.requestId());
        return publisher.send(AmqpNames.EXCHANGE, type.routingKey(),
                codec.toMessage(type, row.eventId().toString(), row.payload(), trace), row.eventId().toString());
    }

    /** True if the broker confirmed the row's event by the deadline; otherwise the row is rescheduled with back-off. */
    boolean settle(OutboxRows.Row row, ConfirmedPublisher.PendingPublish pending, long deadline) {
        try {
            pending.await(deadline);
            return true;
        } catch (PublishFailedException e) {
            failed.increment();
            int attempts = row.attempts() + 1;
            Duration backoff = backoff(attempts);
            rows.reschedule(row.id(), attempts, Instant.now().plus(backoff), e.getMessage());
            if (attempts == 1 || attempts % 10 == 0) {
                log.warn("Event {} ({}) not published, attempt {}: {}; retrying in {} ms", row.eventId(), row.type(), attempts,
                        e.getMessage(), backoff.toMillis());
            }
            return false;
        }
    }

    /** 0.5 s, 1 s, 2 s … doubling, capped at {@code max-backoff}, ±20 % jitter, never under 100 ms. */
    Duration backoff(int attempts) {
        return new Backoff(FIRST_BACKOFF, settings.maxBackoff(), SHORTEST_BACKOFF, jitter).after(attempts);
    }

    @Override
    public void start() {
        running = true;
        passes.scheduleWithFixedDelay(this::pass, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        immediate.shutdownNow();
        passes.shutdown();
        try {
            passes.awaitTermination(publisher.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Start after the broker connection and the database, stop before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
