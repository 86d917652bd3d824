package io.commitviewer.commit.mirror;

import io.commitviewer.common.git.FileTrees;
import io.commitviewer.common.git.Git;
import io.commitviewer.common.git.Mirror;
import io.commitviewer.common.git.MirrorUpdate;
import io.commitviewer.common.url.RepositoryUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One treeless mirror per repository under the cache folder, used by one fetch at a time (a lock
 * per repository), bounded in size: after each use the least recently used mirrors are deleted
 * until the cache fits, never one that is in use. Each mirror's size is known (measured after each
 * use, not the whole cache walked), and after each use its packs are combined geometrically once
 * there are more than {@code maxPacks} ({@link Mirror#repack}), on a thread of its own under the
 * mirror's lock, so that neither the fetch's result waits for it nor a busy mirror — the most
 * recently used, never evicted — grows in packs, fetch time and log time with every refresh.
 */
public class MirrorCache {

    private static final Logger log = LoggerFactory.getLogger(MirrorCache.class);
    private static final String LAST_USED = "commit-viewer-last-used";

    private final Git git;
    private final Path root;
    private final long maxBytes;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong size = new AtomicLong();
    /** Each mirror's bytes as last measured; {@link #size} is their sum. */
    private final ConcurrentHashMap<Path, Long> sizes = new ConcurrentHashMap<>();
    private final Counter evictions;
    private final Counter repacks;
    private final int maxPacks;
    private final ExecutorService upkeep = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mirror-upkeep");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Future<?> lastUpkeep = CompletableFuture.completedFuture(null);

    public MirrorCache(Git git, Path root, long maxBytes, int maxPacks, MeterRegistry meters) {
        this.git = git;
        this.root = root.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.maxPacks = maxPacks;
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the mirror cache " + root, e);
        }
        this.evictions = Counter.builder("commitviewer.mirror.cache.evictions").description("Mirrors deleted to bound the cache")
                .register(meters);
        this.repacks = Counter.builder("commitviewer.mirror.repacks").description("Mirrors whose packs were combined")
                .register(meters);
        Gauge.builder("commitviewer.mirror.cache.size", size, AtomicLong::get).baseUnit("bytes")
                .description("Bytes used by the mirror cache").register(meters);
        removeAbandonedClones();
        for (Path mirror : mirrors()) {
            measure(mirror);
        }
    }

    /** Every mirror folder of the cache. */
    private List<Path> mirrors() {
        List<Path> mirrors = new ArrayList<>();
        try (var walk = Files.find(root, 3, (path, attributes) -> attributes.isDirectory() && path.toString().endsWith(".git"))) {
            walk.forEach(mirrors::add);
        } catch (IOException e) {
            log.warn("Cannot list the mirror cache: {}", e.getMessage());
        }
        return mirrors;
    }

    /** Measures one mirror (gone: 0) and keeps the cache's total in step. */
    private long measure(Path mirror) {
        long bytes = Files.isDirectory(mirror) ? FileTrees.size(mirror) : 0;
        Long before = bytes == 0 ? sizes.remove(mirror) : sizes.put(mirror, bytes);
        size.addAndGet(bytes - (before == null ? 0 : before));
        return bytes;
    }

    /**
     * Clones in progress live in {@code *.cloning-*} folders until complete; a process killed
     * meanwhile leaves them behind, and nothing else would ever delete them. None can be in
     * progress before this cache is first used.
     */
    private void removeAbandonedClones() {
        try (var walk = Files.find(root, 3, (path, attributes) -> attributes.isDirectory()
                && path.getFileName().toString().contains(".git.cloning-"))) {
            walk.toList().forEach(abandoned -> {
                log.info("Removing the abandoned clone {}", root.relativize(abandoned));
                FileTrees.deleteQuietly(abandoned);
            });
        } catch (IOException e) {
            log.warn("Cannot look for abandoned clones in {}: {}", root, e.getMessage());
        }
    }

    public Path root() {
        return root;
    }

    /** {@code root/host[_port]/owner/name.git}, lower case. */
    public Path dirOf(RepositoryUrl url) {
        return root.resolve(url.authority().replace(':', '_').replace('[', '_').replace(']', '_'))
                .resolve(url.owner().toLowerCase(Locale.ROOT))
                .resolve(url.name().toLowerCase(Locale.ROOT) + ".git");
    }

    /**
     * Updates (or clones) the repository's mirror and runs {@code work} on it while holding the
     * repository's lock; then bounds the cache.
     */
    public <T> T withMirror(RepositoryUrl url, Function<MirrorUpdate, T> work) {
        Path dir = dirOf(url);
        ReentrantLock lock = locks.computeIfAbsent(dir, d -> new ReentrantLock());
        lock.lock();
        MirrorUpdate update = null;
        try {
            update = git.update(url, dir);
            touch(dir);
            return work.apply(update);
        } finally {
            measure(dir);
            lock.unlock();
            evictIfNeeded();
            if (update != null && Files.isDirectory(dir)) {
                Mirror mirror = update.mirror();
                lastUpkeep = upkeep.submit(() -> upkeep(mirror, lock));
            }
        }
    }

    /**
     * Runs {@code work} on a shallow clone of the repository's newest {@code depth} generations
     * ({@link Git#shallowClone}), in a folder of its own that is removed afterwards — also at the next
     * start, if this process dies meanwhile (its name is that of a clone in progress). No lock: it
     * never touches the repository's mirror.
     */
    public <T> T withShallowClone(RepositoryUrl url, int depth, Function<Mirror, T> work) {
        Path dir = root.resolve(".shallow").resolve(java.util.UUID.randomUUID() + ".git.cloning-shallow"); // no host is named so
        try {
            return work.apply(git.shallowClone(url, dir, depth));
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    /** Combines the mirror's packs if there are too many; a failure only leaves them for the next time. */
    private void upkeep(Mirror mirror, ReentrantLock lock) {
        lock.lock();
        try {
            if (!Files.isDirectory(mirror.dir())) {
                return; // deleted or evicted meanwhile
            }
            long start = System.nanoTime();
            Mirror.Repack repack = mirror.repack(maxPacks);
            if (repack.done()) {
                repacks.increment();
                log.info("Repacked mirror {}: {} packs to {} in {} ms", root.relativize(mirror.dir()), repack.before(), repack.after(),
                        Duration.ofNanos(System.nanoTime() - start).toMillis());
                measure(mirror.dir());
            }
        } catch (RuntimeException e) {
            log.warn("Could not repack mirror {}: {}", root.relativize(mirror.dir()), e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the upkeep the last use of a mirror started (tests). */
    void awaitUpkeep() throws Exception {
        lastUpkeep.get();
    }

    /** Deletes the repository's mirror (its project was deleted). */
    public void delete(RepositoryUrl url) {
        Path dir = dirOf(url);
        ReentrantLock lock = locks.computeIfAbsent(dir, d -> new ReentrantLock());
        lock.lock();
        try {
            FileTrees.deleteQuietly(dir);
        } finally {
            measure(dir);
            lock.unlock();
        }
    }

    private static void touch(Path dir) {
        try {
            Path marker = dir.resolve(LAST_USED);
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            Files.setLastModifiedTime(marker, FileTime.from(Instant.now()));
        } catch (IOException e) {
            log.debug("Cannot mark {} as used: {}", dir, e.getMessage());
        }
    }

    private synchronized void evictIfNeeded() {
        if (size.get() <= maxBytes) {
            return;
        }
        List<Path> mirrors = new ArrayList<>(sizes.keySet());
        mirrors.sort(Comparator.comparing(MirrorCache::lastUsed));
        for (Path mirror : mirrors) {
            if (size.get() <= maxBytes) {
                break;
            }
            ReentrantLock lock = locks.computeIfAbsent(mirror, d -> new ReentrantLock());
            if (!lock.tryLock()) {
                continue; // in use
            }
            try {
                long bytes = sizes.getOrDefault(mirror, 0L);
                FileTrees.deleteQuietly(mirror);
                measure(mirror);
                evictions.increment();
                log.info("Evicted mirror {} ({} bytes) to keep the cache under {} bytes", root.relativize(mirror), bytes, maxBytes);
            } finally {
                lock.unlock();
            }
        }
    }

    private static FileTime lastUsed(Path mirror) {
        try {
            return Files.getLastModifiedTime(mirror.resolve(LAST_USED));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
