package io.commitviewer.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Plain git for fixtures: no user or system configuration, a fixed identity, failures as exceptions. */
public final class GitCli {

    private GitCli() {
    }

    /** Runs git in {@code dir} and returns stdout; throws with stderr if git fails. */
    public static String run(Path dir, String... args) {
        return new String(run(dir, (Input) null, List.of(args)), StandardCharsets.UTF_8);
    }

    /** Runs git with {@code stdin} and returns stdout bytes. */
    public static byte[] run(Path dir, byte[] stdin, List<String> args) {
        return run(dir, stdin == null ? null : out -> out.write(stdin), args);
    }

    /** Runs git, letting {@code input} write its standard input. */
    public static byte[] run(Path dir, Input input, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        configure(builder.environment());
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                if (input != null) {
                    input.write(in);
                }
            }
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("git " + args + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("git " + args + " failed (" + process.exitValue() + "): "
                        + new String(stderr.join(), StandardCharsets.UTF_8));
            }
            return stdout.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An environment free of the caller's git configuration. */
    public static void configure(Map<String, String> env) {
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("LC_ALL", "C");
        env.put("GIT_AUTHOR_NAME", "Fixture");
        env.put("GIT_AUTHOR_EMAIL", "fixture@example.com");
        env.put("GIT_COMMITTER_NAME", "Fixture");
        env.put("GIT_COMMITTER_EMAIL", "fixture@example.com");
        // glibc trims the heap after nearly every object fast-import frees: 3.5x slower without this pad
        env.put("MALLOC_TOP_PAD_", "134217728");
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a process's standard input. */
    @FunctionalInterface
    public interface Input {
        void write(OutputStream stdin) throws IOException;
    }
}
