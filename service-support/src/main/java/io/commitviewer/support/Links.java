package io.commitviewer.support;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Links to other pages of the request's resource ({@code Link}, RFC 8288): the request's path and
 * query with some parameters replaced, relative to the request (the client resolves it against the
 * URL it asked for), or under a configured public base URL. Never built from the request's
 * {@code Host} or {@code X-Forwarded-*} headers, which the client chooses.
 */
public final class Links {

    private Links() {
    }

    /**
     * @param publicBaseUrl e.g. {@code https://commits.example.org}; blank: a relative link
     * @param replaced      query parameters to set: name, value, name, value…, in this order
     */
    public static String to(HttpServletRequest request, String publicBaseUrl, Object... replaced) {
        if (replaced.length % 2 != 0) {
            throw new IllegalArgumentException("names and values in pairs");
        }
        UriComponentsBuilder builder = UriComponentsBuilder.fromUriString(
                publicBaseUrl == null || publicBaseUrl.isBlank() ? "" : publicBaseUrl.replaceAll("/+$", ""));
        builder.path(request.getRequestURI()).query(request.getQueryString());
        for (int i = 0; i < replaced.length; i += 2) {
            builder.replaceQueryParam((String) replaced[i], replaced[i + 1]);
        }
        return builder.build().toUriString();
    }

    /** {@code <url>; rel="REL"}. */
    public static String header(String url, String rel) {
        return "<" + url + ">; rel=\"" + rel + "\"";
    }
}
