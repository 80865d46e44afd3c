#!/usr/bin/env bash
# Run the public RealWorld Postman suite with newman against both apps, each served by its
# production server (gunicorn / uvicorn) on a free port with a fresh, migrated SQLite database.
#
#   scripts/conformance.sh [flask|fastapi ...]     (default: both)
#
#   CONDUIT_COLLECTION  the Postman collection
#                       (default: ../shared/realworld/Conduit.postman_collection.json beside the repo)
# Exit status: 0 when every assertion passed for every app, 1 otherwise.
set -uo pipefail
# shellcheck source=scripts/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

COLLECTION=${CONDUIT_COLLECTION:-$PROJECT_ROOT/../shared/realworld/Conduit.postman_collection.json}
NEWMAN_DIR="$PROJECT_ROOT/scripts/newman"
NEWMAN="$NEWMAN_DIR/node_modules/.bin/newman"
HOST=127.0.0.1

if [ $# -gt 0 ]; then
  apps=("$@")
else
  apps=("${APPS[@]}")
fi

if [ ! -f "$COLLECTION" ]; then
  say "conformance: FAILED: no Postman collection at $COLLECTION (set CONDUIT_COLLECTION)"
  exit 1
fi
COLLECTION="$(cd "$(dirname "$COLLECTION")" && pwd)/$(basename "$COLLECTION")"

# newman is pinned in scripts/newman/package-lock.json; reinstall when the lock changed.
if [ ! -x "$NEWMAN" ] || [ "$NEWMAN_DIR/package-lock.json" -nt "$NEWMAN_DIR/node_modules/.package-lock.json" ]; then
  say "conformance: installing newman (npm ci in scripts/newman)"
  (cd "$NEWMAN_DIR" && npm ci --no-audit --no-fund --loglevel=error) || {
    say "conformance: FAILED: could not install newman"
    exit 1
  }
fi
say "conformance: newman $("$NEWMAN" --version), collection $COLLECTION"

# Plain output when it goes to a file (CI logs).
color=()
[ -t 1 ] || color=(--color off)

SERVER_PID=""
current_app=""
on_signal() {
  trap - INT TERM
  [ -n "$SERVER_PID" ] && stop_server "$current_app" "$SERVER_PID"
  say "conformance: interrupted"
  exit 130
}
trap on_signal INT TERM

# Print "assertions failed_assertions failed_requests" from a newman JSON report, and each
# failure on a line of its own to stderr.
summarize_report() {
  python3 - "$1" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    run = json.load(handle)["run"]
stats = run["stats"]
for failure in run["failures"]:
    error = failure.get("error", {})
    where = failure.get("source", {}).get("name", "?")
    parent = failure.get("parent", {}).get("name")
    if parent and parent != where:
        where = f"{parent} / {where}"
    what = error.get("test") or error.get("name", "error")
    print(f"  FAILED  {where}: {what}: {error.get('message', '')}", file=sys.stderr)
print(stats["assertions"]["total"], stats["assertions"]["failed"], stats["requests"]["failed"])
PY
}

declare -A TOTAL=() FAILED=() NOTE=() WORK=()
run_app() {
  local app=$1
  local work port stamp db_url report log newman_status
  work=$(mktemp -d "${TMPDIR:-/tmp}/conduit-conformance-$app.XXXXXX")
  WORK[$app]=$work
  db_url="sqlite:///$work/conduit.db"
  report="$work/newman.json"
  log="$work/server.log"
  stamp="$(date +%s)$RANDOM"
  TOTAL[$app]=0
  FAILED[$app]=0

  say ""
  say "=== $app ==="
  say "$app: migrating a fresh database $work/conduit.db"
  if ! (cd "$PROJECT_ROOT" && DATABASE_URL=$db_url uv run alembic upgrade head); then
    NOTE[$app]="migration failed"
    return 1
  fi

  port=$(free_port)
  current_app=$app
  say "$app: serving on port $port, server output in $log"
  DATABASE_URL=$db_url start_server "$app" "$HOST" "$port" >"$log" 2>&1 || {
    NOTE[$app]="could not start"
    return 1
  }
  if ! wait_ready "$app" "http://$HOST:$port/api/tags" "$SERVER_PID" 60; then
    say "$app: server log ($log):"
    tail -n 40 "$log"
    stop_server "$app" "$SERVER_PID"
    SERVER_PID=""
    NOTE[$app]="server not ready"
    return 1
  fi

  say "$app: newman run against http://$HOST:$port/api (USERNAME=u$stamp)"
  "$NEWMAN" run "$COLLECTION" \
    --global-var "APIURL=http://$HOST:$port/api" \
    --global-var "USERNAME=u$stamp" \
    --global-var "EMAIL=u$stamp@example.com" \
    --global-var "PASSWORD=password-$stamp" \
    --timeout-request 30000 \
    --reporters cli,json \
    --reporter-cli-no-success-assertions \
    --reporter-cli-no-console \
    "${color[@]}" \
    --reporter-json-export "$report"
  newman_status=$?

  stop_server "$app" "$SERVER_PID"
  SERVER_PID=""

  local counts request_errors
  if [ ! -s "$report" ] || ! counts=$(summarize_report "$report" 2>"$work/failures.txt"); then
    NOTE[$app]="newman exited $newman_status without a report"
    say "$app: server log ($log):"
    tail -n 40 "$log"
    return 1
  fi
  read -r "TOTAL[$app]" "FAILED[$app]" request_errors <<<"$counts"
  if [ "${FAILED[$app]}" -ne 0 ] || [ "$request_errors" -ne 0 ] || [ "$newman_status" -ne 0 ]; then
    NOTE[$app]="$request_errors request errors, newman exit $newman_status; kept $work"
    return 1
  fi
  rm -rf "$work"
}

overall=0
for app in "${apps[@]}"; do
  run_app "$app" || overall=1
done

say ""
say "conformance summary (RealWorld Postman collection)"
printf '%-8s | %10s | %6s | %s\n' app assertions failed note
printf '%-8s-+-%10s-+-%6s-+-%s\n' -------- ---------- ------ ----
for app in "${apps[@]}"; do
  printf '%-8s | %10s | %6s | %s\n' "$app" "${TOTAL[$app]:-0}" "${FAILED[$app]:-?}" "${NOTE[$app]:-}"
done
for app in "${apps[@]}"; do
  failures="${WORK[$app]:-}/failures.txt"
  if [ -s "$failures" ]; then
    say ""
    say "$app: failures (request: assertion: message)"
    cat "$failures"
  fi
done
if [ "$overall" -eq 0 ]; then
  say "conformance: PASSED: every assertion passed for: ${apps[*]}"
else
  say "conformance: FAILED (see the table above)"
fi
exit "$overall"
