package io.commitviewer.support;

import io.commitviewer.common.events.Correlation;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every log line of a request carries its id: the {@code X-Request-Id} the gateway sets, or one
 * made up here when it is absent or not a short token. The id goes into the MDC as
 * {@code requestId} and back in the response header; events the request causes carry it on
 * (see {@code MessageTrace}). First of all filters, so that nothing logs without it.
 */
public class RequestIdFilter extends OncePerRequestFilter implements Ordered {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(Correlation.REQUEST_ID_HTTP_HEADER);
        String id = given != null && VALID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        response.setHeader(Correlation.REQUEST_ID_HTTP_HEADER, id);
        try (MDC.MDCCloseable scope = MDC.putCloseable(Correlation.REQUEST_ID, id)) {
            chain.doFilter(request, response);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
