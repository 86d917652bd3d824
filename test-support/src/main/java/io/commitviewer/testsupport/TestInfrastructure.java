package io.commitviewer.testsupport;

import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * Where integration tests find PostgreSQL and RabbitMQ: the services named by the environment
 * ({@code scripts/local-infra.sh env}) when set, containers when Docker answers, and otherwise a
 * failure that says what to do. Never a silent skip.
 */
public final class TestInfrastructure {

    public static final String POSTGRES_IMAGE = "postgres:16-alpine";
    public static final String RABBITMQ_IMAGE = "rabbitmq:3.13-management-alpine";

    private static final String HOW_TO = "run `scripts/local-infra.sh up && eval \"$(scripts/local-infra.sh env)\"` "
            + "(or scripts/test.sh, which does it), or make a Docker engine available for Testcontainers";

    private TestInfrastructure() {
    }

    /** How a test reaches PostgreSQL. */
    public record Postgres(String jdbcUrl, String username, String password, String source) {
    }

    /** How a test reaches RabbitMQ. */
    public record RabbitMq(String host, int port, String username, String password, String source) {
    }

    public static boolean environmentProvidesServices() {
        return System.getenv("SPRING_DATASOURCE_URL") != null && System.getenv("SPRING_RABBITMQ_HOST") != null;
    }

    /** True when the tests should start containers: no services given by the environment, Docker answers. */
    public static boolean useContainers() {
        return !environmentProvidesServices() && dockerAvailable();
    }

    /** Fails, saying what to do, when neither the environment nor Docker can provide the services. */
    public static void requireServices() {
        if (!environmentProvidesServices() && !dockerAvailable()) {
            throw new IllegalStateException("No PostgreSQL/RabbitMQ for the integration tests: SPRING_DATASOURCE_URL and "
                    + "SPRING_RABBITMQ_HOST are not set and Docker is not available; " + HOW_TO);
        }
    }

    /**
     * Takes the local broker down and back up (the node stays, connections drop, the port closes)
     * through {@code scripts/local-infra.sh}; for a container use {@code rabbitmqctl} inside it.
     */
    public static void localBroker(boolean up) {
        String script = System.getenv("COMMITVIEWER_LOCAL_INFRA");
        if (script == null) {
            throw new IllegalStateException("COMMITVIEWER_LOCAL_INFRA is not set: " + HOW_TO);
        }
        try {
            Process process = new ProcessBuilder(script, up ? "rabbitmq-start-app" : "rabbitmq-stop-app")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("local-infra.sh failed: " + output);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public static Postgres postgres() {
        Map<String, String> env = System.getenv();
        if (env.get("SPRING_DATASOURCE_URL") != null) {
            return new Postgres(env.get("SPRING_DATASOURCE_URL"), env.getOrDefault("SPRING_DATASOURCE_USERNAME", "postgres"),
                    env.getOrDefault("SPRING_DATASOURCE_PASSWORD", ""), "environment");
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = Containers.POSTGRES.get();
            return new Postgres(container.getJdbcUrl(), container.getUsername(), container.getPassword(), "testcontainers");
        }
        throw new IllegalStateException("No PostgreSQL for the integration tests: SPRING_DATASOURCE_URL is not set and "
                + "Docker is not available; " + HOW_TO);
    }

    public static RabbitMq rabbitMq() {
        Map<String, String> env = System.getenv();
        if (env.get("SPRING_RABBITMQ_HOST") != null) {
            return new RabbitMq(env.get("SPRING_RABBITMQ_HOST"), Integer.parseInt(env.getOrDefault("SPRING_RABBITMQ_PORT", "5672")),
                    env.getOrDefault("SPRING_RABBITMQ_USERNAME", "guest"), env.getOrDefault("SPRING_RABBITMQ_PASSWORD", "guest"),
                    "environment");
        }
        if (dockerAvailable()) {
            RabbitMQContainer container = Containers.RABBITMQ.get();
            return new RabbitMq(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
                    container.getAdminPassword(), "testcontainers");
        }
        throw new IllegalStateException("No RabbitMQ for the integration tests: SPRING_RABBITMQ_HOST is not set and "
                + "Docker is not available; " + HOW_TO);
    }

    /** One container of each kind per test JVM, started on first use and stopped by Testcontainers' reaper. */
    private static final class Containers {
        static final Lazy<PostgreSQLContainer> POSTGRES = new Lazy<>(() -> {
            PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
            container.start();
            return container;
        });
        static final Lazy<RabbitMQContainer> RABBITMQ = new Lazy<>(() -> {
            RabbitMQContainer container = new RabbitMQContainer(RABBITMQ_IMAGE);
            container.start();
            // the exchange type that shards commit-service's work (ADR 0010), bundled but not enabled by default
            try {
                var enabled = container.execInContainer("rabbitmq-plugins", "enable", "rabbitmq_consistent_hash_exchange");
                if (enabled.getExitCode() != 0) {
                    throw new IllegalStateException("rabbitmq-plugins enable failed: " + enabled.getStderr());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return container;
        });
    }

    private static final class Lazy<T> {
        private final java.util.function.Supplier<T> supplier;
        private T value;

        Lazy(java.util.function.Supplier<T> supplier) {
            this.supplier = supplier;
        }

        synchronized T get() {
            if (value == null) {
                value = supplier.get();
            }
            return value;
        }
    }
}
