package io.commitviewer.project.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code commitviewer.*}; their defaults are in {@code application.yml}. Numbers are
 * boxed so that the configuration metadata shows no made-up default of 0.
 *
 * @param git     which repositories are accepted
 * @param api     the projects API
 * @param fetch   fetch requests
 * @param outbox  the outbox relay (ADR 0002)
 * @param results consumption of commit-service's result events
 * @param access    who may change projects
 * @param quotas    what one API key may do
 * @param admission when new fetches are refused for everyone
 * @param events    the projects' event streams ({@code GET /api/projects/{id}/events})
 */
@Validated
@ConfigurationProperties("commitviewer")
public record ProjectServiceProperties(@Valid @NotNull Git git, @Valid @NotNull Api api, @Valid @NotNull Fetch fetch,
        @Valid @NotNull Outbox outbox, @Valid @NotNull Results results, @Valid @NotNull Access access,
        @Valid @NotNull Quotas quotas, @Valid @NotNull Admission admission, @Valid @NotNull Events events) {

    /**
     * @param maxStreams   event streams open at once on this instance (503 beyond)
     * @param pollInterval how often the watched projects are read (so at most this often an event per stream)
     * @param heartbeat    a comment this often keeps proxies from closing an idle stream
     * @param maxDuration  a stream is closed after this long (the client reconnects with {@code Last-Event-ID})
     * @param maxStreamsPerClient event streams one client address may hold open at once on this instance (429 beyond)
     * @param slowClientCutoff a stream whose client has not taken a write for this long is dropped (its slot freed)
     */
    public record Events(@NotNull @Min(1) Integer maxStreams, @NotNull Duration pollInterval, @NotNull Duration heartbeat,
            @NotNull Duration maxDuration, @NotNull @Min(1) Integer maxStreamsPerClient, @NotNull Duration slowClientCutoff) {
    }

    /**
     * @param keys     API keys, {@code name:sha256-hex[:admin]} separated by commas; none (and no file): open mode
     * @param keysFile a file of such entries, one a line ({@code #} comments), e.g. a mounted secret
     */
    public record Access(String keys, java.nio.file.Path keysFile) {
    }

    /**
     * What one API key may do; 429 with {@code Retry-After} beyond it. Nothing in the open mode.
     *
     * @param projectsPerKey         projects a key may have added and not deleted
     * @param refreshesPerKeyPerHour refreshes a key may ask for in any hour
     * @param concurrentFetchesPerKey fetches of a key's requests queued or running at once
     * @param createsPerKeyPerHour   projects a key may add in any hour, those it deleted since included (each is a clone)
     */
    public record Quotas(@NotNull @Min(1) Integer projectsPerKey, @NotNull @Min(1) Integer refreshesPerKeyPerHour,
            @NotNull @Min(1) Integer concurrentFetchesPerKey, @NotNull @Min(1) Integer createsPerKeyPerHour) {
    }

    /**
     * Admission for everyone: beyond either bound new projects and refreshes answer 503 with
     * {@code Retry-After}, instead of queueing without end.
     *
     * @param maxQueuedFetches fetches queued and not started by commit-service
     * @param maxOutboxBacklog events not yet confirmed by the broker
     * @param retryAfter       the {@code Retry-After} of such an answer
     * @param countInterval    how often the queued fetches are counted (not at every request)
     */
    public record Admission(@NotNull @Min(1) Integer maxQueuedFetches, @NotNull @Min(1) Integer maxOutboxBacklog,
            @NotNull Duration retryAfter, @NotNull Duration countInterval) {
    }

    /** @param allowedOrigins comma list of origins ({@code scheme://host[:port]}) repositories may come from */
    public record Git(@NotBlank String allowedOrigins) {
    }

    /**
     * @param maxRequestBytes request bodies over this are refused with 413
     * @param defaultPageSize projects a page without {@code limit}
     * @param maxPageSize     largest page
     * @param publicBaseUrl   base of the {@code Link} URLs (e.g. {@code https://commits.example.org}); blank: relative links
     */
    public record Api(@NotNull @Min(256) Integer maxRequestBytes, @NotNull @Min(1) @Max(100) Integer defaultPageSize,
            @NotNull @Min(1) @Max(1000) Integer maxPageSize,
            @jakarta.validation.constraints.Pattern(regexp = "|https?://[^/?#\\s]+(/[^?#\\s]*)?") String publicBaseUrl) {
    }

    /**
     * @param staleAfter         a fetch queued or running longer than this no longer blocks a refresh
     * @param minRefreshInterval a refresh this soon after the last fetch ended queues nothing (200 with {@code Retry-After})
     */
    public record Fetch(@NotNull Duration staleAfter, @NotNull Duration minRefreshInterval) {
    }

    /**
     * The outbox relay; how long it waits for a confirm is {@code commitviewer.amqp.confirm-timeout}.
     *
     * @param pollInterval how often the relay looks for due events when nothing wakes it
     * @param coalesce     after a wake-up, how long to gather more commits into the same batch
     * @param batchSize    events claimed and published at once
     * @param maxBackoff   longest wait between two attempts to publish one event
     */
    public record Outbox(@NotNull Duration pollInterval, @NotNull Duration coalesce, @NotNull @Min(1) Integer batchSize,
            @NotNull Duration maxBackoff) {
    }

    /**
     * Retries of a result event that failed for a transient reason, before it goes to the DLQ.
     *
     * @param maxRetries     retries in the consumer
     * @param initialBackoff wait before the first retry, doubled at each retry
     * @param maxBackoff     longest wait between two retries
     */
    public record Results(@NotNull @Min(0) Integer maxRetries, @NotNull Duration initialBackoff, @NotNull Duration maxBackoff) {
    }
}
