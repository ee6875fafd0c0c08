#!/usr/bin/env bash
# npm run test:container: builds the Dockerfile with buildah (no Docker engine, no registry needed),
# runs the image's own command as a user would (sandbox demo, a MongoDB URI), passes a sandbox
# 2FA flow inside it (scripts/container-smoke.mjs), stops it with SIGTERM as `docker stop` does,
# and proves that no process is left. Skipped, saying so, where buildah or mmdebstrap is missing.
#
# The base image (NODE_IMAGE) is made here, since no registry can be reached: a minimal Debian
# bookworm from mmdebstrap (Debian's packages are reachable), with this machine's node and npm
# copied in where the official images keep them, and their `node` user (1000). It is cached in
# buildah's image store, tagged by the Node version and this recipe, so later runs skip it.
# The database is a FerretDB on this machine's loopback (FERRETDB_BIN, or scripts/ensure-ferretdb.sh),
# passed as MONGODB_URI: the image has no database of its own, as in compose.yaml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test:container: %s\n' "$*"; }
fail() {
  say "FAILED: $*"
  exit 1
}

missing=()
for tool in buildah mmdebstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  say "skipped: ${missing[*]} not installed (Debian: apt-get install buildah mmdebstrap; .ci/run installs them)"
  exit 0
fi

started_at=$SECONDS
run_id="asq-$$-$RANDOM"
work="$(mktemp -d)"
image="localhost/account-security-quickstart:test-$run_id"
container=""
base_ctr=""
app_pid=""
db_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill -KILL "$app_pid" 2>/dev/null || true
  [ -n "$db_pid" ] && kill -KILL "$db_pid" 2>/dev/null || true
  for c in "$container" "$base_ctr"; do [ -n "$c" ] && buildah rm "$c" >/dev/null 2>&1; done
  buildah rmi "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# `buildah run` with chroot isolation: no Docker engine or runc needed.
bah() { buildah run --isolation chroot "$@"; }

# ---- the base image, cached ----
node_bin="$(command -v node)"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
# A machine behind a TLS-inspecting proxy trusts its root through NODE_EXTRA_CA_CERTS (or npm's
# cafile); the base trusts the same, so npm in the build reaches the registry as npm here does.
extra_ca="${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}"
[ "$extra_ca" = "null" ] || [ "$extra_ca" = "undefined" ] && extra_ca=""
[ -n "$extra_ca" ] && [ ! -r "$extra_ca" ] && extra_ca=""
recipe="1 $("$node_bin" --version) $(sha256sum "$node_bin" | cut -c1-16) $([ -z "$extra_ca" ] || sha256sum "$extra_ca" | cut -c1-16)"
base="localhost/account-security-quickstart-base:$("$node_bin" --version)-bookworm-$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"

if buildah inspect --type image "$base" >/dev/null 2>&1; then
  say "base image: $base (cached)"
else
  say "base image: building $base (Debian bookworm with mmdebstrap, then this machine's node $("$node_bin" --version))"
  # The host's apt sources, so the same mirror (and nothing named here) is used.
  sources=/etc/apt/sources.list.d/debian.sources
  [ -r "$sources" ] || sources=/etc/apt/sources.list
  mmdebstrap --variant=minbase --quiet bookworm "$work/rootfs.tar" "$sources" || fail "mmdebstrap could not build a Debian root filesystem"
  base_ctr="$(buildah from scratch)"
  buildah add "$base_ctr" "$work/rootfs.tar" / >/dev/null
  rm -f "$work/rootfs.tar"
  buildah copy "$base_ctr" "$node_bin" /usr/local/bin/node >/dev/null
  buildah copy "$base_ctr" "$npm_dir" /usr/local/lib/node_modules/npm >/dev/null
  env_args=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node)
  if [ -n "$extra_ca" ]; then
    buildah copy "$base_ctr" "$extra_ca" /usr/local/share/host-ca-certificates.crt >/dev/null
    env_args+=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca-certificates.crt)
  fi
  bah "$base_ctr" -- sh -c 'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm &&
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx &&
    groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  buildah config "${env_args[@]}" "$base_ctr"
  buildah commit --quiet --rm "$base_ctr" "$base" >/dev/null
  base_ctr=""
  say "base image: built in $((SECONDS - started_at)) s"
fi

# ---- build the Dockerfile ----
build_started=$SECONDS
# --format docker keeps HEALTHCHECK (OCI images have no such field); --layers reuses the npm ci
# steps while package-lock.json is unchanged.
buildah bud --isolation chroot --network host --format docker --layers --quiet \
  --build-arg "NODE_IMAGE=$base" --tag "$image" . >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log"
  fail "the image did not build"
}
say "image built in $((SECONDS - build_started)) s"

# The image's configuration: non-root, production, a health check on /readyz, and its command.
buildah inspect --type image "$image" >"$work/image.json"
node -e '
  const { Docker: c } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const cfg = c.config, problems = [];
  if (!/^[1-9]/.test(cfg.User || "") || /^0(:|$)|^root/.test(cfg.User)) problems.push(`runs as "${cfg.User || "root"}"`);
  if (!(cfg.Env || []).includes("NODE_ENV=production")) problems.push("NODE_ENV is not production");
  if (!JSON.stringify(cfg.Healthcheck?.Test || []).includes("/readyz")) problems.push("no HEALTHCHECK on /readyz");
  if (problems.length) { console.error(problems.join("; ")); process.exit(1); }
  console.log(JSON.stringify({ user: cfg.User, cmd: cfg.Cmd, healthcheck: cfg.Healthcheck.Test }));
' "$work/image.json" >"$work/config.json" || fail "image configuration: $(cat "$work/config.json")"
say "image config: $(cat "$work/config.json")"
mapfile -t cmd < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).cmd) console.log(a)' "$work/config.json")
mapfile -t healthcheck < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).healthcheck.slice(1)) console.log(a)' "$work/config.json")
container="$(buildah from "$image")"

# ---- production refusals: the image says what is missing ----
refusal() {
  local expected="$1"
  shift
  local out
  if out="$(bah --network host "$@" "$container" -- "${cmd[@]}" 2>&1)"; then fail "the image started with $* (expected a refusal)"; fi
  grep -q -- "$expected" <<<"$out" || fail "the refusal with $* did not say '$expected': $out"
  say "refused as it should: $(grep -m1 -o -- "$expected.*" <<<"$out")"
}
refusal 'NODE_ENV=production needs ACCOUNT_SECURITY_API_KEY' --env PORT=1
refusal 'HOST 0.0.0.0 is not loopback' --env SANDBOX_DEMO=true --env MONGODB_URI=mongodb://127.0.0.1:1/x --env PORT=1

# ---- a database on this machine's loopback ----
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
ferretdb="$(bash scripts/ensure-ferretdb.sh)"
db_port="$(free_port)"
mkdir -p "$work/db"
"$ferretdb" --handler=sqlite "--sqlite-url=file:$work/db/" "--listen-addr=127.0.0.1:$db_port" --debug-addr= \
  "--state-dir=$work/db" --telemetry=disable --log-level=warn >"$work/db.log" 2>&1 &
db_pid=$!

# ---- the app: the image's command, with what a user sets for the demo ----
app_port="$(free_port)"
metrics_token="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
# buildah's chroot isolation shares this machine's network, so HOST is loopback here; under
# compose the container has its own network, where 0.0.0.0 is reached only through the port
# published on 127.0.0.1 (and SANDBOX_ALLOW_REMOTE=true says so).
bah --network host \
  --env SANDBOX_DEMO=true --env "MONGODB_URI=mongodb://127.0.0.1:$db_port/account_security" \
  --env HOST=127.0.0.1 --env "PORT=$app_port" --env "METRICS_TOKEN=$metrics_token" \
  --env "ASQ_CONTAINER_RUN=$run_id" \
  "$container" -- "${cmd[@]}" >"$work/app.log" 2>&1 &
app_pid=$!

# The container's processes carry ASQ_CONTAINER_RUN in their environment (NUL-separated).
container_pids() {
  for f in /proc/[0-9]*/environ; do
    pid="${f#/proc/}"
    pid="${pid%/environ}"
    grep -qsxzF "ASQ_CONTAINER_RUN=$run_id" "$f" 2>/dev/null && echo "$pid"
  done
  return 0
}

if ! node scripts/container-smoke.mjs "http://127.0.0.1:$app_port" "$metrics_token"; then
  tail -30 "$work/app.log"
  fail "the flow in the container failed"
fi

# The image's own HEALTHCHECK command, run beside the app in the same image.
bah --network host --env "PORT=$app_port" "$container" -- "${healthcheck[@]}" || fail "the HEALTHCHECK command failed"
say "HEALTHCHECK command: exit 0"

# ---- stop: SIGTERM to the container's main process, as `docker stop` sends ----
mapfile -t pids < <(container_pids)
[ "${#pids[@]}" -ge 1 ] || fail "found no process of the container"
main="$(for p in "${pids[@]}"; do ppid="$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)"; grep -qxF "$ppid" <(printf '%s\n' "${pids[@]}") || echo "$p"; done | head -1)"
say "container processes: ${pids[*]} (main $main: $(tr '\0' ' ' <"/proc/$main/cmdline"))"
# Its root directory too: a process that dropped the marker from its environment still has it.
root_dir="$(readlink "/proc/$main/root")"
[ -n "$root_dir" ] && [ "$root_dir" != "/" ] || fail "the container's main process is not in a chroot"
in_root() {
  for r in /proc/[0-9]*/root; do
    [ "$(readlink "$r" 2>/dev/null)" = "$root_dir" ] && { r="${r#/proc/}"; echo "${r%/root}"; }
  done
  return 0
}
in_root | grep -qxF "$main" || fail "no process found in the container's root directory $root_dir"
kill -TERM "$main"
status=0
wait "$app_pid" || status=$?
app_pid=""
[ "$status" -eq 0 ] || {
  tail -20 "$work/app.log"
  fail "the container exited with $status after SIGTERM"
}
grep -q '"msg":"stopped"' "$work/app.log" || fail "the app did not log that it stopped"
left="$(container_pids) $(in_root)"
[ -z "${left// /}" ] || fail "processes left after the container stopped: $left"
if (exec 3<>"/dev/tcp/127.0.0.1/$app_port") 2>/dev/null; then fail "port $app_port still answers after the container stopped"; fi
say "stopped: exit 0, no process of the container left, port $app_port closed"

kill -TERM "$db_pid"
wait "$db_pid" 2>/dev/null || true
kill -0 "$db_pid" 2>/dev/null && fail "FerretDB is still running"
db_pid=""
say "passed in $((SECONDS - started_at)) s"
