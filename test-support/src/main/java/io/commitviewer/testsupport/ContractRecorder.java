package io.commitviewer.testsupport;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Records every request to {@code /api/…} and the response the service gave it, as it left the
 * service (outermost filter: after the ETag filter's 304s and the key filter's 401s), for
 * {@link ApiContract}. Event streams are not recorded (a stream is not a body). Register it as a
 * bean in a test configuration; {@link #drain()} takes what was recorded so far.
 */
public class ContractRecorder extends OncePerRequestFilter implements Ordered {

    private static final List<ApiContract.Exchange> RECORDED = new CopyOnWriteArrayList<>();

    /** Everything recorded since the last drain, in this JVM. */
    public static List<ApiContract.Exchange> drain() {
        List<ApiContract.Exchange> taken = new ArrayList<>(RECORDED);
        RECORDED.removeAll(taken);
        return taken;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.startsWith("/api/") || path.endsWith("/events");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
        try {
            chain.doFilter(request, wrapper);
        } finally {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : wrapper.getHeaderNames()) {
                headers.put(name, new ArrayList<>(wrapper.getHeaders(name)));
            }
            RECORDED.add(new ApiContract.Exchange(request.getMethod(), request.getRequestURI(), request.getQueryString(),
                    wrapper.getStatus(), wrapper.getContentType(), headers,
                    new String(wrapper.getContentAsByteArray(), StandardCharsets.UTF_8)));
            wrapper.copyBodyToResponse();
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
