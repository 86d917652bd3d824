package io.commitviewer.cli;

import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.FileTrees;
import io.commitviewer.common.git.Git;
import io.commitviewer.common.git.GitException;
import io.commitviewer.common.git.GitSettings;
import io.commitviewer.common.git.LogFilter;
import io.commitviewer.common.git.MirrorUpdate;
import io.commitviewer.common.git.RefNames;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code commit-viewer}: lists the commits of a git repository straight from git, no services. */
@Command(name = "commit-viewer", mixinStandardHelpOptions = true, versionProvider = CommitViewerCli.Version.class,
        subcommands = CommitViewerCli.ListCommits.class, usageHelpWidth = 100,
        description = "Lists every commit of every branch of a GitHub repository, straight from git.",
        footer = {"", "Run 'commit-viewer list-commits --help' for the options of list-commits."})
public final class CommitViewerCli implements Callable<Integer> {

    static final int OK = 0;
    static final int USAGE = 2;
    static final int NOT_FOUND_OR_DENIED = 3;
    static final int TIMEOUT_OR_UNREACHABLE = 4;
    static final int GIT_FAILURE = 5;

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        System.exit(run(args, stdout, System.err, System.getenv()));
    }

    /** Runs the command line; returns the exit code. */
    static int run(String[] args, OutputStream stdout, PrintStream stderr, Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new CommitViewerCli(), new Factory(stdout, stderr, env));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setErr(new java.io.PrintWriter(stderr, true));
        commandLine.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(stdout, java.nio.charset.StandardCharsets.UTF_8), true));
        commandLine.setParameterExceptionHandler((e, a) -> {
            stderr.println("commit-viewer: " + e.getMessage());
            stderr.println("Try 'commit-viewer " + (e.getCommandLine().getCommandName().equals("commit-viewer") ? "" : e.getCommandLine().getCommandName() + " ") + "--help'.");
            return USAGE;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USAGE;
    }

    @Command(name = "list-commits", mixinStandardHelpOptions = true, versionProvider = CommitViewerCli.Version.class,
            sortOptions = false,
            usageHelpWidth = 100,
            description = {
                "Prints every commit reachable from any branch of a repository, or those a filter selects.",
                "%nNewest first (git's reverse chronological order by committer date), each with sha, parents, "
                        + "author{name,email,date}, committer{name,email,date} and message. Dates are ISO 8601 "
                        + "with the offset they were recorded in.",
                "%n<url> is a GitHub repository: https://github.com/OWNER/REPO with or without .git, a browser URL "
                        + "(/tree/main, /commits/...), git@github.com:OWNER/REPO.git or github.com/OWNER/REPO. "
                        + "Other hosts must be allowed with --allow-origin or COMMITVIEWER_GIT_ALLOWED_ORIGINS. "
                        + "Credentials, ports, file://, ext:: and anything git would read as an option are refused "
                        + "before any process starts.",
                "%nOnly commits are downloaded (a treeless partial clone), never file contents.", ""},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:every commit was listed",
                "2:usage error or URL refused (no process was started)",
                "3:repository not found, or private (access denied)",
                "4:timed out, or the server could not be reached",
                "5:any other git failure"},
            footerHeading = "%nEnvironment:%n",
            footer = {
                "  COMMITVIEWER_GIT_ALLOWED_ORIGINS  comma list of origins besides https://github.com,",
                "                                    e.g. https://github.com,http://127.0.0.1:18080",
                "  COMMITVIEWER_GIT_EXECUTABLE       the git binary (default: git on PATH)",
                "",
                "Examples:",
                "  commit-viewer list-commits https://github.com/octocat/Hello-World",
                "  commit-viewer list-commits --format table --limit 20 git@github.com:octocat/Hello-World.git",
                "  commit-viewer list-commits --format table --author ada --grep fix --since 2024-01-01 URL",
                "  commit-viewer list-commits --ref 7fd1a60 -n 10 URL",
                "  commit-viewer list-commits --ref v2.1.0 --grep fix URL",
                "  commit-viewer list-commits --cache-dir ~/.cache/commit-viewer --format ndjson URL | jq .sha"})
    static final class ListCommits implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<url>", description = "The repository.")
        String url;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
                description = "json (one array, default), ndjson (one object per line) or table.")
        OutputFormat format;

        @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "Print at most N commits.")
        Long limit;

        @Option(names = "--branch", paramLabel = "B", description = "That branch's history alone (git log B).")
        String branch;

        @Option(names = "--ref", paramLabel = "R",
                description = "The history of a branch, a tag or a commit sha, full or short (git log R: a tag wins over a branch of its name).")
        String ref;

        @Option(names = "--author", paramLabel = "A",
                description = "Commits whose author (Name <email>) contains A, ASCII letters in either case (git log -i -F --author=A).")
        String author;

        @Option(names = "--committer", paramLabel = "C", description = "Commits whose committer contains C, as --author.")
        String committer;

        @Option(names = "--grep", paramLabel = "T",
                description = "Commits whose message contains T, as --author; repeatable: all must match (git's --all-match).")
        List<String> grep = new ArrayList<>();

        @Option(names = "--since", paramLabel = "D",
                description = "Commits committed at or after D: an ISO 8601 date-time (2024-01-31T12:00:00Z) or a date (its start, UTC).")
        String since;

        @Option(names = "--until", paramLabel = "D", description = "Commits committed at or before D: a date-time, or a date (its end, UTC).")
        String until;

        @Option(names = "--cache-dir", paramLabel = "DIR",
                description = "Keep the mirror in DIR and refresh it incrementally next time. Without it a temporary folder is used and removed.")
        Path cacheDir;

        @Option(names = "--allow-origin", paramLabel = "ORIGIN",
                description = "Also allow this origin (scheme://host[:port]); repeatable.")
        List<String> allowOrigins = new ArrayList<>();

        @Option(names = {"-q", "--quiet"},
                description = "No progress line on stderr (shown only when stderr is a terminal: bin/commit-viewer tells).")
        boolean quiet;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
                description = "Give up on any git command after this many seconds (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        private final OutputStream stdout;
        private final PrintStream stderr;
        private final Map<String, String> env;

        ListCommits(OutputStream stdout, PrintStream stderr, Map<String, String> env) {
            this.stdout = stdout;
            this.stderr = stderr;
            this.env = env;
        }

        @Override
        public Integer call() {
            if (limit != null && limit < 0) {
                return fail(USAGE, "--limit must be 0 or more");
            }
            if (timeoutSeconds < 1) {
                return fail(USAGE, "--timeout must be at least 1 second");
            }
            if (branch != null && ref != null) {
                return fail(USAGE, "use --branch or --ref, not both");
            }
            LogFilter filter;
            java.time.Instant from;
            java.time.Instant to;
            try {
                for (String[] named : new String[][] {{"--branch", branch}, {"--ref", ref}}) {
                    if (named[1] != null) {
                        String name = named[0];
                        RefNames.problemWith(named[1]).ifPresent(why -> {
                            throw new IllegalArgumentException(name + " is not a ref name: " + why);
                        });
                    }
                }
                filter = new LogFilter(branch != null ? "refs/heads/" + branch : ref, author, committer, grep);
                from = instant("--since", since, false);
                to = instant("--until", until, true);
            } catch (IllegalArgumentException e) {
                return fail(USAGE, e.getMessage());
            }
            if (from != null && to != null && from.isAfter(to)) {
                return fail(USAGE, "--since is after --until");
            }
            RepositoryUrl repository;
            AllowedOrigins origins;
            try {
                origins = AllowedOrigins.parse(env.get(AllowedOrigins.ENVIRONMENT_VARIABLE)).with(allowOrigins);
                repository = new RepositoryUrlPolicy(origins).parse(url);
            } catch (InvalidRepositoryUrlException e) {
                return fail(USAGE, "refused URL: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                return fail(USAGE, e.getMessage());
            }
            GitSettings settings = GitSettings.defaults(origins)
                    .withExecutable(env.getOrDefault("COMMITVIEWER_GIT_EXECUTABLE", "git"))
                    .withCommandTimeout(Duration.ofSeconds(timeoutSeconds));
            Path temporary = null;
            try {
                Path root = cacheDir;
                if (root == null) {
                    temporary = Files.createTempDirectory("commit-viewer-");
                    Path toDelete = temporary;
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTrees.deleteQuietly(toDelete)));
                    root = temporary;
                }
                return list(new Git(settings), repository, mirrorDir(root, repository), filter, from, to);
            } catch (GitException e) {
                return fail(exitCode(e.reason()), describe(e.reason()) + ": " + e.getMessage());
            } catch (IOException e) {
                return fail(GIT_FAILURE, e.getMessage());
            } finally {
                FileTrees.deleteQuietly(temporary);
            }
        }

        /** An ISO 8601 date-time, or a date: its first instant (UTC), or with {@code end} its last. */
        static java.time.Instant instant(String option, String value, boolean end) {
            if (value == null) {
                return null;
            }
            try {
                return java.time.OffsetDateTime.parse(value).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                try {
                    java.time.LocalDate day = java.time.LocalDate.parse(value);
                    return end ? day.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().minusMillis(1)
                            : day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                } catch (java.time.format.DateTimeParseException again) {
                    throw new IllegalArgumentException(option + " must be an ISO 8601 date-time or date, e.g. 2024-01-31T12:00:00Z or 2024-01-31");
                }
            }
        }

        private int list(Git git, RepositoryUrl repository, Path dir, LogFilter filter, java.time.Instant from, java.time.Instant to)
                throws IOException {
            Files.createDirectories(dir.getParent());
            // one process at a time per mirror: a second CLI on the same cache waits for the first
            try (FileChannel lockFile = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                Progress progress = Progress.on(stderr, !quiet && "1".equals(env.get(Progress.TERMINAL)));
                progress.show((Files.isDirectory(dir) ? "fetching " : "cloning ") + repository.canonical() + " …");
                MirrorUpdate update;
                try {
                    update = git.update(repository, dir, ref != null); // the tags only when --ref may name one
                } catch (RuntimeException e) {
                    progress.clear();
                    throw e;
                }
                if (filter.revision() != null && update.mirror().commitOf(filter.revision()).isEmpty()) {
                    progress.clear();
                    String what = branch != null ? "no branch " + branch : "no branch, tag or single commit named " + ref;
                    return fail(NOT_FOUND_OR_DENIED, what + " in " + repository.canonical());
                }
                progress.show("listing commits …");
                boolean sameTerminal = "1".equals(env.get(Progress.OUTPUT_TERMINAL));
                long max = limit == null ? Long.MAX_VALUE : limit;
                long[] written = {0};
                boolean[] outputClosed = {false};
                try (CommitWriter writer = CommitWriter.create(format, stdout)) {
                    if (max > 0) {
                        update.mirror().forEachCommit(filter, commit -> {
                            java.time.Instant committed = commit.committer().date().toInstant();
                            if ((from != null && committed.isBefore(from)) || (to != null && committed.isAfter(to))) {
                                return true; // git's --since stops at the first older commit; the API's range does not
                            }
                            try {
                                if (sameTerminal && written[0] == 0) {
                                    progress.stop(); // the commits are shown where the line is
                                }
                                writer.write(commit);
                            } catch (IOException e) {
                                outputClosed[0] = true; // e.g. piped into head: stop quietly
                                return false;
                            }
                            progress.count(++written[0]);
                            return written[0] < max;
                        });
                    }
                } catch (IOException e) {
                    outputClosed[0] = true;
                } finally {
                    progress.clear();
                }
                if (!outputClosed[0]) {
                    stdout.flush();
                }
                return OK;
            }
        }

        /** {@code DIR/host[_port]/owner/repo.git}, lower case: one mirror per repository whatever its spelling. */
        static Path mirrorDir(Path root, RepositoryUrl repository) {
            return root.resolve(repository.authority().replace(':', '_').replace('[', '_').replace(']', '_'))
                    .resolve(repository.owner().toLowerCase(Locale.ROOT))
                    .resolve(repository.name().toLowerCase(Locale.ROOT) + ".git");
        }

        private int fail(int code, String message) {
            stderr.println("commit-viewer: " + message);
            stderr.flush();
            return code;
        }

        static int exitCode(FailureReason reason) {
            return switch (reason) {
                case REPOSITORY_NOT_FOUND, ACCESS_DENIED -> NOT_FOUND_OR_DENIED;
                case TIMEOUT, UNREACHABLE, RATE_LIMITED -> TIMEOUT_OR_UNREACHABLE;
                case TOO_LARGE, GIT_ERROR, INTERNAL, INVALID_REPOSITORY, DISK_FULL, PROJECT_DELETED -> GIT_FAILURE;
                case INVALID_URL -> USAGE;
            };
        }

        private static String describe(FailureReason reason) {
            return switch (reason) {
                case REPOSITORY_NOT_FOUND -> "repository not found";
                case ACCESS_DENIED -> "access denied (private repository?)";
                case TIMEOUT -> "timed out";
                case UNREACHABLE -> "server unreachable";
                case TOO_LARGE -> "repository too large";
                case GIT_ERROR -> "git failed";
                case INTERNAL -> "internal error";
                case INVALID_URL -> "URL refused";
                case INVALID_REPOSITORY -> "the repository's content cannot be read as commits";
                case DISK_FULL -> "the disk is full";
                case RATE_LIMITED -> "the server limits requests (HTTP 429); try again later";
                case PROJECT_DELETED -> "the project was deleted"; // the services' only: git never says it
            };
        }
    }

    /** Builds commands with the streams and environment of this run. */
    private record Factory(OutputStream stdout, PrintStream stderr, Map<String, String> env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == ListCommits.class) {
                return type.cast(new ListCommits(stdout, stderr, env));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CommitViewerCli.class.getPackage().getImplementationVersion();
            return new String[] {"commit-viewer " + (version == null ? "development build" : version)};
        }
    }
}
