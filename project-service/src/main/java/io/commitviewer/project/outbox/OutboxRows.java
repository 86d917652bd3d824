package io.commitviewer.project.outbox;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code outbox} table: rows are written in the transaction of the change they announce,
 * claimed by the relay with {@code FOR UPDATE SKIP LOCKED} (several instances share the work and
 * never publish one row at once), deleted once the broker confirmed them, rescheduled otherwise.
 */
@Component
class OutboxRows {

    private static final int MAX_ERROR_LENGTH = 1000;

    /** One event waiting to be published. */
    record Row(long id, UUID eventId, String type, String payload, int attempts, String requestId) {
    }

    /** How many rows wait, and since when the oldest. */
    record Backlog(long count, Instant oldest) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    OutboxRows(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** Inserts a row in the caller's transaction; returns its id. It is due at {@code dueAt}. */
    long insert(UUID eventId, String type, String payload, String requestId, Instant now, Instant dueAt) {
        Long id = jdbc.queryForObject("INSERT INTO outbox (event_id, event_type, payload, created_at, next_attempt_at, request_id) "
                + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", Long.class, eventId, type, payload, Timestamp.from(now),
                Timestamp.from(dueAt), requestId);
        return id == null ? 0 : id;
    }

    /**
     * In one transaction: claims up to {@code limit} due rows (locked until it ends, skipped by
     * other instances) and hands them to {@code work}, which publishes and settles them.
     */
    <T> T claimDue(int limit, Function<List<Row>, T> work) {
        return transactions.execute(status -> work.apply(jdbc.query("""
                SELECT id, event_id, event_type, payload, attempts, request_id FROM outbox
                WHERE next_attempt_at <= now() ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
                """, (rs, n) -> new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getInt(5), rs.getString(6)), limit)));
    }

    /** Deletes published rows. */
    void delete(Collection<Long> ids) {
        if (!ids.isEmpty()) {
            jdbc.update("DELETE FROM outbox WHERE id = ANY(?)", (Object) ids.toArray(Long[]::new));
        }
    }

    /** Records a failed attempt and when to try again. */
    void reschedule(long id, int attempts, Instant nextAttempt, String error) {
        jdbc.update("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?", attempts,
                Timestamp.from(nextAttempt), error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error, id);
    }

    /** Rows that failed before and wait out a back-off become due now (the broker is back); returns how many. */
    int makeFailedDueNow() {
        return jdbc.update("UPDATE outbox SET next_attempt_at = now() WHERE next_attempt_at > now() AND attempts > 0");
    }

    Backlog backlog() {
        return jdbc.query("SELECT count(*), min(created_at) FROM outbox", rs -> {
            rs.next();
            Timestamp oldest = rs.getTimestamp(2);
            return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant());
        });
    }
}
