package io.commitviewer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A copy of this checkout where users put theirs and scripts used to break: under a folder only
 * its owner can enter (mode 700, like /root or a {@code mktemp -d} folder), in a path with a
 * space. It holds what {@code scripts/run-local.sh} needs (the scripts, the gateway's routes, the
 * Prometheus files, the web page and the two service jars just built), and its databases and
 * broker run on ports of their own, so that it never meets the checkout the tests run from.
 */
final class PrivateCheckout {

    static final Path SOURCE = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> COPIED = List.of("scripts", "gateway", "prometheus", "alertmanager", "web/dist",
            "project-service/target/project-service.jar", "commit-service/target/commit-service.jar");

    private final Path root;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Path log;

    /**
     * The JVM options of the services these tests start, unless a test gives its own: run-local.sh's
     * heap, and the client compiler only. These tests check behaviour, not speed (bench/ does, with
     * the default compilers): a stack then starts in ~30 s on two cores instead of ~50 s.
     */
    static final String JAVA_OPTS = "-Xmx512m -XX:TieredStopAtLevel=1";

    private PrivateCheckout(Path root, Map<String, String> environment, Path log) {
        this.root = root;
        this.environment.put("COMMITVIEWER_JAVA_OPTS", JAVA_OPTS);
        this.environment.putAll(environment);
        this.log = log;
    }

    /** A copy under a new mode-700 folder, in a sub-folder named {@code name} (spaces welcome). */
    static PrivateCheckout create(String name, Map<String, String> environment, Path log) throws IOException {
        Path folder = Files.createTempDirectory("commit-viewer-private", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path root = folder.resolve(name);
        for (String part : COPIED) {
            copy(SOURCE.resolve(part), root.resolve(part));
        }
        return new PrivateCheckout(root, environment, log);
    }

    /**
     * Messages ready or unacknowledged in each queue (dead-letter queues included), from the
     * management API of the RabbitMQ whose ports {@link #infraPorts} gave.
     */
    static Map<String, Long> queueDepths(Map<String, String> infraPorts) throws IOException, InterruptedException {
        String auth = java.util.Base64.getEncoder().encodeToString("commitviewer:commitviewer".getBytes(StandardCharsets.UTF_8));
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + infraPorts.get("COMMITVIEWER_RABBITMQ_MANAGEMENT_PORT") + "/api/queues"))
                .header("Authorization", "Basic " + auth).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Long> depths = new java.util.TreeMap<>();
        tools.jackson.databind.json.JsonMapper.builder().build().readTree(response.body())
                .forEach(queue -> depths.put(queue.get("name").asString(), queue.path("messages").asLong(0)));
        assertThat(depths).as("the queues").isNotEmpty();
        return depths;
    }

    /** The databases' and broker's ports of a checkout, from a base (PostgreSQL base+432, AMQP base+672, ...). */
    static Map<String, String> infraPorts(int base) {
        return Map.of("COMMITVIEWER_PG_PORT", Integer.toString(base + 432),
                "COMMITVIEWER_RABBITMQ_PORT", Integer.toString(base + 672),
                "COMMITVIEWER_RABBITMQ_MANAGEMENT_PORT", Integer.toString(base + 673),
                "COMMITVIEWER_RABBITMQ_DIST_PORT", Integer.toString(base + 674),
                "COMMITVIEWER_RABBITMQ_PROMETHEUS_PORT", Integer.toString(base + 692),
                "COMMITVIEWER_EPMD_PORT", Integer.toString(base + 369));
    }

    Path root() {
        return root;
    }

    Path stackState() {
        return root.resolve(".local/stack");
    }

    /** Runs a script of this checkout ({@code scripts/NAME args…}); its output is appended to the log and returned. */
    /** A private checkout with the stack of run-local.sh started in it (the test fails if it does not start). */
    static PrivateCheckout startStack(String name, Map<String, String> environment, Path log) throws Exception {
        PrivateCheckout checkout = create(name, environment, log);
        Result up = checkout.run("run-local.sh", "up");
        assertThat(up.exitCode()).as("run-local.sh up: %s", up.output()).isZero();
        return checkout;
    }

    /**
     * The end of a test class's stack, each step taken even if one before it failed: stops what
     * run-local.sh started (nothing, if a test stopped it already), closes the class's git server,
     * keeps the services' logs in {@code logs} (unless null: the checkout goes), drops the
     * databases' data (which may live outside the folder) and deletes the checkout.
     */
    static void tearDown(PrivateCheckout checkout, AutoCloseable server, Path logs) throws Exception {
        try {
            if (checkout != null) {
                checkout.run("run-local.sh", "down");
            }
        } finally {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                if (checkout != null) {
                    if (logs != null) {
                        copyLogs(checkout.stackState(), logs);
                    }
                    checkout.run("local-infra.sh", "clean");
                    deleteQuietly(checkout.root().getParent());
                }
            }
        }
    }

    /** The services' logs, kept for when a test failed (the checkout is deleted). */
    private static void copyLogs(Path stack, Path into) throws IOException {
        if (!Files.isDirectory(stack)) {
            return;
        }
        Files.createDirectories(into);
        try (Stream<Path> logs = Files.list(stack)) {
            for (Path file : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(file, into.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Lifts the gateway's per-client rate limits, which a test that reads as fast as it can would otherwise measure. */
    static void liftGatewayLimits(Map<String, String> environment) {
        for (String limit : List.of("READS_PER_SECOND", "READS_BURST", "WRITES_PER_SECOND", "WRITES_BURST")) {
            environment.put("COMMITVIEWER_GATEWAY_" + limit, "100000");
        }
    }

    /** The SHA-256 of an API key's token, hex: what COMMITVIEWER_ACCESS_KEYS holds (scripts/api-key.sh). */
    static String sha256(String token) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Result run(String script, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("scripts").resolve(script).toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("COMMITVIEWER_") || key.startsWith("SPRING_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("%s %s finished", script, String.join(" ", arguments)).isTrue();
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.write(log, ("$ " + String.join(" ", command) + "\n").getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Files.write(log, output, java.nio.file.StandardOpenOption.APPEND);
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** The processes (pid and command) that carry this checkout as their owner: what its scripts started and still runs. */
    List<String> processes() throws IOException {
        String marker = "COMMITVIEWER_OWNER=" + root;
        List<String> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String environ = new String(Files.readAllBytes(entry.resolve("environ")), StandardCharsets.UTF_8);
                    if (("\0" + environ).contains("\0" + marker + "\0") || environ.startsWith(marker + "\0")) {
                        String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
                        found.add(entry.getFileName() + " " + cmdline.replace('\0', ' ').trim());
                    }
                } catch (IOException | SecurityException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return found;
    }

    record Result(int exitCode, String output) {
    }

    private static void copy(Path from, Path to) throws IOException {
        assertThat(from).as("%s exists (are the service jars built?)", from).exists();
        Files.createDirectories(to.getParent());
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
