# Helpers shared by local-infra.sh and run-local.sh (sourced, not run): which checkout a process
# belongs to, and who holds a port. The caller sets $root and $state before sourcing.

# Every process the scripts start carries COMMITVIEWER_OWNER, so that a port conflict can name the
# checkout (and state folder) that holds the port.
owner_id="$root"
[[ "$state" == "$root/.local" ]] || owner_id="$root (state in $state)"
export COMMITVIEWER_OWNER="$owner_id"

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

pidfile_pid() { [[ -f "$1" ]] && head -n 1 "$1" || true; }

# Who listens on a TCP port on this machine: "postgres (pid 123) of the checkout /path", or
# nothing when the port is free.
port_owner() {
  local port="$1" line pid name owner
  line="$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1 || true)"
  if [[ -z "$line" ]]; then
    # no ss, or a socket ss cannot attribute: at least say that the port is taken
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "a process this user cannot see"; fi
    return 0
  fi
  pid="$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")"
  name="$(sed -n 's/.*users:(("\([^"]*\)".*/\1/p' <<<"$line")"
  if [[ -z "$pid" ]]; then
    echo "a process this user cannot see"
    return 0
  fi
  owner="$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^COMMITVIEWER_OWNER=//p' | head -n 1 || true)"
  if [[ -n "$owner" ]]; then
    echo "${name:-a process} (pid $pid) of the checkout $owner"
  else
    echo "${name:-a process} (pid $pid), not started by a commit-viewer checkout"
  fi
}

# Fails with a message naming the holder when one of the ports is taken.
#   require_free_ports WHAT HINT PORT...
require_free_ports() {
  local what="$1" hint="$2" port owner
  shift 2
  for port in "$@"; do
    owner="$(port_owner "$port")"
    if [[ -n "$owner" ]]; then
      log "$what cannot start: port $port is taken by $owner."
      if [[ "$owner" == *" of the checkout "* && "$owner" != *" of the checkout $owner_id" ]]; then
        log "Stop it there (its scripts/run-local.sh down or scripts/local-infra.sh down), or give this checkout other ports: $hint"
      elif [[ "$owner" == *" of the checkout $owner_id" ]]; then
        log "It is this checkout's, but not recorded as running: stop it by its pid, then try again."
      else
        log "Stop that process, or choose other ports: $hint"
      fi
      exit 1
    fi
  done
}
