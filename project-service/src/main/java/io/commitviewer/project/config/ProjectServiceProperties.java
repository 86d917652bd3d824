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
 */
@Validated
@ConfigurationProperties("commitviewer")
public record ProjectServiceProperties(@Valid @NotNull Git git, @Valid @NotNull Api api, @Valid @NotNull Fetch fetch,
        @Valid @NotNull Outbox outbox, @Valid @NotNull Results results) {

    /** @param allowedOrigins comma list of origins ({@code scheme://host[:port]}) repositories may come from */
    public record Git(@NotBlank String allowedOrigins) {
    }

    /**
     * @param maxRequestBytes request bodies over this are refused with 413
     * @param defaultPageSize projects a page without {@code limit}
     * @param maxPageSize     largest page
     */
    public record Api(@NotNull @Min(256) Integer maxRequestBytes, @NotNull @Min(1) @Max(100) Integer defaultPageSize,
            @NotNull @Min(1) @Max(1000) Integer maxPageSize) {
    }

    /** @param staleAfter a fetch queued or running longer than this no longer blocks a refresh */
    public record Fetch(@NotNull Duration staleAfter) {
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
