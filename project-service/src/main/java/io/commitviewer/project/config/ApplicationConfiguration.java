package io.commitviewer.project.config;

import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.support.ProcessMemoryMetrics;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ApplicationConfiguration {

    @Bean
    RepositoryUrlPolicy repositoryUrlPolicy(ProjectServiceProperties properties) {
        return new RepositoryUrlPolicy(AllowedOrigins.parse(properties.git().allowedOrigins()));
    }

    @Bean
    ProcessMemoryMetrics processMemoryMetrics() {
        return new ProcessMemoryMetrics();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
