package io.commitviewer.project.outbox;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.EventType;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.project.messaging.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
 * Publishes outbox rows to RabbitMQ. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} (so
 * several instances share the work), published with correlated confirms and mandatory routing,
 * and deleted only after the broker acked them and routed them to a queue; anything else is
 * retried with exponential back-off. Runs on one thread, woken after each commit that wrote a
 * row and every {@code poll-interval} otherwise.
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final RabbitTemplate rabbit;
    private final EventCodec codec;
    private final ProjectServiceProperties.Outbox settings;
    private final Counter published;
    private final Counter failed;
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
            int due = jdbc.update("UPDATE outbox SET next_attempt_at = now() WHERE next_attempt_at > now()");
            if (due > 0) {
                log.info("Broker connected: {} waiting event(s) due now", due);
            }
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
        while (running) {
            try {
                makeWaitingEventsDue();
                int handled;
                do {
                    handled = relayBatch();
                } while (running && handled == settings.batchSize());
                refreshBacklog();
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
    }

    private record Row(long id, UUID eventId, String type, String payload, int attempts) {
    }

    private record Sent(Row row, CorrelationData correlation, RuntimeException error) {
    }

    /** One transaction: claim due rows, publish them, wait for the confirms, settle each row. */
    int relayBatch() {
        Integer count = transactions.execute(status -> {
            List<Row> rows = jdbc.query("""
                    SELECT id, event_id, event_type, payload, attempts FROM outbox
                    WHERE next_attempt_at <= now() ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
                    """, (rs, n) -> new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                    rs.getInt(5)), settings.batchSize());
            if (rows.isEmpty()) {
                return 0;
            }
            List<Sent> sent = new ArrayList<>(rows.size());
            for (Row row : rows) {
                sent.add(send(row));
            }
            long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
            for (Sent s : sent) {
                settle(s, deadline);
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
            rabbit.send(AmqpNames.EXCHANGE, type.routingKey(), codec.toMessage(type, row.eventId().toString(), row.payload()),
                    correlation);
            return new Sent(row, correlation, null);
        } catch (RuntimeException e) {
            return new Sent(row, correlation, e);
        }
    }

    private void settle(Sent sent, long deadline) {
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
            jdbc.update("DELETE FROM outbox WHERE id = ?", sent.row().id());
            published.increment();
            return;
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
