#!/usr/bin/env bash
# Builds the web page (web/) into web/dist with the machine's Node.js (>= 20) and npm: `npm ci`
# from the committed lockfile when web/node_modules is missing or older than the lockfile, then
# the type check and `npm run build`. The gateway serves web/dist (scripts/run-local.sh); the
# gateway's image builds the same way (gateway/Dockerfile).
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)"
log() { echo "build-web: $*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null || { log "Node.js >= 20 and npm are needed (https://nodejs.org, or your distribution's nodejs >= 20)"; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$major" -ge 20 ]] || { log "Node.js >= 20 is needed, this is $(node --version)"; exit 1; }

cd "$web"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci (web/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install tsc --noEmit -p .
npm run --silent build
log "built web/dist"
