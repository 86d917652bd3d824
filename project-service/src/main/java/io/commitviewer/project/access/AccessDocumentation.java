package io.commitviewer.project.access;

import io.commitviewer.support.ApiDocumentation;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The projects API's own parts of its OpenAPI document: the Location headers, the API key scheme writes take
 * ({@code Authorization: Bearer cv_…}, required once keys are configured, see {@link ApiKeyFilter})
 * and the responses only its writes give (401, 403, 413, 415, 429 over a key's quota).
 */
public final class AccessDocumentation {

    /** The security scheme's name, which write operations require (or nothing, in the open mode). */
    public static final String SCHEME = "apiKey";

    private AccessDocumentation() {
    }

    public static OpenApiCustomizer customizer() {
        return AccessDocumentation::customize;
    }

    static void customize(OpenAPI api) {
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.setComponents(components);
        ApiDocumentation.header(components, "Location", "The project's address",
                new StringSchema().example("/api/projects/3f2b8a4e-1c2d-4e5f-9a0b-1c2d3e4f5a6b"));
        ApiDocumentation.header(components, "Content-Location", "The project's own address",
                new StringSchema().example("/api/projects/3f2b8a4e-1c2d-4e5f-9a0b-1c2d3e4f5a6b"));
        components.addSecuritySchemes(SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key (`scripts/api-key.sh NAME` makes one). Writes need one once the service has keys "
                        + "configured; in the open mode (no keys) none. Reads never do."));
        if (api.getPaths() != null) {
            // writes take a key once keys are configured, none in the open mode: either requirement is met
            api.getPaths().values().stream().flatMap(path -> path.readOperations().stream())
                    .filter(operation -> operation.getSecurity() != null
                            && operation.getSecurity().stream().anyMatch(requirement -> requirement.containsKey(SCHEME)))
                    .forEach(operation -> operation.addSecurityItem(new io.swagger.v3.oas.models.security.SecurityRequirement()));
        }
        components.addResponses("Unauthorized", ApiDocumentation.problem("No API key, or not a key of this service "
                + "(`/problems/unauthorized`)").addHeaderObject("WWW-Authenticate", new Header()
                        .description("`Bearer realm=\"commit-viewer\"`, with `error=\"invalid_token\"` for a key that is not one")
                        .schema(new StringSchema())));
        components.addResponses("Forbidden", ApiDocumentation.problem("Only the key that added the project, or an admin key, "
                + "may delete it (`/problems/forbidden`)"));
        components.addResponses("PayloadTooLarge", ApiDocumentation.problem("The body is larger than the service accepts "
                + "(`/problems/payload-too-large`)"));
        components.addResponses("UnsupportedMediaType", ApiDocumentation.problem("The body is not application/json "
                + "(`/problems/unsupported-media-type`)"));
        components.addResponses("QuotaExceeded", ApiDocumentation.problem("The key's quota (`/problems/quota-exceeded`, with "
                + "`limit` and `value`), or the gateway's rate limit for this address (`/problems/rate-limited`)")
                .addHeaderObject("Retry-After", new Header().$ref(ApiDocumentation.HEADERS + "Retry-After")));
    }
}
