package io.commitviewer.project.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys that may change projects, as SHA-256 hashes of the tokens (a token is 32 random
 * bytes: a hash without salt is enough, nothing can be guessed from it), each with a name that
 * logs and metrics show. None configured: the open mode, where anyone may change anything.
 *
 * <p>Configured as entries {@code name:sha256-hex} or {@code name:sha256-hex:admin}, separated by
 * commas or new lines, from {@code commitviewer.access.keys} and the file
 * {@code commitviewer.access.keys-file} (a secret mounted by the deployment); {@code #} starts a
 * comment in the file. {@code scripts/api-key.sh NAME} makes a token and its entry.
 */
public final class ApiKeys {

    /** One key: the name it is known by, and whether it may change every project (not only its own). */
    public record Key(String name, boolean admin) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private record Entry(byte[] hash, Key key) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Keys from the inline entries and the file (either may be blank); refuses a malformed entry with its line. */
    public static ApiKeys parse(String inline, Path file) {
        List<String> lines = new ArrayList<>();
        if (inline != null) {
            lines.addAll(List.of(inline.split("[,\\n]")));
        }
        if (file != null && !file.toString().isBlank()) {
            try {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the API keys file " + file, e);
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(":");
            boolean admin = parts.length == 3 && parts[2].equals("admin");
            if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !admin) || !NAME.matcher(parts[0]).matches()
                    || !HASH.matcher(parts[1]).matches()) {
                throw new IllegalArgumentException("an API key entry is not name:sha256-hex[:admin] (64 lower-case hex digits): "
                        + line.replaceAll("[0-9a-f]{16,}", "…"));
            }
            if (entries.stream().anyMatch(e -> e.key().name().equals(parts[0]))) {
                throw new IllegalArgumentException("two API keys are named " + parts[0]);
            }
            entries.add(new Entry(HexFormat.of().parseHex(parts[1]), new Key(parts[0], admin)));
        }
        return new ApiKeys(entries);
    }

    /** No key configured: anyone may add, refresh and delete projects. */
    public boolean open() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The key a token belongs to; compared in constant time, whatever the token. */
    public Optional<Key> authenticate(String token) {
        byte[] hash = sha256(token);
        Key found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), hash)) {
                found = entry.key();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The hex SHA-256 of a token, as configured. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
