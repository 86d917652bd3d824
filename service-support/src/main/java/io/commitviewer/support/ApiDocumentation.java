package io.commitviewer.support;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * What both services' OpenAPI documents share, so that a client generator can trust them: the
 * problem body every error has ({@code application/problem+json}, RFC 9457), the headers the API
 * sends (ETag, Cache-Control, Retry-After, Link, X-Request-Id), the
 * responses every operation can give (304 to a conditional read, 429 from the gateway's rate
 * limits, 500, 503), a relative server, and {@code security: []} on each operation that declares
 * none (reads need no key). Operations reference these as {@code #/components/…/NAME}.
 */
public final class ApiDocumentation {

    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String RESPONSES = "#/components/responses/";
    public static final String HEADERS = "#/components/headers/";

    private ApiDocumentation() {
    }

    public static OpenApiCustomizer customizer() {
        return ApiDocumentation::customize;
    }

    static void customize(OpenAPI api) {
        api.setServers(List.of(new Server().url("/").description("The gateway (or the service itself): paths are absolute")));
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.setComponents(components);
        components.addSchemas("Problem", problemSchema());
        header(components, "ETag", "The response's tag: send it back in If-None-Match to get 304 while it has not changed",
                new StringSchema().example("\"0a1b2c3d4e5f\""));
        header(components, "Cache-Control", "What a cache may keep and for how long", new StringSchema().example("public, no-cache"));
        header(components, "Retry-After", "Seconds to wait before asking again", new IntegerSchema().minimum(java.math.BigDecimal.ONE));
        header(components, "Link", "RFC 8288 links to other pages (rel next, and for numbered pages first, prev, last)",
                new StringSchema().example("</api/projects/…/commits?cursor=…&limit=50>; rel=\"next\""));
        header(components, "X-Request-Id", "The request's id, in every log line it caused (sent back as received, or made up)",
                new StringSchema());
        components.addResponses("NotModified", new ApiResponse().description("Not modified: the If-None-Match tag is current (no body)")
                .addHeaderObject("ETag", ref("ETag")).addHeaderObject("Cache-Control", ref("Cache-Control"))
                .addHeaderObject("X-Request-Id", ref("X-Request-Id")));
        components.addResponses("BadRequest", problem("Invalid request: parameters, cursor or body (`type` says which)"));
        components.addResponses("NotFound", problem("No such resource (`type` says which)"));
        components.addResponses("TooManyRequests", problem("The gateway's rate limit for this address (`/problems/rate-limited`)")
                .addHeaderObject("Retry-After", ref("Retry-After")));
        components.addResponses("InternalError", problem("Our side failed; logged with the request id, no details given"));
        components.addResponses("Unavailable", problem("A dependency does not answer, or an admission bound is reached; try again after Retry-After")
                .addHeaderObject("Retry-After", ref("Retry-After")));
        if (api.getPaths() == null) {
            return;
        }
        for (PathItem path : api.getPaths().values()) {
            for (Operation operation : path.readOperations()) {
                if (operation.getSecurity() == null) {
                    operation.setSecurity(List.of()); // reads: no key
                }
                ApiResponses responses = operation.getResponses();
                responses.putIfAbsent("429", new ApiResponse().$ref(RESPONSES + "TooManyRequests"));
                responses.putIfAbsent("500", new ApiResponse().$ref(RESPONSES + "InternalError"));
                sortResponses(operation);
                responses = operation.getResponses();
                for (ApiResponse response : responses.values()) {
                    if (response.get$ref() == null) {
                        response.addHeaderObject("X-Request-Id", ref("X-Request-Id"));
                        // springdoc gives a referenced header a style, which a $ref may not have beside it
                        response.getHeaders().values().stream().filter(header -> header.get$ref() != null)
                                .forEach(header -> header.setStyle(null));
                    }
                }
            }
        }
    }

    /** Puts an operation's responses in the order of their codes (a stable document, whatever order they were added in). */
    public static void sortResponses(Operation operation) {
        ApiResponses sorted = new ApiResponses();
        operation.getResponses().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> sorted.addApiResponse(entry.getKey(), entry.getValue()));
        operation.setResponses(sorted);
    }

    private static Header ref(String name) {
        return new Header().$ref(HEADERS + name);
    }

    /** Adds a header to the components, for operations to reference as {@link #HEADERS}{@code name}. */
    public static void header(Components components, String name, String description, Schema<?> schema) {
        components.addHeaders(name, new Header().description(description).schema(schema));
    }

    /** A response with a problem body. */
    public static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))))
                .addHeaderObject("X-Request-Id", ref("X-Request-Id"));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<?> problemSchema() {
        Schema problem = new ObjectSchema().description("An error (RFC 9457). `type` is stable: /problems/{slug}; the other members "
                + "after `instance` appear with the problems that have them.");
        problem.setProperties(new java.util.LinkedHashMap<>(Map.of()));
        problem.addProperty("type", new StringSchema().format("uri-reference").example("/problems/invalid-url"));
        problem.addProperty("title", new StringSchema());
        problem.addProperty("status", new IntegerSchema());
        problem.addProperty("detail", new StringSchema());
        problem.addProperty("instance", new StringSchema().format("uri-reference"));
        problem.addProperty("reason", new StringSchema().description("invalid-url: why the URL was refused; fetch-failed: the failure reason"));
        problem.addProperty("limit", new StringSchema().description("quota-exceeded, overloaded: the limit reached"));
        problem.addProperty("value", new IntegerSchema().format("int64").description("quota-exceeded, overloaded: its value"));
        problem.addProperty("maxOffset", new IntegerSchema().description("page-too-deep: the deepest (page - 1) × per_page"));
        problem.addProperty("cursorListing", new StringSchema().description("page-too-deep: where the cursor listing starts"));
        problem.addProperty("candidates", new ArraySchema().items(new StringSchema())
                .description("ambiguous-sha: the commits the short sha could be (at most 10), in sha order"));
        problem.addProperty("moreCandidates", new BooleanSchema().description("ambiguous-sha: whether it names more than `candidates` lists"));
        problem.addProperty("errors", new ArraySchema().items(new ObjectSchema()
                .addProperty("field", new StringSchema()).addProperty("message", new StringSchema()))
                .description("validation: the fields refused"));
        problem.addProperty("requestId", new StringSchema().description("the request's id (problems the gateway writes)"));
        problem.setRequired(List.of("type", "title", "status"));
        return problem;
    }
}
