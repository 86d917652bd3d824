package io.commitviewer.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryMetricsTests {

    @TempDir
    Path dir;

    @Test
    void reportsResidentAndPeakMemoryInBytes() throws IOException {
        Path status = Files.writeString(dir.resolve("status"),
                "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  400000 kB\nVmRSS:\t  300000 kB\nThreads:\t40\n");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        new ProcessMemoryMetrics(status).bindTo(registry);

        assertThat(registry.get("process.memory.rss").gauge().value()).isEqualTo(300000 * 1024.0);
        assertThat(registry.get("process.memory.rss.peak").gauge().value()).isEqualTo(400000 * 1024.0);
    }

    @Test
    void registersNothingWithoutProcStatus() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        new ProcessMemoryMetrics(dir.resolve("missing")).bindTo(registry);

        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void readsThisProcessOnLinux() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        new ProcessMemoryMetrics().bindTo(registry);

        assertThat(registry.get("process.memory.rss").gauge().value()).isGreaterThan(10 * 1024 * 1024);
    }
}
