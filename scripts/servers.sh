# Start, probe and stop the two apps under their production servers.
# Sourced by scripts/run_apps.sh and scripts/conformance.sh; needs bash, uv and python3.
#
# Tuning (environment):
#   FLASK_WORKERS=2          gunicorn worker processes
#   FLASK_WORKER_CLASS=sync  gunicorn worker class (sync, gthread, ...)
#   FLASK_THREADS=1          threads per gunicorn worker (gthread only)
#   FASTAPI_WORKERS=1        uvicorn worker processes

# The project root: the folder above scripts/.
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS=(flask fastapi)

say() { printf '%s\n' "$*"; }

# The server command line for one app on one port.
server_command() {
  local app=$1 host=$2 port=$3
  case "$app" in
    flask)
      printf '%s\0' uv run gunicorn \
        --bind "$host:$port" \
        --workers "${FLASK_WORKERS:-2}" \
        --worker-class "${FLASK_WORKER_CLASS:-sync}" \
        --threads "${FLASK_THREADS:-1}" \
        --access-logfile - \
        'flask_app:create_app()'
      ;;
    fastapi)
      printf '%s\0' uv run uvicorn fastapi_app:create_app --factory \
        --host "$host" \
        --port "$port" \
        --workers "${FASTAPI_WORKERS:-1}"
      ;;
    *)
      say "unknown app '$app' (expected one of: ${APPS[*]})" >&2
      return 2
      ;;
  esac
}

# Start an app in the background, in a session of its own so that stop_server can end
# uv, the server and its workers together. Sets SERVER_PID. Output goes to stdout/stderr.
start_server() {
  local app=$1 host=$2 port=$3
  local -a command
  mapfile -d '' command < <(server_command "$app" "$host" "$port")
  [ ${#command[@]} -gt 0 ] || return 2
  say "$app: starting: ${command[*]}"
  (cd "$PROJECT_ROOT" && exec setsid "${command[@]}") &
  SERVER_PID=$!
}

# 0 when GET url answers 200.
http_ok() {
  python3 - "$1" <<'PY' 2>/dev/null
import sys
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

# Poll url until it answers 200; fail early if the server process died, or after timeout s.
wait_ready() {
  local app=$1 url=$2 pid=$3 timeout=${4:-60}
  local deadline=$((SECONDS + timeout))
  say "$app: waiting for $url"
  until http_ok "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$app: the server exited before it was ready" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "$app: not ready after ${timeout}s" >&2
      return 1
    fi
    sleep 0.3
  done
  say "$app: ready"
}

# Stop a server started by start_server: TERM to uv, which passes it on to the server for a
# graceful shutdown of its workers; whatever is left of its process group is KILLed after 15 s.
stop_server() {
  local app=$1 pid=$2
  if kill -0 -- "-$pid" 2>/dev/null; then
    say "$app: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || kill -TERM -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# A TCP port on 127.0.0.1 that is free right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
