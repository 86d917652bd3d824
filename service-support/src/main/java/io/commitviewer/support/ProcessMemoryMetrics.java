package io.commitviewer.support;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, which Micrometer does not report: heap figures miss what the
 * JVM holds outside the heap (metaspace, thread stacks, direct buffers, an in-process database),
 * and RSS is what a container memory limit counts.
 * Exported as {@code process_memory_rss_bytes} and {@code process_memory_rss_peak_bytes}; nothing
 * is registered where {@code /proc/self/status} does not exist.
 */
public final class ProcessMemoryMetrics implements MeterBinder {

    private final Path status;

    public ProcessMemoryMetrics() {
        this(Path.of("/proc/self/status"));
    }

    ProcessMemoryMetrics(Path status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!Files.isReadable(status)) {
            return;
        }
        Gauge.builder("process.memory.rss", this, m -> m.kibibytes("VmRSS:") * 1024.0).baseUnit("bytes")
                .description("Resident set size of the process").register(registry);
        Gauge.builder("process.memory.rss.peak", this, m -> m.kibibytes("VmHWM:") * 1024.0).baseUnit("bytes")
                .description("Peak resident set size of the process since it started").register(registry);
    }

    /** The value of one {@code /proc/self/status} line in kB, NaN when it cannot be read. */
    double kibibytes(String field) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
