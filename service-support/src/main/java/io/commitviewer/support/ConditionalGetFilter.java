package io.commitviewer.support;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.ShallowEtagHeaderFilter;

/**
 * Conditional reads of the API: every successful {@code GET} under {@code /api/} carries an
 * {@code ETag} — the handler's own if it set one (commit pages make theirs from what the served
 * fetch shows, before reading anything: ADR 0013), else computed from the body — and a request
 * whose {@code If-None-Match} names it (weak comparison, so the gateway's gzip, which weakens tags,
 * keeps them matching) gets {@code 304} without the body. A tag changes exactly when the body would: a page's changes only when a fetch
 * changed what it shows. Responses marked {@code Cache-Control: no-store} (a 202 while the first
 * fetch runs) and streams ({@code …/events}) get none. Runs after the request id filter.
 *
 * <p>{@code Cache-Control} is {@link #DEFAULT} unless the handler sets its own: the same answer
 * for every client (reads need no key), which a cache may keep but must check again with the tag
 * before each use, since the next fetch may change it at any moment.
 */
public class ConditionalGetFilter extends ShallowEtagHeaderFilter implements Ordered {

    public static final String DEFAULT = "public, no-cache";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader(HttpHeaders.CACHE_CONTROL, DEFAULT);
        super.doFilterInternal(request, response, chain);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String method = request.getMethod();
        String path = request.getRequestURI();
        return !("GET".equals(method) || "HEAD".equals(method)) || !path.startsWith("/api/") || path.endsWith("/events");
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
