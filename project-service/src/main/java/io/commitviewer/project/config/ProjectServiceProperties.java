package io.commitviewer.project.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Settings under {@code commitviewer.*}. */
@Validated
@ConfigurationProperties("commitviewer")
public record ProjectServiceProperties(@Valid @NotNull Git git, @Valid @NotNull Api api, @Valid @NotNull Fetch fetch,
        @Valid @NotNull Outbox outbox, @Valid @NotNull Results results) {

    /** @param allowedOrigins comma list of origins repositories may come from */
    public record Git(@NotBlank String allowedOrigins) {
    }

    /** @param maxRequestBytes request bodies over this are refused with 413 */
    public record Api(@Min(256) int maxRequestBytes, @Min(1) @Max(100) int defaultPageSize, @Min(1) @Max(1000) int maxPageSize) {
    }

    /** @param staleAfter a fetch queued or running longer than this no longer blocks a refresh */
    public record Fetch(@NotNull Duration staleAfter) {
    }

    /**
     * @param pollInterval   how often the relay looks for due events when nothing wakes it
     * @param coalesce       after a wake-up, how long to gather more commits into the same batch
     * @param confirmTimeout how long to wait for the broker's confirms of a batch
     * @param maxBackoff     longest wait between two attempts to publish one event
     */
    public record Outbox(@NotNull Duration pollInterval, @NotNull Duration coalesce, @Min(1) int batchSize,
            @NotNull Duration confirmTimeout, @NotNull Duration maxBackoff) {
    }

    /** Retries of a result event that failed for a transient reason, before it goes to the DLQ. */
    public record Results(@Min(0) int maxRetries, @NotNull Duration initialBackoff, @NotNull Duration maxBackoff) {
    }
}
