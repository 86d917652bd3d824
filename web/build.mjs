// Builds the page into dist/ (app.js with its source map, index.html, style.css); with --serve,
// serves it on 127.0.0.1:5173 (COMMITVIEWER_WEB_PORT), rebuilding on change, and passes /api/ and
// the OpenAPI documents to the gateway at COMMITVIEWER_GATEWAY_URL (http://127.0.0.1:8080).
import { cp, mkdir, rm } from "node:fs/promises";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const serve = process.argv.includes("--serve");

const options = {
  entryPoints: [join(root, "src/main.ts")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: !serve,
  sourcemap: true,
  logLevel: "info",
  legalComments: "none",
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await cp(join(root, "static"), dist, { recursive: true });

if (!serve) {
  await esbuild.build(options);
} else {
  const context = await esbuild.context(options);
  await context.watch();
  const { port: esbuildPort } = await context.serve({ servedir: dist, host: "127.0.0.1", port: 0 });
  const gateway = new URL(process.env.COMMITVIEWER_GATEWAY_URL ?? "http://127.0.0.1:8080");
  const port = Number(process.env.COMMITVIEWER_WEB_PORT ?? 5173);
  const toGateway = (path) => path.startsWith("/api/") || path.endsWith("/v3/api-docs");
  http
    .createServer((request, response) => {
      const target = toGateway(request.url ?? "/")
        ? { hostname: gateway.hostname, port: gateway.port || 80, headers: { ...request.headers, host: gateway.host } }
        : { hostname: "127.0.0.1", port: esbuildPort, headers: request.headers };
      const upstream = http.request({ ...target, path: request.url, method: request.method }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on("error", (error) => {
        response.writeHead(502, { "Content-Type": "text/plain" });
        response.end(`The gateway at ${gateway} did not answer (${error.message}): is the stack up?\n`);
      });
      request.pipe(upstream);
    })
    .listen(port, "127.0.0.1", () => {
      console.log(`web: http://127.0.0.1:${port}/ (API from ${gateway}); rebuilds on change`);
    });
  // esbuild watches src/; static/ is copied once, so a change there needs a restart
}
