#!/usr/bin/env bash
# Makes an API key for project-service: a new token for the client, and the entry that
# configures it (only the token's SHA-256 is stored by the service).
#
#   scripts/api-key.sh NAME [admin]
#
# NAME appears in logs and metrics (letters, digits, '.', '_', '-'; at most 64). An admin key may
# delete every project, not only those it added. Put the entry in COMMITVIEWER_ACCESS_KEYS
# (comma-separated) or one a line in the file COMMITVIEWER_ACCESS_KEYS_FILE; see docs/security.md.
set -euo pipefail

usage() {
  echo "usage: $0 NAME [admin]" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
name="$1"
[[ "$name" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "api-key: NAME must be 1-64 of letters, digits, '.', '_', '-'" >&2; exit 2; }
suffix=""
if [[ $# -eq 2 ]]; then
  [[ "$2" == admin ]] || usage
  suffix=":admin"
fi

token="cv_$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
echo "token (give it to the client; it is shown once): $token"
echo "entry (COMMITVIEWER_ACCESS_KEYS or the keys file): ${name}:${hash}${suffix}"
