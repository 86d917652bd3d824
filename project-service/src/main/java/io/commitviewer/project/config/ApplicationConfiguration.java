package io.commitviewer.project.config;

import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.support.ProcessMemoryMetrics;
import io.commitviewer.project.access.AccessDocumentation;
import io.commitviewer.support.ApiDocumentation;
import io.commitviewer.support.ConditionalGetFilter;
import org.springdoc.core.customizers.OpenApiCustomizer;
import io.commitviewer.support.RequestIdFilter;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
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
    RequestIdFilter requestIdFilter() {
        return new RequestIdFilter();
    }

    /** The OpenAPI document's shared parts (problems, headers, common responses) and the API key scheme. */
    @Bean
    OpenApiCustomizer apiDocumentation() {
        return api -> {
            ApiDocumentation.customizer().customise(api);
            AccessDocumentation.customizer().customise(api);
        };
    }

    /** ETags, 304s and Cache-Control on the API's reads. */
    @Bean
    ConditionalGetFilter conditionalGetFilter() {
        return new ConditionalGetFilter();
    }

    /** The OpenAPI document's info block; the version is the build's. */
    @Bean
    OpenAPI openApi(ObjectProvider<BuildProperties> build) {
        return new OpenAPI().info(new Info().title("Commit Viewer: projects")
                .description("Add a repository by its URL, follow its fetches, refresh and delete it. "
                        + "A project's commits and branches are served by the commits API under the same paths.")
                .version(build.getIfAvailable() == null ? "dev" : build.getObject().getVersion())
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")));
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
