package io.commitviewer.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The role compose gives project-service (postgres/initdb/10-commit-viewer.sh, run as the
 * superuser on an empty volume) migrates and runs the schema, and can do nothing else: no
 * superuser, no databases, no roles. Runs the script itself against the test PostgreSQL.
 */
class DatabaseRoleIT {

    private final String url = env("SPRING_DATASOURCE_URL");
    private final String host = url.replaceFirst("jdbc:postgresql://([^:/]+).*", "$1");
    private final String port = url.replaceFirst("jdbc:postgresql://[^:/]+:(\\d+).*", "$1");

    private static String env(String name) {
        String value = System.getenv(name);
        assertThat(value).as("%s (scripts/local-infra.sh env sets it)", name).isNotBlank();
        return value;
    }

    private Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    @Test
    void projectServicesRoleOwnsItsDatabaseAndNothingMore() throws Exception {
        String superuser = env("COMMITVIEWER_PG_SUPERUSER");
        String superPassword = env("COMMITVIEWER_PG_SUPERUSER_PASSWORD");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String role = "cv_role_" + suffix;
        String database = "cv_db_" + suffix;
        try {
            ProcessBuilder script = new ProcessBuilder("sh", Path.of("../postgres/initdb/10-commit-viewer.sh").toString())
                    .redirectErrorStream(true);
            script.environment().putAll(Map.of("POSTGRES_USER", superuser, "PGPASSWORD", superPassword, "PGHOST", host,
                    "PGPORT", port, "COMMITVIEWER_DB_USER", role, "COMMITVIEWER_DB_PASSWORD", "role-secret-" + suffix,
                    "COMMITVIEWER_DB_NAME", database));
            Process process = script.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as(output).isZero();

            String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database;
            var migrated = Flyway.configure().dataSource(jdbc, role, "role-secret-" + suffix).load().migrate();
            assertThat(migrated.success).isTrue();
            assertThat(migrated.migrationsExecuted).isGreaterThanOrEqualTo(4);

            try (Connection connection = connect(database, role, "role-secret-" + suffix);
                    Statement statement = connection.createStatement()) {
                assertThat(statement.executeUpdate("INSERT INTO outbox (event_id, event_type, payload, created_at, next_attempt_at) "
                        + "VALUES (gen_random_uuid(), 'fetch.requested', '{}', now(), now())")).isEqualTo(1);
                assertThat(statement.executeUpdate("DELETE FROM outbox")).isEqualTo(1);
                var attributes = statement.executeQuery("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user");
                attributes.next();
                assertThat(attributes.getBoolean(1)).as("superuser").isFalse();
                assertThat(attributes.getBoolean(2)).as("may create databases").isFalse();
                assertThat(attributes.getBoolean(3)).as("may create roles").isFalse();
                assertThatThrownBy(() -> statement.execute("CREATE DATABASE cv_not_allowed_" + suffix)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> statement.execute("CREATE ROLE cv_not_allowed_" + suffix)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> statement.execute("COPY (SELECT 1) TO PROGRAM 'true'")).isInstanceOf(SQLException.class);
            }
        } finally {
            try (Connection admin = connect("postgres", superuser, superPassword); Statement statement = admin.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                statement.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }
}
