package io.commitviewer.project.project;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** {@code commitviewer.projects{status}}: projects by status, counted every 15 s rather than at every scrape. */
@Component
class ProjectMetrics {

    private final Projects projects;
    private final Map<ProjectStatus, AtomicLong> counts = new EnumMap<>(ProjectStatus.class);

    ProjectMetrics(Projects projects, MeterRegistry meters) {
        this.projects = projects;
        for (ProjectStatus status : ProjectStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("commitviewer.projects", count, AtomicLong::get).tag("status", status.name())
                    .description("Projects by the status of their latest fetch").register(meters);
        }
    }

    @Scheduled(fixedDelayString = "${commitviewer.metrics.refresh-interval:15s}", initialDelay = 0)
    void refresh() {
        Map<ProjectStatus, Long> fresh = new EnumMap<>(ProjectStatus.class);
        for (Object[] row : projects.countByStatus()) {
            fresh.put((ProjectStatus) row[0], ((Number) row[1]).longValue());
        }
        counts.forEach((status, count) -> count.set(fresh.getOrDefault(status, 0L)));
    }
}
