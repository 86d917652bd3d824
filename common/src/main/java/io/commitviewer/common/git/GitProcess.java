package io.commitviewer.common.git;

import io.commitviewer.common.url.OriginAddresses;
import io.commitviewer.common.url.RepositoryUrl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one git command the safe way: an argument list (never a shell), a hardened environment,
 * stderr captured for classification, and a deadline after which the whole process tree is killed.
 */
final class GitProcess {

    /** stderr kept for classification; git's messages that matter are short. */
    private static final int STDERR_LIMIT = 64 * 1024;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long GUARD_INTERVAL_MS = 500;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            task -> daemon(task, "git-watchdog"));
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(
            task -> daemon(task, "git-stderr-" + THREADS.incrementAndGet()));

    private final GitSettings settings;
    private final Path home;

    GitProcess(GitSettings settings) {
        this.settings = settings;
        this.home = EmptyHome.path();
    }

    GitSettings settings() {
        return settings;
    }

    /** Reads a command's standard output as it is produced. */
    @FunctionalInterface
    interface OutputReader<T> {
        T read(InputStream stdout) throws Exception;
    }

    /**
     * Runs a git command that talks to {@code url}'s server: its host is resolved and checked
     * first, and git is pinned to the addresses checked ({@link OriginAddresses}).
     */
    String runRemote(Path workDir, RepositoryUrl url, List<String> args, Supplier<GitException> guard) {
        return runRemote(workDir, url, args, null, guard);
    }

    /** As above, with {@code stdin} given to git (null: none). */
    String runRemote(Path workDir, RepositoryUrl url, List<String> args, byte[] stdin, Supplier<GitException> guard) {
        String pin = OriginAddresses.pin(url, settings.allowedOrigins(), OriginAddresses.SYSTEM);
        List<String> pinned = new ArrayList<>();
        if (pin != null) {
            pinned.addAll(List.of("-c", "http.curloptResolve=" + pin));
        }
        pinned.addAll(args);
        return stream(workDir, pinned, stdin, settings.commandTimeout(), guard, GitProcess::text);
    }

    private static String text(InputStream out) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        out.transferTo(buffer);
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** git's subcommand in {@code args}, past any leading {@code -c key=value}. */
    static String subcommand(List<String> args) {
        int i = 0;
        while (i + 1 < args.size() && args.get(i).equals("-c")) {
            i += 2;
        }
        return args.get(i);
    }

    /** Runs git and returns its standard output as text. */
    String run(Path workDir, List<String> args) {
        return stream(workDir, args, null, settings.commandTimeout(), GitProcess::text);
    }

    /**
     * Runs git, hands its standard output to {@code reader}, and fails with a classified
     * {@link GitException} if git fails or the deadline passes. If the reader returns before the
     * end of the output (it wants no more), the process tree is killed and that is not an error.
     */
    <T> T stream(Path workDir, List<String> args, byte[] stdin, Duration timeout, OutputReader<T> reader) {
        return stream(workDir, args, stdin, timeout, null, reader);
    }

    /** As above, with {@code guard} asked every half second: what it returns stops git and is thrown. */
    <T> T stream(Path workDir, List<String> args, byte[] stdin, Duration timeout, Supplier<GitException> guard,
            OutputReader<T> reader) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            return execute(workDir, args, stdin, GitDeadline.cap(timeout, subcommand(args)), guard, reader);
        } catch (GitException e) {
            outcome = e.reason().name();
            throw e;
        } catch (RuntimeException e) {
            outcome = "error";
            throw e;
        } finally {
            settings.observer().finished(subcommand(args), Duration.ofNanos(System.nanoTime() - start), outcome);
        }
    }

    private <T> T execute(Path workDir, List<String> args, byte[] stdin, Duration timeout, Supplier<GitException> guard,
            OutputReader<T> reader) {
        GitException early = guard == null ? null : guard.get();
        if (early != null) {
            throw early; // asked before git starts too: a short command could end between two checks
        }
        List<String> command = command(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        environment(builder.environment());
        if (!NETWORK_COMMANDS.contains(subcommand(args))) {
            // a treeless mirror is a partial clone: without this, asking about an object it lacks (a served tip the
            // mirror never saw) makes git fetch it from the remote, one round trip per object (issue 23, finding 9)
            builder.environment().put("GIT_NO_LAZY_FETCH", "1");
        }
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new GitException(FailureReason.GIT_ERROR, "cannot start " + settings.executable() + ": " + e.getMessage(), e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            ProcessTree.kill(process);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        AtomicReference<GitException> stopped = new AtomicReference<>();
        ScheduledFuture<?> guarding = guard == null ? null : WATCHDOG.scheduleWithFixedDelay(() -> {
            GitException stop = guard.get();
            if (stop != null && stopped.compareAndSet(null, stop)) {
                ProcessTree.kill(process);
            }
        }, GUARD_INTERVAL_MS, GUARD_INTERVAL_MS, TimeUnit.MILLISECONDS);
        Future<String> stderr = PUMPS.submit(() -> readLimited(process.getErrorStream()));
        boolean stoppedEarly = false;
        T result;
        try {
            if (stdin != null) {
                writeStdin(process, stdin);
            }
            try (InputStream out = process.getInputStream()) {
                result = reader.read(out);
                stoppedEarly = out.read() != -1;
            }
        } catch (Exception e) {
            ProcessTree.kill(process);
            if (stopped.get() != null) {
                throw stopped.get();
            }
            if (timedOut.get()) {
                throw timeout(args, timeout);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new GitException(FailureReason.GIT_ERROR, "reading git output failed: " + e.getMessage(), e);
        } finally {
            watchdog.cancel(false);
            if (guarding != null) {
                guarding.cancel(false); // git's output is closed: it has ended, or is ending
            }
        }
        if (stoppedEarly) {
            ProcessTree.kill(process);
            return result;
        }
        int exit = waitFor(process, timedOut);
        if (stopped.get() != null) {
            throw stopped.get();
        }
        if (timedOut.get()) {
            throw timeout(args, timeout);
        }
        if (exit != 0) {
            String message = stderrText(stderr);
            FailureReason reason = GitFailures.classify(message);
            throw new GitException(reason, GitFailures.summary(message));
        }
        GitException late = guard == null ? null : guard.get();
        if (late != null) {
            throw late; // and after it ends: a short command may have finished between two checks
        }
        return result;
    }

    /** A git that exits before reading its input closes the pipe; its exit status then says why. */
    private static void writeStdin(Process process, byte[] stdin) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException ignored) {
            // broken pipe: reported through the exit status and stderr below
        }
    }

    private static int waitFor(Process process, AtomicBoolean timedOut) {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                // output closed but the process lingers: a child holding our pipes went away, the parent did not
                timedOut.set(true);
                ProcessTree.kill(process);
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessTree.kill(process);
            throw new GitException(FailureReason.GIT_ERROR, "interrupted while waiting for git");
        }
    }

    private static GitException timeout(List<String> args, Duration timeout) {
        return new GitException(FailureReason.TIMEOUT,
                "git " + subcommand(args) + " did not finish within " + human(timeout));
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String stderrText(Future<String> stderr) {
        try {
            return stderr.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
    }

    private static String readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            int room = STDERR_LIMIT - kept.size();
            if (room > 0) {
                kept.write(buffer, 0, Math.min(room, n));
            }
        }
        return kept.toString(StandardCharsets.UTF_8);
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(settings.executable());
        // configuration that no repository or user file may override
        config(command, "credential.helper", "");
        config(command, "core.askPass", "");
        config(command, "core.hooksPath", "/dev/null");
        config(command, "protocol.version", "2");
        config(command, "http.lowSpeedLimit", Integer.toString(settings.lowSpeedLimitBytes()));
        config(command, "http.lowSpeedTime", Long.toString(Math.max(1, settings.lowSpeedTime().toSeconds())));
        config(command, "http.followRedirects", "false");
        // a mirror is never repacked or maintained behind the service's back (the cache owns its size)
        config(command, "gc.auto", "0");
        config(command, "maintenance.auto", "false");
        config(command, "gc.autoDetach", "false");
        config(command, "maintenance.autoDetach", "false");
        config(command, "core.fsmonitor", "false");
        command.addAll(args);
        return command;
    }

    private static void config(List<String> command, String key, String value) {
        command.add("-c");
        command.add(key + "=" + value);
    }

    /** The commands that talk to the remote; every other one works on what the repository holds. */
    private static final java.util.Set<String> NETWORK_COMMANDS = java.util.Set.of("clone", "fetch", "ls-remote");

    private void environment(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("LC_ALL", "C");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_ALLOW_PROTOCOL", settings.allowedOrigins().gitProtocols());
        env.put("GIT_NO_REPLACE_OBJECTS", "1");
        env.put("GIT_OPTIONAL_LOCKS", "0");
        env.put("GIT_HTTP_USER_AGENT", "commit-viewer");
        env.put("GIT_SSH_COMMAND", "false");
        // git flushes after every commit when writing to a pipe; fully buffered output is 40% faster
        env.put("GIT_FLUSH", "0");
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** An empty directory used as HOME so that no user configuration or credentials apply. */
    private static final class EmptyHome {
        private static final Path PATH = create();

        static Path path() {
            return PATH;
        }

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("commit-viewer-git-home-");
                dir.toFile().deleteOnExit();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create an empty HOME for git", e);
            }
        }
    }
}
