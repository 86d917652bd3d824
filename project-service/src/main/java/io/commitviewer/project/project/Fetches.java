package io.commitviewer.project.project;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

interface Fetches extends JpaRepository<Fetch, UUID> {

    /**
     * Records a progress event of a running fetch, unless a later one was recorded or the fetch
     * ended. One statement that bypasses the entity's version: progress never conflicts with the
     * results, and the entity never writes these columns.
     */
    @Modifying
    @Transactional
    @Query(value = """
            update fetches set phase = :phase, commits_stored = :stored, progress_sequence = :sequence,
                first_look = first_look or :firstLook
            where id = :id and status in ('QUEUED', 'FETCHING') and (progress_sequence is null or progress_sequence < :sequence)
            """, nativeQuery = true)
    int recordProgress(@Param("id") UUID id, @Param("phase") String phase, @Param("stored") long stored,
            @Param("sequence") long sequence, @Param("firstLook") boolean firstLook);
}
