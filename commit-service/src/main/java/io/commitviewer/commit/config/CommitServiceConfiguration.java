package io.commitviewer.commit.config;

import io.commitviewer.amqp.AmqpSupportConfiguration;
import io.commitviewer.commit.commits.CommitErrorBody;
import io.commitviewer.commit.commits.ProjectDirectory;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.git.Git;
import io.commitviewer.common.git.GitSettings;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.support.ApiDocumentation;
import io.commitviewer.support.ConditionalGetFilter;
import io.commitviewer.support.ProcessMemoryMetrics;
import io.commitviewer.support.RequestIdFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.MediaType;

/** Wiring: git, the mirror cache, the store, RabbitMQ topology and consumers. */
@Configuration(proxyBeanMethods = false)
@Import(AmqpSupportConfiguration.class)
class CommitServiceConfiguration {

    /** The OpenAPI document's info block; the version is the build's. */
    @Bean
    OpenAPI openApi(ObjectProvider<BuildProperties> build) {
        return new OpenAPI().info(new Info().title("Commit Viewer: commits")
                .description("Every commit of every branch of a project, newest first, in cursor or numbered pages; "
                        + "one commit; the branches and their tips.")
                .version(build.getIfAvailable() == null ? "dev" : build.getObject().getVersion())
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")));
    }

    @Bean
    RepositoryUrlPolicy repositoryUrlPolicy(CommitServiceProperties properties) {
        return new RepositoryUrlPolicy(AllowedOrigins.parse(properties.git().allowedOrigins()));
    }

    @Bean
    Git git(CommitServiceProperties properties, RepositoryUrlPolicy policy, MeterRegistry meters) {
        return new Git(GitSettings.defaults(policy.allowedOrigins())
                .withExecutable(properties.git().executable())
                .withCommandTimeout(properties.git().fetchTimeout())
                .withMaxMessageBytes(properties.ingest().maxMessageBytes())
                .withDisk(new GitSettings.DiskLimits(properties.cache().maxCloneBytes(), properties.cache().minFreeBytes()))
                .withObserver((command, duration, outcome) -> Timer.builder("commitviewer.git.command.duration")
                        .description("git commands by subcommand and outcome").tag("command", command).tag("outcome", outcome)
                        .publishPercentileHistogram().register(meters).record(duration)));
    }

    @Bean
    ProcessMemoryMetrics processMemoryMetrics() {
        return new ProcessMemoryMetrics();
    }

    @Bean
    RequestIdFilter requestIdFilter() {
        return new RequestIdFilter();
    }

    /** The OpenAPI document's shared parts: problems, headers, common responses. */
    @Bean
    OpenApiCustomizer apiDocumentation() {
        return api -> {
            ApiDocumentation.customizer().customise(api);
            var components = api.getComponents();
            ModelConverters.getInstance().readAll(CommitErrorBody.class).forEach(components::addSchemas);
            components.addResponses("Pending", new ApiResponse().description("The project's first fetch (or its fetch after the "
                    + "store lost it) is queued or running: try again after Retry-After")
                    .addHeaderObject("Retry-After", new Header().$ref(ApiDocumentation.HEADERS + "Retry-After"))
                    .addHeaderObject("Cache-Control", new Header().$ref(ApiDocumentation.HEADERS + "Cache-Control"))
                    .addHeaderObject("X-Request-Id", new Header().$ref(ApiDocumentation.HEADERS + "X-Request-Id"))
                    .content(new Content().addMediaType(MediaType.APPLICATION_JSON_VALUE, new io.swagger.v3.oas.models.media.MediaType()
                            .schema(new Schema<>().$ref("#/components/schemas/CommitErrorBody")))));
            components.addResponses("FetchFailed", ApiDocumentation.problem("The project's first fetch failed "
                    + "(`/problems/fetch-failed`, `reason`: the failure reason); a refresh may succeed if it is retryable. "
                    + "Or a short sha names several commits (`/problems/ambiguous-sha`, `candidates`)"));
            // what every read of a project's commits can answer besides its 200
            Map<String, String> shared = Map.of("202", "Pending", "304", "NotModified", "400", "BadRequest", "404", "NotFound",
                    "409", "FetchFailed", "503", "Unavailable");
            api.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
                shared.forEach((code, name) -> operation.getResponses().putIfAbsent(code,
                        new ApiResponse().$ref(ApiDocumentation.RESPONSES + name)));
                ApiDocumentation.sortResponses(operation);
            }));
        };
    }

    /** ETags, 304s and Cache-Control on the API's reads. */
    @Bean
    ConditionalGetFilter conditionalGetFilter() {
        return new ConditionalGetFilter();
    }

    @Bean
    MirrorCache mirrorCache(Git git, CommitServiceProperties properties, MeterRegistry meters) {
        return new MirrorCache(git, properties.cache().dir(), properties.cache().maxBytes(), properties.cache().maxPacks(), meters);
    }

    /** Bounds every MongoDB call, which bounds how long a failed fetch waits for its last batch (BatchWriter). */
    @Bean
    MongoClientSettingsBuilderCustomizer mongoSocketTimeout(CommitServiceProperties properties) {
        long millis = properties.mongo().socketTimeout().toMillis();
        return settings -> settings.applyToSocketSettings(socket -> socket.readTimeout((int) millis, TimeUnit.MILLISECONDS));
    }

    @Bean
    InstanceName instanceName(CommitServiceProperties properties) {
        return InstanceName.of(properties.shards());
    }

    @Bean
    io.commitviewer.commit.store.StoreClock storeClock(MongoTemplate mongo) {
        return new io.commitviewer.commit.store.StoreClock(mongo.getDb());
    }

    @Bean
    CommitStore commitStore(MongoTemplate mongo) {
        CommitStore store = new CommitStore(mongo.getDb());
        store.createIndexes();
        return store;
    }

    @Bean
    CommitGraphs commitGraphs(CommitStore store, CommitServiceProperties properties) {
        return new CommitGraphs(store, properties.api().graphCacheBytes());
    }

    @Bean
        StoreIdentities storeIdentities(MongoTemplate mongo, CommitStore store) {
        return new StoreIdentities(mongo.getDb(), store);
    }

    @Bean
    ProjectDirectory projectDirectory(CommitServiceProperties properties) {
        CommitServiceProperties.Projects projects = properties.projects();
        return new ProjectDirectory(projects.url(), projects.timeout(), projects.cacheTtl());
    }
}
