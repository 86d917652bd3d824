package io.commitviewer.project.project;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface Projects extends JpaRepository<Project, UUID> {

    Optional<Project> findByIdentityKey(String identityKey);

    /**
     * Inserts the project unless one with the same identity exists; concurrent inserts of one
     * repository wait for each other on the unique index, so exactly one of them returns 1.
     */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(value = """
            INSERT INTO projects (id, url, identity_key, owner, name, status, current_fetch_id, version, created_at, updated_at, owner_key)
            VALUES (:id, :url, :identityKey, :owner, :name, 'QUEUED', :fetchId, 0, :now, :now, :ownerKey)
            ON CONFLICT (identity_key) DO NOTHING
            """, nativeQuery = true)
    int insertIfAbsent(@Param("id") UUID id, @Param("url") String url, @Param("identityKey") String identityKey,
            @Param("owner") String owner, @Param("name") String name, @Param("fetchId") UUID fetchId,
            @Param("now") Instant now, @Param("ownerKey") String ownerKey);

    long countByOwnerKey(String ownerKey);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select p from Project p where p.id = :id")
    Optional<Project> findForUpdate(@Param("id") UUID id);

    @Query("select p from Project p order by p.createdAt desc, p.id desc")
    List<Project> firstPage(Limit limit);

    @Query("""
            select p from Project p
            where p.createdAt < :createdAt or (p.createdAt = :createdAt and p.id < :id)
            order by p.createdAt desc, p.id desc
            """)
    List<Project> pageAfter(@Param("createdAt") Instant createdAt, @Param("id") UUID id, Limit limit);

    /**
     * Projects the commit store lost, by its announcement (ADR 0006): not queued or fetching, with
     * a success recorded before the announcement in another epoch or past its sequence. Locked, so
     * that an instance applying the same announcement at once waits and then finds them queued.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("""
            select p from Project p
            where p.status in (io.commitviewer.project.project.ProjectStatus.READY, io.commitviewer.project.project.ProjectStatus.FAILED)
              and p.storeEpoch is not null and p.lastFetchedAt < :checkedAt
              and (p.storeEpoch <> :epoch or p.storeSequence > :sequence)
            order by p.id
            """)
    List<Project> lostByStore(@Param("epoch") UUID epoch, @Param("sequence") long sequence,
            @Param("checkedAt") Instant checkedAt, Limit limit);

    @Query("select p.status, count(p) from Project p group by p.status")
    List<Object[]> countByStatus();

    /**
     * Fetches waiting for commit-service: one per queued project (its current fetch), requested
     * since {@code since}. One older is stale (its request lost, or its result): it no longer
     * counts, so that lost requests cannot fill the bound and refuse every fetch — the refresh
     * that would replace them included (issue 23, finding 10).
     */
    @Query("""
            select count(p) from Project p, Fetch f where f.id = p.currentFetchId
              and p.status = io.commitviewer.project.project.ProjectStatus.QUEUED and f.requestedAt > :since""")
    long countQueued(@org.springframework.data.repository.query.Param("since") Instant since);
}
