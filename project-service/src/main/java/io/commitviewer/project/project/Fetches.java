package io.commitviewer.project.project;

import java.time.Instant;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface Fetches extends JpaRepository<Fetch, UUID> {

    /** How many refreshes a key asked for since a moment, and when the oldest of them was asked for (null if none). */
    record RefreshCount(long count, Instant oldest) {
    }

    /** Refreshes a key asked for since {@code since}. */
    @Query("""
            select new io.commitviewer.project.project.Fetches$RefreshCount(count(f), min(f.requestedAt)) from Fetch f
            where f.requestedBy = :key and f.reason = io.commitviewer.project.project.FetchReason.REFRESH and f.requestedAt > :since
            """)
    RefreshCount refreshesSince(@Param("key") String key, @Param("since") Instant since);

    /** Fetches a key asked for that are queued or running, not older than {@code since} (a stale one no longer counts). */
    @Query("""
            select count(f) from Fetch f
            where f.requestedBy = :key and f.requestedAt > :since
              and f.status in (io.commitviewer.project.project.FetchStatus.QUEUED, io.commitviewer.project.project.FetchStatus.FETCHING)
            """)
    long countInProgressBy(@Param("key") String key, @Param("since") Instant since);

    /**
     * Records a progress event of a running fetch, unless a later one was recorded or the fetch
     * ended. One statement that bypasses the entity's version: progress never conflicts with the
     * results, and the entity never writes these columns.
     */
    @Modifying
    @Transactional
    @Query(value = """
            update fetches set phase = :phase, commits_stored = :stored, progress_sequence = :sequence
            where id = :id and status in ('QUEUED', 'FETCHING') and (progress_sequence is null or progress_sequence < :sequence)
            """, nativeQuery = true)
    int recordProgress(@Param("id") UUID id, @Param("phase") String phase, @Param("stored") long stored,
            @Param("sequence") long sequence);
}
