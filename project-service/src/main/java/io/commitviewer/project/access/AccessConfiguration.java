package io.commitviewer.project.access;

import io.commitviewer.project.config.ProjectServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Who may change what: the API keys, the filter that checks them, and the {@link Caller} of a request. */
@Configuration(proxyBeanMethods = false)
public class AccessConfiguration implements WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AccessConfiguration.class);

    @Bean
    ApiKeys apiKeys(ProjectServiceProperties properties) {
        ProjectServiceProperties.Access access = properties.access();
        ApiKeys keys = ApiKeys.parse(access.keys(), access.keysFile());
        if (keys.open()) {
            log.warn("No API key configured: open mode, anyone who reaches the API may add, refresh and delete projects "
                    + "(set COMMITVIEWER_ACCESS_KEYS or COMMITVIEWER_ACCESS_KEYS_FILE)");
        } else {
            log.info("{} API key(s): adding, refreshing and deleting projects take one", keys.size());
        }
        return keys;
    }

    @Bean
    ApiKeyFilter apiKeyFilter(ApiKeys keys, MeterRegistry meters) {
        return new ApiKeyFilter(keys, meters);
    }

    /** {@code /actuator/info}: {@code access: {mode: open|api-keys, keys: N}}. */
    @Bean
    InfoContributor accessInfo(ApiKeys keys) {
        return builder -> builder.withDetail("access", Map.of("mode", keys.open() ? "open" : "api-keys", "keys", keys.size()));
    }

    /** A controller method's {@link Caller} parameter: the request's, as the filter set it; none is a defect, never "anyone". */
    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter parameter) {
                return parameter.getParameterType() == Caller.class;
            }

            @Override
            public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container, NativeWebRequest request,
                    WebDataBinderFactory binders) {
                Object caller = request.getAttribute(ApiKeyFilter.CALLER, RequestAttributes.SCOPE_REQUEST);
                if (caller instanceof Caller c) {
                    return c;
                }
                throw new IllegalStateException("no caller: the API key filter did not run for " + parameter.getExecutable());
            }
        });
    }
}
