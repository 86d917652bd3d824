package io.commitviewer.commit.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Settings under {@code commitviewer.*}. */
@Validated
@ConfigurationProperties("commitviewer")
public record CommitServiceProperties(@Valid @NotNull Mongo mongo, @Valid @NotNull Git git, @Valid @NotNull Cache cache,
        @Valid @NotNull Ingest ingest, @Valid @NotNull Consumer consumer, @Valid @NotNull Api api) {

    /**
     * @param embedded      the MongoDB stand-in: {@code none} (a real MongoDB), {@code memory} or {@code h2} (file)
     * @param socketTimeout longest wait for one answer from MongoDB, so that no write outlives the fetch that made it
     */
    public record Mongo(@NotNull Embedded embedded, @NotNull Path embeddedFile, @NotNull Duration socketTimeout) {
        public enum Embedded { none, memory, h2 }
    }

    public record Git(@NotBlank String allowedOrigins, @NotBlank String executable, @NotNull Duration fetchTimeout) {
    }

    /** Mirrors live under {@code dir}; beyond {@code maxBytes} the least recently used are evicted. */
    public record Cache(@NotNull Path dir, @Min(1) long maxBytes) {
    }

    public record Ingest(@Min(1) @Max(100_000) int batchSize, @Min(1) long maxCommits, @Min(64) int maxMessageBytes) {
    }

    public record Consumer(@Min(1) int concurrency, @Min(1) int prefetch, @Min(0) int maxRetries,
            @NotNull Duration initialBackoff, @NotNull Duration maxBackoff) {
    }

    public record Api(@Min(1) @Max(100) int defaultPageSize, @Min(1) @Max(1000) int maxPageSize, @NotNull Duration retryAfter) {
    }
}
