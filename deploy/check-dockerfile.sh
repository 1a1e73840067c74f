#!/usr/bin/env bash
# Runs the Dockerfile's stages without Docker, as CI can here:
#   build    npm ci (no scripts) + tsc -p tsconfig.build.json in a temp dir
#   deps     npm ci --omit=dev (no scripts) + npm rebuild better-sqlite3 in a second temp dir
#   runtime  that dir + the built dist/, bin/, the console files and deploy/collector.yaml;
#            `auditline validate`, then the collector started as an unprivileged user
#            (nobody, when run as root), probed with the Dockerfile's own HEALTHCHECK
#            command until healthy, and stopped with SIGTERM (exit status 0 expected).
# Usage: deploy/check-dockerfile.sh   (from anywhere; prints "check-dockerfile: ok" at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dockerfile="$root/Dockerfile"
tmp="$(mktemp -d /tmp/auditline-dockerfile.XXXXXX)"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "check-dockerfile: $*" >&2; exit 1; }
step() { echo "check-dockerfile: $*"; }

# The commands below are the Dockerfile's; refuse to pass if it no longer says them.
for cmd in 'npm ci --ignore-scripts --no-audit --no-fund' 'npx tsc -p tsconfig.build.json' \
  'npm ci --omit=dev --ignore-scripts --no-audit --no-fund' 'npm rebuild better-sqlite3' \
  'COPY deploy/collector.yaml /etc/auditline/collector.yaml' 'USER node' 'EXPOSE 4317 4318 13133'; do
  grep -qF -- "$cmd" "$dockerfile" || fail "the Dockerfile no longer contains \"$cmd\"; update this script with it"
done

step "build stage (npm ci, tsc) in $tmp/build"
mkdir -p "$tmp/build"
cp "$root/package.json" "$root/package-lock.json" "$root/tsconfig.json" "$root/tsconfig.build.json" "$tmp/build/"
cp -r "$root/src" "$root/exporters" "$root/processors" "$tmp/build/"
(cd "$tmp/build" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && npx tsc -p tsconfig.build.json)

step "deps stage (production dependencies only) in $tmp/app"
mkdir -p "$tmp/app"
cp "$root/package.json" "$root/package-lock.json" "$tmp/app/"
(cd "$tmp/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && npm rebuild better-sqlite3 --loglevel=error)
[ ! -e "$tmp/app/node_modules/typescript" ] || fail "a dev dependency (typescript) is in the production install"

step "runtime stage"
cp -r "$tmp/build/dist" "$root/bin" "$root/collector.yaml" "$tmp/app/"
mkdir -p "$tmp/app/src/extensions/query-api" "$tmp/etc"
cp -r "$root/src/extensions/query-api/ui" "$tmp/app/src/extensions/query-api/"
cp "$root/deploy/collector.yaml" "$tmp/etc/collector.yaml"
[ ! -e "$tmp/app/dist/test" ] && [ ! -e "$tmp/app/dist/bench" ] || fail "the build stage compiled tests or benches"
mkdir -p "$tmp/data"
chmod 0755 "$tmp"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown 65534:65534 "$tmp/data"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
cli=("${as_user[@]}" env -i PATH="$PATH" HOME="$tmp/data" NODE_ENV=production AUDITLINE_DATA="$tmp/data" NO_COLOR=1
  node "$tmp/app/bin/auditline")
overrides=(--set "extensions::health_check::endpoint=127.0.0.1:$port"
  --set 'receivers::otlp::protocols::http::endpoint=127.0.0.1:0' --set 'receivers::otlp::protocols::grpc::endpoint=127.0.0.1:0'
  --set 'extensions::query_api::endpoint=localhost:0' --set 'service::telemetry::metrics::level=none')

step "auditline validate"
(cd "$tmp/data" && "${cli[@]}" validate --config "$tmp/etc/collector.yaml" "${overrides[@]}")

step "collector as uid $("${as_user[@]}" id -u), health check on 127.0.0.1:$port"
(cd "$tmp/data" && exec "${cli[@]}" --config "$tmp/etc/collector.yaml" "${overrides[@]}") >"$tmp/collector.log" 2>&1 &
pid=$!
# The Dockerfile's HEALTHCHECK command, pointed at this run's port.
probe="$(sed -n 's/^ *CMD \["node", "-e", "\(.*\)"\]$/\1/p' "$dockerfile" | sed "s/13133/$port/")"
[ -n "$probe" ] || fail "no HEALTHCHECK CMD [\"node\", \"-e\", …] line found in the Dockerfile"
healthy=""
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/collector.log" >&2; fail "the collector exited before it was healthy"; fi
  if "${as_user[@]}" node -e "$probe" 2>/dev/null; then healthy=1; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || { cat "$tmp/collector.log" >&2; fail "the health check did not report healthy within 120 s"; }
owner="$(stat -c %u "$tmp/data/auditline.db" 2>/dev/null || echo none)"
[ "$owner" = "$("${as_user[@]}" id -u)" ] || fail "the database is owned by uid $owner, not the unprivileged user"

step "SIGTERM"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" = 0 ] || { cat "$tmp/collector.log" >&2; fail "the collector exited with $status after SIGTERM"; }
echo "check-dockerfile: ok"
