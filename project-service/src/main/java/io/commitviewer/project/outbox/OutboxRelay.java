package io.commitviewer.project.outbox;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.MessageTrace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to RabbitMQ. A new row is published right after its commit by a small
 * publisher thread ({@link #publishNow}), so that a broker that does not answer never holds up
 * the request that committed it; the relay thread deletes the row when the broker confirms.
 * Rows without a confirm (broker down, nack, unroutable, crash) become due after a grace period
 * and are claimed with {@code FOR UPDATE SKIP LOCKED} (so several instances share the work),
 * published in batches with correlated confirms and mandatory routing, and deleted only after
 * the broker acked them and routed them to a queue; anything else is retried with exponential
 * back-off. A row is never deleted without a confirm, so an event may go out twice (consumers
 * are idempotent on the event id) but never zero times.
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long BACKLOG_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int IMMEDIATE_QUEUE_CAPACITY = 1000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final RabbitTemplate rabbit;
    private final EventCodec codec;
    private final ProjectServiceProperties.Outbox settings;
    private final Counter published;
    private final Counter failed;
    private final java.util.Queue<Long> confirmed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Publishes just-committed rows; when it is full the rows are left to the relay, never lost. */
    private final ThreadPoolExecutor immediate = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(IMMEDIATE_QUEUE_CAPACITY), runnable -> {
                Thread thread = new Thread(runnable, "outbox-publisher");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private boolean wakeUpRequested;
    private volatile boolean running;
    private volatile boolean brokerConnected;
    private Thread thread;

    OutboxRelay(JdbcTemplate jdbc, TransactionTemplate transactions, RabbitTemplate rabbit, EventCodec codec,
            ProjectServiceProperties properties, MeterRegistry meters, ConnectionFactory connections) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.rabbit = rabbit;
        this.codec = codec;
        this.settings = properties.outbox();
        this.published = Counter.builder("commitviewer.outbox.published").description("Events confirmed by the broker")
                .register(meters);
        this.failed = Counter.builder("commitviewer.outbox.publish.failures")
                .description("Publish attempts not confirmed (broker down, nack, unroutable, timeout)").register(meters);
        connections.addConnectionListener(connection -> brokerConnected());
        meters.gauge("commitviewer.outbox.backlog", backlog);
        io.micrometer.core.instrument.Gauge.builder("commitviewer.outbox.oldest.age", oldestAgeMillis, v -> v.get() / 1000.0)
                .description("Age of the oldest unpublished event").baseUnit("seconds").register(meters);
    }

    /**
     * The broker connection is (re)established: events waiting out a back-off after an outage
     * become due now, so requests made while the broker was down go out at once.
     */
    void brokerConnected() {
        brokerConnected = true;
        wakeUp();
    }

    private void makeWaitingEventsDue() {
        if (brokerConnected) {
            brokerConnected = false;
            // only rows that failed before: the others are still within their immediate publish's grace period
            int due = jdbc.update("UPDATE outbox SET next_attempt_at = now() WHERE next_attempt_at > now() AND attempts > 0");
            if (due > 0) {
                log.info("Broker connected: {} waiting event(s) due now", due);
            }
        }
    }

    /** How long a row waits for the confirm of its immediate publish before the relay takes it over. */
    Duration immediatePublishGrace() {
        return settings.confirmTimeout().plusSeconds(1);
    }

    /**
     * Hands a just-committed event to the publisher thread and returns at once: the caller never
     * waits for the broker, even one whose host does not answer. The row is deleted when the
     * confirm arrives; a failure, or a full hand-over queue, leaves the row to the relay.
     */
    void publishNow(long id, UUID eventId, EventType type, String payload, MessageTrace trace) {
        long queuedAt = System.nanoTime();
        immediate.execute(() -> {
            // past its confirm timeout the row is the relay's (it becomes due at the grace period):
            // publishing it here as well would only send a late duplicate
            if (System.nanoTime() - queuedAt < settings.confirmTimeout().toNanos()) {
                publish(id, eventId, type, payload, trace);
            }
        });
    }

    private void publish(long id, UUID eventId, EventType type, String payload, MessageTrace trace) {
        CorrelationData correlation = new CorrelationData(eventId.toString());
        try {
            rabbit.send(AmqpNames.EXCHANGE, type.routingKey(), codec.toMessage(type, eventId.toString(), payload, trace),
                    correlation);
        } catch (RuntimeException e) {
            failed.increment();
            log.debug("Immediate publish of {} failed, the relay will retry: {}", eventId, e.getMessage());
            return;
        }
        correlation.getFuture().whenComplete((confirm, error) -> {
            if (error == null && confirm.ack() && correlation.getReturned() == null) {
                confirmed.add(id);
                wakeUp();
            } else {
                failed.increment();
            }
        });
    }

    /** Deletes the rows whose immediate publish the broker confirmed, in batches. */
    private void deleteConfirmed() {
        List<Long> ids = new ArrayList<>();
        Long id;
        while ((id = confirmed.poll()) != null) {
            ids.add(id);
        }
        if (!ids.isEmpty()) {
            jdbc.update("DELETE FROM outbox WHERE id = ANY(?)", (Object) ids.toArray(Long[]::new));
            published.increment(ids.size());
        }
    }

    /** Asks the relay to look at the outbox now. */
    void wakeUp() {
        lock.lock();
        try {
            wakeUpRequested = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long lastBacklogCheck = 0;
        while (running) {
            try {
                deleteConfirmed();
                makeWaitingEventsDue();
                int handled;
                do {
                    handled = relayBatch();
                } while (running && handled == settings.batchSize());
                if (System.nanoTime() - lastBacklogCheck > BACKLOG_CHECK_INTERVAL_NANOS || handled == 0) {
                    refreshBacklog();
                    lastBacklogCheck = System.nanoTime();
                }
            } catch (RuntimeException e) {
                log.warn("Outbox relay pass failed, will retry: {}", e.getMessage());
            }
            awaitWork();
        }
    }

    private void awaitWork() {
        lock.lock();
        try {
            if (!wakeUpRequested && running) {
                work.await(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
            wakeUpRequested = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
        // under load commits arrive faster than a batch round trip: let a few more gather into the next batch
        java.util.concurrent.locks.LockSupport.parkNanos(settings.coalesce().toNanos());
    }

    private record Row(long id, UUID eventId, String type, String payload, int attempts, String requestId) {
    }

    private record Sent(Row row, CorrelationData correlation, RuntimeException error) {
    }

    /** One transaction: claim due rows, publish them, wait for the confirms, settle each row. */
    int relayBatch() {
        Integer count = transactions.execute(status -> {
            List<Row> rows = jdbc.query("""
                    SELECT id, event_id, event_type, payload, attempts, request_id FROM outbox
                    WHERE next_attempt_at <= now() ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
                    """, (rs, n) -> new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                    rs.getInt(5), rs.getString(6)), settings.batchSize());
            if (rows.isEmpty()) {
                return 0;
            }
            List<Sent> sent = new ArrayList<>(rows.size());
            for (Row row : rows) {
                sent.add(send(row));
            }
            long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
            List<Long> confirmed = new ArrayList<>(rows.size());
            for (Sent s : sent) {
                if (settle(s, deadline)) {
                    confirmed.add(s.row().id());
                }
            }
            if (!confirmed.isEmpty()) {
                jdbc.update("DELETE FROM outbox WHERE id = ANY(?)", (Object) confirmed.toArray(Long[]::new));
                published.increment(confirmed.size());
            }
            return rows.size();
        });
        return count == null ? 0 : count;
    }

    private Sent send(Row row) {
        CorrelationData correlation = new CorrelationData(row.eventId().toString());
        try {
            EventType type = EventType.fromRoutingKey(row.type())
                    .orElseThrow(() -> new IllegalStateException("unknown event type " + row.type()));
            MessageTrace trace = MessageTrace.of(codec.fromJson(type, row.payload()), row.requestId());
            rabbit.send(AmqpNames.EXCHANGE, type.routingKey(), codec.toMessage(type, row.eventId().toString(), row.payload(), trace),
                    correlation);
            return new Sent(row, correlation, null);
        } catch (RuntimeException e) {
            return new Sent(row, correlation, e);
        }
    }

    /** True if the broker confirmed the event; otherwise schedules its next attempt. */
    private boolean settle(Sent sent, long deadline) {
        String error = sent.error() == null ? null : "publish failed: " + sent.error().getMessage();
        if (error == null) {
            try {
                long wait = Math.max(1, deadline - System.nanoTime());
                CorrelationData.Confirm confirm = sent.correlation().getFuture().get(wait, TimeUnit.NANOSECONDS);
                if (!confirm.ack()) {
                    error = "broker nacked: " + confirm.reason();
                } else if (sent.correlation().getReturned() != null) {
                    error = "unroutable: " + sent.correlation().getReturned().getReplyText();
                }
            } catch (java.util.concurrent.TimeoutException e) {
                error = "no confirm within " + settings.confirmTimeout();
            } catch (java.util.concurrent.ExecutionException e) {
                error = "confirm failed: " + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
        }
        if (error == null) {
            return true;
        }
        failed.increment();
        int attempts = sent.row().attempts() + 1;
        Duration backoff = backoff(attempts);
        jdbc.update("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?", attempts,
                Timestamp.from(Instant.now().plus(backoff)), error.length() > 1000 ? error.substring(0, 1000) : error,
                sent.row().id());
        if (attempts == 1 || attempts % 10 == 0) {
            log.warn("Event {} ({}) not published, attempt {}: {}; retrying in {} ms", sent.row().eventId(), sent.row().type(),
                    attempts, error, backoff.toMillis());
        }
        return false;
    }

    /** 0.5 s, 1 s, 2 s … capped at {@code max-backoff}, with ±20 % jitter so instances do not retry in step. */
    Duration backoff(int attempts) {
        long base = Math.min(settings.maxBackoff().toMillis(), 500L << Math.min(attempts - 1, 20));
        long jitter = (long) (base * 0.2 * (ThreadLocalRandom.current().nextDouble() * 2 - 1));
        return Duration.ofMillis(Math.max(100, base + jitter));
    }

    private void refreshBacklog() {
        jdbc.query("SELECT count(*), min(created_at) FROM outbox", rs -> {
            backlog.set(rs.getLong(1));
            Timestamp oldest = rs.getTimestamp(2);
            oldestAgeMillis.set(oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.getTime()));
        });
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        immediate.shutdownNow();
        wakeUp();
        if (thread != null) {
            try {
                thread.join(settings.confirmTimeout().toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
}
