package io.commitviewer.commit.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code commitviewer.*}; their defaults are in {@code application.yml}. Numbers are
 * boxed so that the configuration metadata shows no made-up default of 0.
 *
 * @param mongo    the store
 * @param git      how git is run
 * @param cache    the mirror cache
 * @param ingest   how a fetch writes commits
 * @param consumer how the queues are consumed
 * @param fetch    how long and how often one fetch is tried (ADR 0007)
 * @param api      the commits API
 * @param store    the checks of the store's identity (ADR 0006)
 * @param projects where project-service answers whether a project exists
 * @param lease    the per-project lease that makes one instance the project's only writer (ADR 0010)
 * @param shards   how the instances split the shard queues of project work (ADR 0010)
 */
@Validated
@ConfigurationProperties("commitviewer")
public record CommitServiceProperties(@Valid @NotNull Mongo mongo, @Valid @NotNull Git git, @Valid @NotNull Cache cache,
        @Valid @NotNull Ingest ingest, @Valid @NotNull Consumer consumer, @Valid @NotNull Fetch fetch, @Valid @NotNull Api api,
        @Valid @NotNull Store store, @Valid @NotNull Projects projects, @Valid @NotNull Lease lease, @Valid @NotNull Shards shards) {

    /**
     * Which instance consumes which shard queue of the project work (ADR 0010, item 7): each instance
     * says it is alive in MongoDB; the live ones split the shards by rendezvous hashing.
     * @param instanceId     this instance's name among them: stable across restarts where the mirror
     *                       cache is (a StatefulSet's pod name), so that a restarted instance takes back
     *                       the shards whose mirrors it has; blank: the host name and a random suffix
     * @param heartbeatEvery how often an instance says it is alive and looks at who else is
     * @param lapse          an instance silent for this long (by MongoDB's clock) is gone: its shards move
     */
    public record Shards(String instanceId, @NotNull Duration heartbeatEvery, @NotNull Duration lapse) {
    }

    /**
     * @param duration   a lease not renewed for this long (by MongoDB's clock) lapses: another instance may take it
     * @param renewEvery how often a holder renews its leases (well under {@code duration})
     * @param maxWait    how long a fetch request waits for a project another instance holds before it is requeued
     */
    public record Lease(@NotNull Duration duration, @NotNull Duration renewEvery, @NotNull Duration maxWait) {
    }

    /**
     * The one retry policy of a fetch request (ADR 0007): attempts with jittered exponential
     * back-off, all within one deadline, which must end well before RabbitMQ's consumer timeout.
     *
     * @param maxAttempts    attempts of one fetch, the first included, before it fails for good
     * @param initialBackoff wait before the second attempt, doubled for each next one (±20 %)
     * @param maxBackoff     longest wait between two attempts
     * @param deadline       the longest one fetch may take from its first start, every attempt and git command included
     */
    public record Fetch(@NotNull @Min(1) @Max(20) Integer maxAttempts, @NotNull Duration initialBackoff,
            @NotNull Duration maxBackoff, @NotNull Duration deadline) {
    }

    /** @param checkInterval how often the store's identity is checked and announced to project-service */
    public record Store(@NotNull Duration checkInterval) {
    }

    /**
     * @param url      project-service's API (e.g. {@code http://project-service:8081}), asked whether a project
     *                 this store does not hold exists, so that a read answers 202 rather than 404 while it is
     *                 fetched; blank: not asked, such reads answer 404
     * @param timeout  longest wait for project-service's answer
     * @param cacheTtl how long an answer is reused
     */
    public record Projects(String url, @NotNull Duration timeout, @NotNull Duration cacheTtl) {
    }

    /**
     * @param embedded      the MongoDB stand-in: {@code none} (a real MongoDB), {@code memory} or {@code h2} (file)
     * @param embeddedFile  the stand-in's file with {@code embedded=h2}
     * @param socketTimeout longest wait for one answer from MongoDB, so that no write outlives the fetch that made it
     */
    public record Mongo(@NotNull Embedded embedded, @NotNull Path embeddedFile, @NotNull Duration socketTimeout) {
        public enum Embedded { none, memory, h2 }
    }

    /**
     * @param allowedOrigins comma list of origins ({@code scheme://host[:port]}) repositories may come from
     * @param executable     the git binary, on the PATH or absolute
     * @param fetchTimeout   a git command still running after this is killed, with its children
     */
    public record Git(@NotBlank String allowedOrigins, @NotBlank String executable, @NotNull Duration fetchTimeout) {
    }

    /**
     * @param dir      the folder of the repositories' treeless mirrors
     * @param maxBytes beyond this many bytes the least recently used mirrors are deleted
     * @param maxCloneBytes a new clone is stopped beyond this many bytes on disk (TOO_LARGE)
     * @param minFreeBytes  a clone or fetch is stopped when the cache's disk has less free (DISK_FULL, retried)
     * @param maxPacks      a mirror with more packs has them combined geometrically after its fetch (each fetch adds one)
     */
    public record Cache(@NotNull Path dir, @NotNull @Min(1) Long maxBytes, @NotNull @Min(1) Long maxCloneBytes,
            @NotNull @Min(0) Long minFreeBytes, @NotNull @Min(2) Integer maxPacks) {
    }

    /**
     * @param batchSize       commits per bulk insert
     * @param maxCommits      a repository with more commits on its branches fails as TOO_LARGE
     * @param maxMessageBytes longer commit messages are cut and flagged {@code messageTruncated}
     * @param maxBranches     a repository with more branches fails as TOO_LARGE (the project's
     *                        state document holds every tip: 41 bytes each, 16 MB at most)
     * @param maxTags         tags on commits stored at most, by name; those past it are skipped and counted
     *                        ({@code skippedTags}), as tags on trees and blobs are
     * @param firstLook       whether a first fetch shows its newest commits from a shallow clone while the
     *                        whole history comes (ADR 0012)
     */
    public record Ingest(@NotNull @Min(1) @Max(100_000) Integer batchSize, @NotNull @Min(1) Long maxCommits,
            @NotNull @Min(64) @Max(1 << 22) Integer maxMessageBytes, @NotNull @Min(1) @Max(200_000) Integer maxBranches,
            @NotNull @Min(0) @Max(200_000) Integer maxTags, @NotNull Boolean firstLook) {
    }

    /**
     * @param concurrency    fetch requests handled at once
     * @param prefetch       unacknowledged deliveries per consumer
     * @param maxRetries     retries of a deletion whose store writes failed, before it goes to the DLQ
     * @param initialBackoff wait before the first retry of a deletion, doubled at each retry
     * @param maxBackoff     longest wait between two retries of a deletion
     */
    public record Consumer(@NotNull @Min(1) Integer concurrency, @NotNull @Min(1) Integer prefetch,
            @NotNull @Min(0) Integer maxRetries, @NotNull Duration initialBackoff, @NotNull Duration maxBackoff) {
    }

    /**
     * @param defaultPageSize commits a page without {@code limit}/{@code per_page}
     * @param maxPageSize     largest page
     * @param retryAfter      the {@code Retry-After} of a 202 while a project's first fetch runs
     * @param maxPageOffset   deepest {@code (page - 1) × per_page} by page number (400 beyond it: use the cursor)
     * @param publicBaseUrl   base of the {@code Link} URLs (e.g. {@code https://commits.example.org}); blank: relative links
     * @param listingCacheBytes what listings compute once per fetch of a project and keep — the commits a branch or ref
     *                          reaches, a search matches, a project's people (ADR 0011) — in bytes
     * @param graphCacheBytes commit graphs kept in memory for branch listings (about 40 bytes a commit; ADR 0008)
     * @param commitCacheBytes commits kept in memory for the pages read most, in bytes (about 1 KiB a commit of a short message)
     * @param maxConcurrentScans scans of a project's commits that reads may run at once on an instance (a new search, a
     *                           project's people); a read that finds them all taken past {@code scanWait} gets 503
     * @param scanWait          how long a read waits for a scan slot
     */
    public record Api(@NotNull @Min(1) @Max(100) Integer defaultPageSize, @NotNull @Min(1) @Max(1000) Integer maxPageSize,
            @NotNull Duration retryAfter, @NotNull @Min(0) Integer maxPageOffset,
            @Pattern(regexp = "|https?://[^/?#\\s]+(/[^?#\\s]*)?") String publicBaseUrl, @NotNull @Min(0) Long listingCacheBytes,
            @NotNull @Min(0) Long graphCacheBytes, @NotNull @Min(0) Long commitCacheBytes, @NotNull @Min(1) Integer maxConcurrentScans,
            @NotNull Duration scanWait) {
    }
}
