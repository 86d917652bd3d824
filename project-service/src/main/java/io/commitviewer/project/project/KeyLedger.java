package io.commitviewer.project.project;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * What each key caused, which deleting a project does not erase (issue 24, finding 1): every fetch
 * a key asked for (creating a project, or a refresh) and when its result came. The quotas count
 * here, not in {@code fetches}, whose rows go with their project: add/delete churn used to make
 * every count forget the clones it had caused. A key's creates are serialised by a transaction-scoped
 * advisory lock, so that parallel requests cannot all pass the same check.
 */
@Component
class KeyLedger {

    /** Rows this old are no longer asked about by any quota (the longest window is an hour). */
    private static final Duration KEPT = Duration.ofDays(1);

    private final JdbcTemplate jdbc;

    KeyLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises the key's quota checks and writes until the transaction ends. */
    void lock(String key) {
        jdbc.query("SELECT pg_advisory_xact_lock(hashtext(?))", resultSet -> null, "key-quota:" + key);
    }

    void recorded(UUID fetchId, String key, FetchReason reason, Instant at) {
        jdbc.update("INSERT INTO key_fetches (fetch_id, key_name, reason, requested_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                fetchId, key, reason.name(), Timestamp.from(at));
    }

    /** The fetch's result came (whether or not its project is still there). */
    void ended(UUID fetchId, Instant at) {
        jdbc.update("UPDATE key_fetches SET ended_at = ? WHERE fetch_id = ? AND ended_at IS NULL", Timestamp.from(at), fetchId);
    }

    /** How many fetches a key asked for in a window, and when the oldest of them was asked for (null if none). */
    record Count(long count, Instant oldest) {
    }

    /** How many fetches for {@code reason} the key asked for since {@code since}, and when the oldest was (null if none). */
    Count since(String key, FetchReason reason, Instant since) {
        return jdbc.queryForObject("SELECT count(*), min(requested_at) FROM key_fetches WHERE key_name = ? AND reason = ? AND requested_at > ?",
                (row, i) -> new Count(row.getLong(1), row.getTimestamp(2) == null ? null : row.getTimestamp(2).toInstant()),
                key, reason.name(), Timestamp.from(since));
    }

    /**
     * The key's fetches without a result, asked for after {@code since} (a stale one no longer
     * counts): also those of projects deleted meanwhile, until commit-service reports them — a fetch
     * commit-service skipped because its project was gone counts until it is stale.
     */
    long inProgress(String key, Instant since) {
        Long count = jdbc.queryForObject("SELECT count(*) FROM key_fetches WHERE key_name = ? AND ended_at IS NULL AND requested_at > ?",
                Long.class, key, Timestamp.from(since));
        return count == null ? 0 : count;
    }

    /** Forgets what no quota asks about any more. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    void prune() {
        jdbc.update("DELETE FROM key_fetches WHERE requested_at < ?", Timestamp.from(Instant.now().minus(KEPT)));
    }
}
