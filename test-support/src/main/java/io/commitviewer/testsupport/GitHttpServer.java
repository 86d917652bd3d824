package io.commitviewer.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback smart-HTTP git server standing in for GitHub: the real {@code git http-backend}
 * behind the JDK's HTTP server, protocol v2, filters allowed, read-only. Like GitHub it serves
 * {@code /owner/repo} and {@code /owner/repo.git} alike, case-insensitively, answers 404 for an
 * unknown repository, and can be told to answer 401 for a "private" one or to stall a
 * repository's requests (accept the connection, never answer) to exercise timeouts.
 */
public final class GitHttpServer implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile("/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+?)(?:\\.git)?(/.*)?");
    /** {@code POST /_control/release/{owner}/{name}}: {@link #releaseFullFetches}, for a test outside this JVM. */
    private static final Pattern RELEASE = Pattern.compile("/_control/release/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path root;
    private final Set<String> privateRepositories = ConcurrentHashMap.newKeySet();
    private final Set<String> stalledRepositories = ConcurrentHashMap.newKeySet();
    private final Set<String> rateLimitedRepositories = ConcurrentHashMap.newKeySet();
    private final Map<String, CountDownLatch> heldFullFetches = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, AtomicInteger> requestsByRepository = new ConcurrentHashMap<>();
    private final Set<String> protocolsSeen = ConcurrentHashMap.newKeySet();

    private GitHttpServer(Path root, int port) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "git-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server for the repositories under {@code root} on a free loopback port. */
    public static GitHttpServer start(Path root) {
        return start(root, 0);
    }

    public static GitHttpServer start(Path root, int port) {
        try {
            return new GitHttpServer(root, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT}: the origin to allow in {@code COMMITVIEWER_GIT_ALLOWED_ORIGINS}. */
    /** The origin as a service's allowed origins name it: marked internal, since it is on loopback. */
    public String allowedOrigin() {
        return "internal:" + origin();
    }

    public String origin() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Path root() {
        return root;
    }

    /** The URL a user would give for {@code owner/name}. */
    public String url(String owner, String name) {
        return origin() + "/" + owner + "/" + name;
    }

    /** Creates (or opens) the bare repository that serves {@code owner/name}. */
    public ServedRepository repository(String owner, String name) {
        return ServedRepository.init(repositoryDir(owner, name));
    }

    /** Where {@code owner/name} lives on disk (lower case, as names are case-insensitive). */
    public Path repositoryDir(String owner, String name) {
        return root.resolve(owner.toLowerCase(Locale.ROOT)).resolve(name.toLowerCase(Locale.ROOT) + ".git");
    }

    /** Answers 401 for this repository from now on, as GitHub does for a private one. */
    public void makePrivate(String owner, String name) {
        privateRepositories.add(key(owner, name));
    }

    /** Answers 429 Too Many Requests for this repository until {@code on} is false, as a rate-limited host does. */
    public void rateLimit(String owner, String name, boolean on) {
        if (on) {
            rateLimitedRepositories.add(key(owner, name));
        } else {
            rateLimitedRepositories.remove(key(owner, name));
        }
    }

    /** Holds every request for this repository without answering until the server closes. */
    public void stall(String owner, String name) {
        stalledRepositories.add(key(owner, name));
    }

    /**
     * Holds every full fetch of this repository — a request for its objects that does not ask for a
     * shallow history ({@code deepen}) — until {@link #releaseFullFetches} or the server closes:
     * a clone that takes as long as the test wants, while shallow ones are answered.
     */
    public void holdFullFetches(String owner, String name) {
        heldFullFetches.putIfAbsent(key(owner, name), new CountDownLatch(1));
    }

    /** Answers the full fetches {@link #holdFullFetches} held, and those to come. */
    public void releaseFullFetches(String owner, String name) {
        CountDownLatch held = heldFullFetches.remove(key(owner, name));
        if (held != null) {
            held.countDown();
        }
    }

    /** Requests served so far for {@code owner/name}. */
    public int requestCount(String owner, String name) {
        AtomicInteger count = requestsByRepository.get(key(owner, name));
        return count == null ? 0 : count.get();
    }

    public int requestCount() {
        return requests.get();
    }

    /** The {@code Git-Protocol} headers clients sent (e.g. {@code version=2}). */
    public Set<String> protocolsSeen() {
        return Set.copyOf(protocolsSeen);
    }

    private static String key(String owner, String name) {
        return (owner + "/" + name).toLowerCase(Locale.ROOT);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
        if (protocol != null) {
            protocolsSeen.add(protocol);
        }
        try (exchange) {
            Matcher control = RELEASE.matcher(exchange.getRequestURI().getRawPath());
            if (control.matches() && exchange.getRequestMethod().equals("POST")) {
                releaseFullFetches(control.group(1), control.group(2)); // a test in another process asks
                send(exchange, 200, "released\n");
                return;
            }
            Matcher matcher = PATH.matcher(exchange.getRequestURI().getRawPath());
            if (!matcher.matches() || matcher.group(3) == null || matcher.group(0).contains("..")) {
                send(exchange, 404, "Not Found\n");
                return;
            }
            String owner = matcher.group(1);
            String name = matcher.group(2);
            String rest = matcher.group(3);
            String key = key(owner, name);
            requestsByRepository.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (stalledRepositories.contains(key)) {
                awaitClose();
                return;
            }
            if (rateLimitedRepositories.contains(key)) {
                exchange.getResponseHeaders().add("Retry-After", "60");
                send(exchange, 429, "Too many requests\n");
                return;
            }
            if (privateRepositories.contains(key)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"GitHub\"");
                send(exchange, 401, "Authentication required\n");
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            if (rest.endsWith("git-receive-pack") || (query != null && query.contains("git-receive-pack"))) {
                send(exchange, 403, "Read-only\n");
                return;
            }
            Path dir = repositoryDir(owner, name);
            if (!Files.isDirectory(dir)) {
                send(exchange, 404, "Repository not found.\n");
                return;
            }
            InputStream body = exchange.getRequestBody();
            CountDownLatch held = heldFullFetches.get(key);
            if (held != null && rest.endsWith("git-upload-pack") && exchange.getRequestMethod().equals("POST")) {
                byte[] request = body.readAllBytes();
                if (isFullFetch(request, exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    try {
                        while (!held.await(100, TimeUnit.MILLISECONDS) && closed.getCount() > 0) {
                            // held until released or closed
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                body = new java.io.ByteArrayInputStream(request);
            }
            cgi(exchange, body, root.relativize(dir).toString(), rest, query);
        }
    }

    /** A protocol-v2 fetch of objects ({@code want}) that does not ask for a shallow history. */
    private static boolean isFullFetch(byte[] request, String encoding) throws IOException {
        byte[] plain = request;
        if ("gzip".equalsIgnoreCase(encoding)) {
            try (InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(request))) {
                plain = in.readAllBytes();
            }
        }
        String text = new String(plain, StandardCharsets.ISO_8859_1);
        return text.contains("command=fetch") && text.contains("want ") && !text.contains("deepen");
    }

    private void cgi(HttpExchange exchange, InputStream requestBody, String repository, String rest, String query) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = builder.environment();
        GitCli.configure(env);
        env.put("GIT_PROJECT_ROOT", root.toAbsolutePath().toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("PATH_INFO", "/" + repository + rest);
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        putHeader(env, exchange, "Content-Type", "CONTENT_TYPE");
        putHeader(env, exchange, "Content-Length", "CONTENT_LENGTH");
        putHeader(env, exchange, "Content-Encoding", "HTTP_CONTENT_ENCODING");
        putHeader(env, exchange, "Git-Protocol", "GIT_PROTOCOL");
        env.put("GIT_CONFIG_COUNT", "3");
        env.put("GIT_CONFIG_KEY_0", "uploadpack.allowFilter");
        env.put("GIT_CONFIG_VALUE_0", "true");
        env.put("GIT_CONFIG_KEY_1", "uploadpack.allowAnySHA1InWant");
        env.put("GIT_CONFIG_VALUE_1", "true");
        env.put("GIT_CONFIG_KEY_2", "http.receivepack");
        env.put("GIT_CONFIG_VALUE_2", "false");
        Process process = builder.start();
        Thread pump = new Thread(() -> {
            try (InputStream body = requestBody; OutputStream in = process.getOutputStream()) {
                body.transferTo(in);
            } catch (IOException ignored) {
                // the backend stopped reading; its answer tells the client why
            }
        }, "git-http-body");
        pump.setDaemon(true);
        pump.start();
        Thread stderr = new Thread(() -> {
            try (InputStream err = process.getErrorStream()) {
                err.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // nothing to report to
            }
        }, "git-http-stderr");
        stderr.setDaemon(true);
        stderr.start();
        try (InputStream out = new BufferedInputStream(process.getInputStream())) {
            int status = 200;
            String line;
            while ((line = readHeaderLine(out)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).strip();
                String value = line.substring(colon + 1).strip();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ")[0]);
                } else {
                    exchange.getResponseHeaders().add(name, value);
                }
            }
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream response = exchange.getResponseBody()) {
                out.transferTo(response);
            }
        } finally {
            try {
                if (!process.waitFor(1, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static void putHeader(Map<String, String> env, HttpExchange exchange, String header, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    private static String readHeaderLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
