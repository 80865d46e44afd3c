#!/usr/bin/env bash
# Serve both apps with their production servers in the foreground: Flask under gunicorn,
# FastAPI under uvicorn. Ctrl-C (INT) or TERM stops both; if either exits, the other is stopped.
#
#   HOST=127.0.0.1  FLASK_PORT=5000  FASTAPI_PORT=8000
#   FLASK_WORKERS, FLASK_WORKER_CLASS, FLASK_THREADS, FASTAPI_WORKERS: see scripts/servers.sh
set -uo pipefail
# shellcheck source=scripts/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

HOST=${HOST:-127.0.0.1}
declare -A PORT=([flask]=${FLASK_PORT:-5000} [fastapi]=${FASTAPI_PORT:-8000})
declare -A PID=()

stop_all() {
  local app
  for app in "${!PID[@]}"; do
    stop_server "$app" "${PID[$app]}"
  done
}

on_signal() {
  say ""
  say "run: $1 received, stopping both apps"
  trap - INT TERM
  stop_all
  say "run: stopped"
  exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

for app in "${APPS[@]}"; do
  start_server "$app" "$HOST" "${PORT[$app]}" || {
    stop_all
    exit 1
  }
  PID[$app]=$SERVER_PID
done

for app in "${APPS[@]}"; do
  if ! wait_ready "$app" "http://$HOST:${PORT[$app]}/api/tags" "${PID[$app]}" 60; then
    say "run: FAILED: $app did not start"
    stop_all
    exit 1
  fi
done

say ""
say "run: both apps are serving (Ctrl-C stops both)"
say "  Flask   (gunicorn): http://$HOST:${PORT[flask]}/api   docs: http://$HOST:${PORT[flask]}/docs"
say "  FastAPI (uvicorn):  http://$HOST:${PORT[fastapi]}/api   docs: http://$HOST:${PORT[fastapi]}/docs"
say ""

# Returns when either server exits (or a trapped signal interrupts the wait).
wait -n "${PID[@]}"
status=$?
for app in "${APPS[@]}"; do
  if ! kill -0 "${PID[$app]}" 2>/dev/null; then
    say "run: $app exited (status $status), stopping the other app"
  fi
done
stop_all
say "run: FAILED: an app exited on its own"
exit 1
