package io.commitviewer.common.git;

import io.commitviewer.common.url.RepositoryUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The git CLI, hardened. Repositories are kept as mirrors: bare, treeless partial clones
 * ({@code --filter=tree:0}) of {@code refs/heads/*} and {@code refs/tags/*}, refreshed incrementally.
 */
public final class Git {

    private final GitProcess process;

    public Git(GitSettings settings) {
        this.process = new GitProcess(settings);
    }

    public GitSettings settings() {
        return process.settings();
    }

    /** The git version string, e.g. {@code git version 2.39.5}; fails if git cannot run. */
    public String version() {
        return process.run(null, List.of("version")).strip();
    }

    /**
     * Clones a new mirror into {@code dir}, which must not exist. The clone goes to a sibling
     * folder first and is moved into place when complete, so a half-cloned mirror is never seen.
     */
    public Mirror cloneMirror(RepositoryUrl url, Path dir) {
        return cloneMirror(url, dir, true);
    }

    /** {@link #cloneMirror(RepositoryUrl, Path)}; with {@code tags} false, its branches only (a later fetch takes the tags). */
    public Mirror cloneMirror(RepositoryUrl url, Path dir, boolean tags) {
        Path parent = dir.toAbsolutePath().getParent();
        Path staging = parent.resolve(dir.getFileName() + ".cloning-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            Files.createDirectories(parent);
            process.runRemote(parent, url, List.of("clone", "--bare", "--quiet", "--no-tags", "--filter=tree:0",
                    "--", url.cloneUrl(), staging.toString()), DiskGuard.forClone(process.settings().disk(), staging));
            // no fetch refspec is configured: every fetch of a mirror names its own (Mirror.fetch)
            if (tags) {
                new Mirror(process, staging, url).fetch(); // the tags: cloned apart, as a clone cannot take a lightweight tag on a tree
            }
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalStateException("a mirror appeared at " + dir + " while cloning", e);
            }
            return new Mirror(process, dir, url);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            FileTrees.deleteQuietly(staging);
        }
    }

    /**
     * A shallow, treeless clone of every branch's newest {@code depth} generations into
     * {@code dir}, which must not exist: what a first look at a history needs, in a fraction of
     * the whole clone's time ({@code git clone --depth --no-single-branch}). Its boundary commits'
     * parents are read from the commits themselves ({@link Mirror#forEachCommit(CommitSink)} does).
     */
    public Mirror shallowClone(RepositoryUrl url, Path dir, int depth) {
        Path parent = dir.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process.runRemote(parent, url, List.of("clone", "--bare", "--quiet", "--no-tags", "--filter=tree:0", "--depth=" + depth,
                "--no-single-branch", "--", url.cloneUrl(), dir.toString()), DiskGuard.forClone(process.settings().disk(), dir));
        return new Mirror(process, dir, url);
    }

    /**
     * Brings the mirror at {@code dir} up to date: fetches incrementally when a usable mirror of
     * {@code url} is there, clones afresh otherwise (none yet, or a broken or foreign one).
     */
    public MirrorUpdate update(RepositoryUrl url, Path dir) {
        return update(url, dir, true);
    }

    /**
     * {@link #update(RepositoryUrl, Path)}; with {@code tags} false the branches alone are fetched
     * (what a listing of the branches needs: the CLI without {@code --ref}), the tags left as they are.
     */
    public MirrorUpdate update(RepositoryUrl url, Path dir, boolean tags) {
        if (Files.isDirectory(dir)) {
            Mirror existing = new Mirror(process, dir, url);
            if (existing.isUsable()) {
                List<Branch> before = existing.branches();
                try {
                    existing.fetch(tags);
                    return new MirrorUpdate(existing, before, existing.branches(), false);
                } catch (GitException e) {
                    if (e.reason() != FailureReason.GIT_ERROR) {
                        throw e; // the remote's answer: a new clone would get the same
                    }
                    // a local failure, e.g. lock files left by a git killed at a timeout: start afresh
                }
            }
            FileTrees.deleteQuietly(dir);
        }
        Mirror mirror = cloneMirror(url, dir, tags);
        return new MirrorUpdate(mirror, List.of(), mirror.branches(), true);
    }

    /** Opens an existing mirror without touching the network. */
    public Mirror open(RepositoryUrl url, Path dir) {
        return new Mirror(process, dir, url);
    }
}
