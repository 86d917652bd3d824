package io.commitviewer.project.project;

import java.time.Instant;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

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
}
