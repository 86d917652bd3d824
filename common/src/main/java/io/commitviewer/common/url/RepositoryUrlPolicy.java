package io.commitviewer.common.url;

import io.commitviewer.common.url.InvalidRepositoryUrlException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns what a user typed into a {@link RepositoryUrl}, or refuses it with a {@link Reason}.
 *
 * <p>Accepted: {@code https://host/{owner}/{repo}} with optional {@code .git} and trailing slash,
 * {@code http://} (upgraded to https unless the http origin itself is allowed), the SSH forms
 * {@code git@host:owner/repo.git} and {@code ssh://git@host/owner/repo} (normalised to https),
 * a bare {@code host/owner/repo}, and browser URLs such as {@code /tree/main}. Everything else is
 * refused before any process could see it.
 */
public final class RepositoryUrlPolicy {

    public static final int MAX_LENGTH = 2048;

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}");
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,99}");
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*", Pattern.DOTALL);
    private static final Pattern SCP_LIKE = Pattern.compile("([^@/:]+)@([^/:]+):(.*)", Pattern.DOTALL);
    /** Sections of a GitHub page below a repository, reduced to the repository itself. */
    private static final Set<String> BROWSER_SECTIONS = Set.of(
            "tree", "blob", "commits", "commit", "branches", "tags", "releases", "pulls", "pull", "issues",
            "actions", "wiki", "compare", "network", "graphs", "activity", "discussions", "security",
            "pulse", "projects", "milestones", "labels", "blame", "raw", "archive");

    private final AllowedOrigins allowed;

    public RepositoryUrlPolicy(AllowedOrigins allowed) {
        this.allowed = allowed;
    }

    public static RepositoryUrlPolicy githubOnly() {
        return new RepositoryUrlPolicy(AllowedOrigins.githubOnly());
    }

    public AllowedOrigins allowedOrigins() {
        return allowed;
    }

    public RepositoryUrl parse(String input) {
        if (input == null || input.isBlank()) {
            throw new InvalidRepositoryUrlException(Reason.BLANK, null);
        }
        if (input.length() > MAX_LENGTH) {
            throw new InvalidRepositoryUrlException(Reason.TOO_LONG, null);
        }
        String url = stripAsciiWhitespace(input);
        checkCharacters(url);
        if (url.startsWith("-")) {
            throw new InvalidRepositoryUrlException(Reason.LOOKS_LIKE_OPTION, null);
        }
        if (url.contains("::")) {
            // git's transport-helper syntax ("ext::sh -c ...") runs arbitrary programs
            throw new InvalidRepositoryUrlException(Reason.SCHEME_NOT_ALLOWED, "transport helpers (::) are refused");
        }
        var scheme = SCHEME.matcher(url);
        if (scheme.matches()) {
            return parseWithScheme(scheme.group(1).toLowerCase(Locale.ROOT), url.substring(scheme.group(1).length() + 3));
        }
        var scp = SCP_LIKE.matcher(url);
        if (scp.matches()) {
            return parseScpLike(scp.group(1), scp.group(2), scp.group(3));
        }
        if (url.contains(":")) {
            throw new InvalidRepositoryUrlException(Reason.SCHEME_NOT_ALLOWED, "expected https://");
        }
        // "github.com/owner/repo": accepted when the first segment is an allowed https host
        int slash = url.indexOf('/');
        String host = slash < 0 ? url : url.substring(0, slash);
        if (!allowed.allows("https://" + host.toLowerCase(Locale.ROOT))) {
            throw new InvalidRepositoryUrlException(Reason.HOST_NOT_ALLOWED, describeHost(host));
        }
        return parseWithScheme("https", url);
    }

    private RepositoryUrl parseWithScheme(String scheme, String rest) {
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("ssh")) {
            throw new InvalidRepositoryUrlException(Reason.SCHEME_NOT_ALLOWED, scheme + "://");
        }
        int end = indexOfAny(rest, "/?#");
        String authority = end < 0 ? rest : rest.substring(0, end);
        String afterAuthority = end < 0 ? "" : rest.substring(end);
        if (scheme.equals("ssh")) {
            if (!authority.startsWith("git@") || authority.indexOf('@', 4) >= 0) {
                throw new InvalidRepositoryUrlException(Reason.CREDENTIALS, "ssh URLs must use the user 'git'");
            }
            authority = authority.substring(4);
            if (authority.contains(":")) {
                throw new InvalidRepositoryUrlException(Reason.PORT_NOT_ALLOWED, authority);
            }
            return build(httpsOriginFor(authority), afterAuthority);
        }
        if (authority.contains("@")) {
            throw new InvalidRepositoryUrlException(Reason.CREDENTIALS, null);
        }
        if (authority.isEmpty()) {
            throw new InvalidRepositoryUrlException(Reason.HOST_NOT_ALLOWED, "no host");
        }
        String lowerAuthority = authority.toLowerCase(Locale.ROOT);
        String origin = scheme + "://" + lowerAuthority;
        if (allowed.allows(origin)) {
            return build(origin, afterAuthority);
        }
        if (scheme.equals("http") && allowed.allows("https://" + lowerAuthority)) {
            return build("https://" + lowerAuthority, afterAuthority);
        }
        if (allowed.allowsAuthority(lowerAuthority)) {
            // e.g. https:// to an origin allowed only as http://
            throw new InvalidRepositoryUrlException(Reason.SCHEME_NOT_ALLOWED, scheme + "://" + lowerAuthority);
        }
        String host = AllowedOrigins.hostOf(lowerAuthority);
        if (!host.equals(lowerAuthority) && allowed.allowsHost(host)) {
            throw new InvalidRepositoryUrlException(Reason.PORT_NOT_ALLOWED, lowerAuthority);
        }
        throw new InvalidRepositoryUrlException(Reason.HOST_NOT_ALLOWED, describeHost(authority));
    }

    private RepositoryUrl parseScpLike(String user, String host, String path) {
        if (!user.equals("git")) {
            throw new InvalidRepositoryUrlException(Reason.CREDENTIALS, "ssh URLs must use the user 'git'");
        }
        String origin = httpsOriginFor(host);
        return build(origin, "/" + path);
    }

    /** SSH forms map to the https origin of the same host, which must be allowed. */
    private String httpsOriginFor(String host) {
        String origin = "https://" + host.toLowerCase(Locale.ROOT);
        if (!allowed.allows(origin)) {
            throw new InvalidRepositoryUrlException(Reason.HOST_NOT_ALLOWED, describeHost(host));
        }
        return origin;
    }

    private RepositoryUrl build(String origin, String pathAndMore) {
        if (pathAndMore.indexOf('?') >= 0 || pathAndMore.indexOf('#') >= 0) {
            throw new InvalidRepositoryUrlException(Reason.QUERY_OR_FRAGMENT, null);
        }
        if (pathAndMore.indexOf('%') >= 0) {
            throw new InvalidRepositoryUrlException(Reason.ENCODED_CHARACTERS, null);
        }
        if (pathAndMore.indexOf('\\') >= 0) {
            throw new InvalidRepositoryUrlException(Reason.INVALID_PATH, "backslash");
        }
        String path = pathAndMore.startsWith("/") ? pathAndMore.substring(1) : pathAndMore;
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        List<String> segments = new ArrayList<>(List.of(path.split("/", -1)));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidRepositoryUrlException(Reason.INVALID_PATH, "empty, '.' or '..' segment");
            }
        }
        if (segments.size() < 2) {
            throw new InvalidRepositoryUrlException(Reason.INVALID_PATH, "missing repository name");
        }
        String owner = segments.get(0);
        String repo = segments.get(1);
        boolean dotGit = repo.toLowerCase(Locale.ROOT).endsWith(".git");
        if (dotGit) {
            repo = repo.substring(0, repo.length() - 4);
        }
        if (segments.size() > 2 && (dotGit || !BROWSER_SECTIONS.contains(segments.get(2).toLowerCase(Locale.ROOT)))) {
            throw new InvalidRepositoryUrlException(Reason.INVALID_PATH, "unexpected '/" + segments.get(2) + "'");
        }
        if (!OWNER.matcher(owner).matches()) {
            throw new InvalidRepositoryUrlException(Reason.INVALID_OWNER,
                    "1-39 letters, digits or '-', not starting with '-'");
        }
        if (!REPOSITORY.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
            throw new InvalidRepositoryUrlException(Reason.INVALID_REPOSITORY,
                    "1-100 letters, digits, '.', '_' or '-', not starting with '-'");
        }
        if (repo.toLowerCase(Locale.ROOT).endsWith(".git")) {
            // GitHub refuses such names; and name.git.git would read back as another repository, name.git
            throw new InvalidRepositoryUrlException(Reason.INVALID_REPOSITORY, "a repository name does not end in '.git'");
        }
        return new RepositoryUrl(origin, owner, repo);
    }

    private static void checkCharacters(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                throw new InvalidRepositoryUrlException(Reason.CONTROL_CHARACTERS, "at position " + i);
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                throw new InvalidRepositoryUrlException(Reason.WHITESPACE, "at position " + i);
            }
        }
    }

    private static String stripAsciiWhitespace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isAsciiWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && isAsciiWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isAsciiWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Shows look-alike hosts for what they are (non-ASCII characters escaped). */
    private static String describeHost(String host) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < host.length() && out.length() < 120; i++) {
            char c = host.charAt(i);
            if (c < 0x80) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
