package io.commitviewer.common.url;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The origins ({@code scheme://host[:port]}) that repositories may be fetched from. The default is
 * {@code https://github.com}; anything else (GitHub Enterprise, a mirror, a loopback test server)
 * has to be configured through {@code commitviewer.git.allowed-origins} /
 * {@code COMMITVIEWER_GIT_ALLOWED_ORIGINS}.
 */
public final class AllowedOrigins {

    public static final String GITHUB = "https://github.com";
    public static final String ENVIRONMENT_VARIABLE = "COMMITVIEWER_GIT_ALLOWED_ORIGINS";
    public static final String PROPERTY = "commitviewer.git.allowed-origins";

    private static final Pattern ORIGIN = Pattern.compile(
            "(https?)://([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|\\[[0-9a-f:.]+\\])(:([1-9][0-9]{0,4}))?");

    /** The prefix that marks an origin as internal: it may resolve to a non-public address. */
    public static final String INTERNAL = "internal:";

    private final List<String> origins;
    private final Set<String> internal;

    private AllowedOrigins(List<String> origins, Set<String> internal) {
        this.origins = List.copyOf(origins);
        this.internal = Set.copyOf(internal);
    }

    public static AllowedOrigins githubOnly() {
        return of(List.of(GITHUB));
    }

    /** Parses a comma-separated list; blank means the default. */
    public static AllowedOrigins parse(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return githubOnly();
        }
        List<String> items = new ArrayList<>();
        for (String item : commaSeparated.split(",")) {
            if (!item.isBlank()) {
                items.add(item);
            }
        }
        return of(items);
    }

    /** Reads {@value #ENVIRONMENT_VARIABLE}, or the default when unset. */
    public static AllowedOrigins fromEnvironment() {
        return parse(System.getenv(ENVIRONMENT_VARIABLE));
    }

    public static AllowedOrigins of(List<String> origins) {
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("at least one allowed origin is required");
        }
        Set<String> normalised = new LinkedHashSet<>();
        Set<String> internal = new LinkedHashSet<>();
        for (String origin : origins) {
            String item = origin.strip();
            boolean isInternal = item.toLowerCase(Locale.ROOT).startsWith(INTERNAL);
            String value = normalise(isInternal ? item.substring(INTERNAL.length()) : item);
            normalised.add(value);
            if (isInternal) {
                internal.add(value);
            }
        }
        return new AllowedOrigins(new ArrayList<>(normalised), internal);
    }

    /** This list plus more origins (which may be marked {@code internal:}). */
    public AllowedOrigins with(List<String> more) {
        List<String> all = new ArrayList<>();
        for (String origin : origins) {
            all.add(internal.contains(origin) ? INTERNAL + origin : origin);
        }
        all.addAll(more);
        return of(all);
    }

    /** True if the allowed {@code origin} is marked internal: it may resolve to non-public addresses. */
    public boolean isInternal(String origin) {
        return internal.contains(origin);
    }

    private static String normalise(String origin) {
        String trimmed = origin.strip();
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        var matcher = ORIGIN.matcher(lower);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("invalid allowed origin '" + origin
                    + "': expected http(s)://host[:port] without path, credentials or query");
        }
        String port = matcher.group(5);
        if (port != null) {
            int value = Integer.parseInt(port);
            if (value > 65535) {
                throw new IllegalArgumentException("invalid port in allowed origin '" + origin + "'");
            }
            if (("https".equals(matcher.group(1)) && value == 443) || ("http".equals(matcher.group(1)) && value == 80)) {
                return matcher.group(1) + "://" + matcher.group(2);
            }
        }
        return lower;
    }

    /** True if {@code scheme://authority} (lower case, default port omitted) is allowed. */
    public boolean allows(String origin) {
        return origins.contains(origin);
    }

    /** True if some allowed origin has this authority ({@code host[:port]}), whatever its scheme. */
    boolean allowsAuthority(String authority) {
        return origins.stream().anyMatch(origin -> authorityOf(origin).equals(authority));
    }

    /** True if some allowed origin has this host, whatever its scheme and port. */
    boolean allowsHost(String host) {
        return origins.stream().anyMatch(origin -> hostOf(authorityOf(origin)).equals(host));
    }

    static String authorityOf(String origin) {
        return origin.substring(origin.indexOf("://") + 3);
    }

    /** The host of {@code host[:port]}, IPv6 literals included. */
    static String hostOf(String authority) {
        int colon = authority.lastIndexOf(':');
        if (colon > 0 && authority.indexOf(']', colon) < 0 && (authority.charAt(0) != '[' || authority.charAt(colon - 1) == ']')) {
            return authority.substring(0, colon);
        }
        return authority;
    }

    public List<String> origins() {
        return Collections.unmodifiableList(origins);
    }

    /** The transports git may use, as {@code GIT_ALLOW_PROTOCOL} expects them. */
    public String gitProtocols() {
        boolean http = origins.stream().anyMatch(o -> o.startsWith("http://"));
        return http ? "https:http" : "https";
    }

    @Override
    public String toString() {
        return String.join(",", origins.stream().map(o -> internal.contains(o) ? INTERNAL + o : o).toList());
    }
}
