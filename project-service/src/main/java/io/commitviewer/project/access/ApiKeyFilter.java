package io.commitviewer.project.access;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads stay anonymous; adding, refreshing and deleting projects take an API key
 * ({@code Authorization: Bearer <token>}) unless none is configured (the open mode). A request
 * without one, or with one that is not a key, is refused with 401 (problem+json and
 * {@code WWW-Authenticate}); a known key becomes the request's {@link Caller}, named in the log
 * context ({@code apiKey}) and in {@code commitviewer_api_key_requests_total{key}}.
 */
public class ApiKeyFilter extends OncePerRequestFilter implements Ordered {

    /** The request attribute that holds the {@link Caller}. */
    public static final String CALLER = Caller.class.getName();
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final MeterRegistry meters;

    public ApiKeyFilter(ApiKeys keys, MeterRegistry meters) {
        this.keys = keys;
        this.meters = meters;
    }

    /**
     * Every write, whatever its path: the API's only writes are the projects', and matching their
     * path here could miss a spelling the handler mapping still accepts ({@code /api/projects;x=1}).
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !WRITES.contains(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (keys.open()) {
            request.setAttribute(CALLER, Caller.ANYONE);
            meters.counter("commitviewer.api.key.requests", "key", Caller.ANYONE.label()).increment();
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(response, null, "adding, refreshing and deleting projects takes an API key: Authorization: Bearer <key>");
            return;
        }
        Optional<ApiKeys.Key> key = keys.authenticate(header.substring(BEARER.length()).strip());
        if (key.isEmpty()) {
            refuse(response, "invalid_token", "the API key is not one of this service's keys");
            return;
        }
        Caller caller = new Caller(key.get().name(), key.get().admin());
        request.setAttribute(CALLER, caller);
        meters.counter("commitviewer.api.key.requests", "key", caller.label()).increment();
        try (MDC.MDCCloseable scope = MDC.putCloseable("apiKey", caller.label())) {
            chain.doFilter(request, response);
        }
    }

    private void refuse(HttpServletResponse response, String error, String detail) throws IOException {
        meters.counter("commitviewer.api.key.requests", "key", "refused").increment();
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"commit-viewer\"" + (error == null ? "" : ", error=\"" + error + "\""));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(("{\"type\":\"/problems/unauthorized\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** After the request id, before the body size limit: a refusal costs nothing and is logged with its id. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
