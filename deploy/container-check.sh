#!/usr/bin/env bash
# Builds the production image from the repository's real Containerfile and runs it against the
# host's PostgreSQL, on a machine that cannot reach a container registry (docs/production.md,
# "Checking the image without a registry"). Not part of CI: it takes several minutes.
#
#   deploy/container-check.sh                 build (cached layers are reused) and check
#   deploy/container-check.sh --rebuild-base  make the stand-in base image anew first
#   deploy/container-check.sh --remove-images remove the images and their storage at the end
#
# Needs root (the image's user, uid 10001, needs more uids than a user namespace of one), Debian's
# buildah, podman, runc and debootstrap, PostgreSQL's client programs (apt-get install buildah
# podman runc debootstrap postgresql-client), and a PostgreSQL server that lets $PG_USER create
# databases. The network it needs is Debian's mirror (the stand-in base, and the Containerfile's
# apt-get) and PyPI (its pip install).
#
# What it does:
#   1. The stand-in base image. The Containerfile starts FROM docker.io/library/python:3.11-slim-
#      bookworm, which cannot be pulled here; in its place, localhost/allianssi-base:bookworm is
#      made from Debian's own packages: debootstrap's minbase bookworm, python3 (3.11), pip and
#      venv, `python` and `pip` links, and no EXTERNALLY-MANAGED marker, so that pip installs
#      into the system's Python as it does in the official image. It is never given the upstream
#      name. Made once and kept; --rebuild-base makes it again (e.g. for Debian's updates).
#   2. The image, localhost/allianssi:check, built by buildah from the Containerfile with
#      --build-arg BASE_IMAGE=localhost/allianssi-base:bookworm. Everything after FROM is the
#      real recipe: apt-get, pip install -r requirements.txt, compilemessages, collectstatic,
#      the allianssi user.
#   3. The checks, with podman on the host's network against a database $DB_NAME created for
#      them: a weak DJANGO_SECRET_KEY and a missing DATABASE_URL are refused at start with their
#      one-line messages and nothing written; `serve` migrates and gunicorn answers (HTTP is
#      redirected to HTTPS, the login page is 200 for an allowed host and 400 for another one,
#      static files have hashed names and WhiteNoise's long cache headers); the processes run as
#      uid 10001, which can write only /app/var (and the world-writable temporary folders);
#      `worker` starts, runs a periodic job made due, and stops gracefully on SIGTERM.
#   4. Clean-up, also when a check fails: its containers, its volume and its database.
#
# Settings (environment variables):
#   CHECK_DIR   working folder: the stand-in's root file system, the image storage, logs
#               (default /var/tmp/allianssi-container-check)
#   PG_HOST PG_PORT PG_USER   the PostgreSQL server (127.0.0.1, 5432, postgres; no password, or
#               PGPASSWORD)
#   DB_NAME     the scratch database, dropped at the start and at the end (allianssi_container)
#   PORT        where gunicorn listens on the host's loopback interface (18000)
#   MIRROR      Debian's mirror (default: the first URIs of /etc/apt/sources.list.d/debian.sources,
#               else http://deb.debian.org/debian)
#   STORAGE_DRIVER  overlay or vfs (default: overlay if the kernel mounts it here, else vfs)
set -euo pipefail

cd "$(dirname "$0")/.."

REBUILD_BASE=0
REMOVE_IMAGES=0
for arg in "$@"; do
  case "$arg" in
    --rebuild-base) REBUILD_BASE=1 ;;
    --remove-images) REMOVE_IMAGES=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "container-check: unknown argument $arg (--rebuild-base, --remove-images)" >&2; exit 2 ;;
  esac
done

CHECK_DIR="${CHECK_DIR:-/var/tmp/allianssi-container-check}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
DB_NAME="${DB_NAME:-allianssi_container}"
PORT="${PORT:-18000}"
BASE_NAME="localhost/allianssi-base:bookworm"
IMAGE="localhost/allianssi:check"
WEB="allianssi-check-web"
WORKER="allianssi-check-worker"
VOLUME="allianssi-check-var"
HOST_NAME="allianssi.example.fi"

if [ -z "${MIRROR:-}" ]; then
  MIRROR="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi

# ---------------------------------------------------------------------------------------------
# Helpers

T0=$SECONDS
STEP_START=$SECONDS
STEP_NAME=""
TIMINGS=""
step() {
  step_end
  STEP_NAME="$1"
  STEP_START=$SECONDS
  echo
  echo "== $STEP_NAME"
}
step_end() {
  if [ -n "$STEP_NAME" ]; then
    TIMINGS="$TIMINGS$(printf '  %4ds  %s' $((SECONDS - STEP_START)) "$STEP_NAME")"$'\n'
  fi
  STEP_NAME=""
}
ok() { echo "   ok: $*"; }
show() { sed "s/^/   | ${1:-}/"; }  # a command's output, indented
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null || fail "$1 is missing (apt-get install ${2:-$1})"
}

need buildah
need podman
need debootstrap
need runc
need prlimit util-linux
need psql postgresql-client
need curl
[ "$(id -u)" = 0 ] || fail "run as root"

mkdir -p "$CHECK_DIR"
ROOTFS="$CHECK_DIR/rootfs"
LOG_DIR="$CHECK_DIR/logs"
mkdir -p "$LOG_DIR"

# overlay if the kernel mounts it here (inside a throwaway mount namespace), else vfs: slower
# and larger (each layer a full copy) but works everywhere.
if [ -z "${STORAGE_DRIVER:-}" ]; then
  probe="$(mktemp -d "$CHECK_DIR/overlay-probe.XXXXXX")"
  mkdir "$probe/l" "$probe/u" "$probe/w" "$probe/m"
  if unshare --mount sh -c "mount -t overlay overlay -o lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w $probe/m" 2>/dev/null; then
    STORAGE_DRIVER=overlay
  else
    STORAGE_DRIVER=vfs
  fi
  rm -rf "$probe"
fi
# The images live in their own storage under CHECK_DIR, apart from the machine's other
# containers, one per storage driver (a storage cannot change its driver); buildah and podman
# share it.
STORE=(--root "$CHECK_DIR/storage-$STORAGE_DRIVER" --runroot "$CHECK_DIR/run-$STORAGE_DRIVER"
  --storage-driver "$STORAGE_DRIVER")
bah() { buildah "${STORE[@]}" "$@"; }
# runc, not crun: Debian's crun 1.8 refuses a machine whose cgroups are v1 with a v2 hierarchy
# beside them ("cgroups in hybrid mode not supported"), as in this sandbox; runc copes.
pod() { podman "${STORE[@]}" --runtime runc --cgroup-manager cgroupfs --log-level error "$@"; }
# podman asks the kernel for 1048576 open files in the container, which takes CAP_SYS_RESOURCE;
# where that is withheld (a sandbox), ask for the limits this shell already has.
LIMITS=()
if ! prlimit --nofile=1048576:1048576 true 2>/dev/null; then
  nofile="$(ulimit -Hn)"
  nproc="$(ulimit -Hu)"
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi  # podman's own cap
  LIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
fi

psql_admin() { PGOPTIONS='--client-min-messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"; }
psql_db() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$DB_NAME" "$@"; }

cleanup() {
  local status=$?
  set +e
  step_end
  echo
  echo "== clean-up"
  for c in "$WEB" "$WORKER"; do
    pod rm --force --time 5 "$c" >/dev/null 2>&1
  done
  pod volume rm --force "$VOLUME" >/dev/null 2>&1
  psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 && echo "   database $DB_NAME dropped"
  rm -f "$ENV_FILE"
  if [ "$REMOVE_IMAGES" = 1 ]; then
    bah rm --all >/dev/null 2>&1
    pod rmi --all --force >/dev/null 2>&1  # this script's own storage only (STORE)
    echo "   images removed (with their cached layers)"
  fi
  echo
  echo "Timings (storage driver $STORAGE_DRIVER):"
  printf '%s' "$TIMINGS"
  printf '  %4ds  total\n' $((SECONDS - T0))
  if [ "$status" = 0 ]; then
    echo "container-check: every check passed"
  else
    echo "container-check: FAILED (logs in $LOG_DIR)" >&2
  fi
  exit "$status"
}
ENV_FILE="$(mktemp "$CHECK_DIR/allianssi.env.XXXXXX")"
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# 1. The stand-in base image

if [ "$REBUILD_BASE" = 1 ] || ! bah inspect --type image "$BASE_NAME" >/dev/null 2>&1; then
  step "stand-in base image $BASE_NAME (debootstrap $MIRROR)"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$LOG_DIR/debootstrap.log" 2>&1 \
    || fail "debootstrap (see $LOG_DIR/debootstrap.log)"
  # The official image's sources: bookworm, its updates and its security updates.
  rm -f "$ROOTFS/etc/apt/sources.list"
  security="${MIRROR%/debian}/debian-security"
  cat >"$ROOTFS/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -q && apt-get upgrade -y -q && apt-get install -y -q --no-install-recommends python3 python3-pip python3-venv ca-certificates' \
    >"$LOG_DIR/base-apt.log" 2>&1 || fail "apt-get in the stand-in (see $LOG_DIR/base-apt.log)"
  # As in the official image: `python` and `pip`, and pip installs into the system's Python
  # (Debian's PEP 668 marker would refuse it).
  ln -sf /usr/bin/python3 "$ROOTFS/usr/local/bin/python"
  ln -sf /usr/bin/pip3 "$ROOTFS/usr/local/bin/pip"
  rm -f "$ROOTFS"/usr/lib/python3.*/EXTERNALLY-MANAGED
  chroot "$ROOTFS" apt-get clean
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS/etc/resolv.conf"
  : >"$ROOTFS/etc/resolv.conf"

  container="$(bah from scratch)"
  mountpoint="$(bah mount "$container")"
  tar -C "$ROOTFS" -cf - . | tar -C "$mountpoint" -xpf -
  bah umount "$container" >/dev/null
  bah config --env LANG=C.UTF-8 \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd python3 --label "org.opencontainers.image.description=Stand-in for python:3.11-slim-bookworm, made by deploy/container-check.sh; local only" \
    "$container"
  bah commit --quiet --rm "$container" "$BASE_NAME" >/dev/null
  rm -rf "$ROOTFS"
  # (podman's first run in a new storage may warn of the machine's CNI configuration: unused here)
  versions="$(pod run --rm --network host "${LIMITS[@]}" "$BASE_NAME" sh -c 'python --version && pip --version' \
    2>"$LOG_DIR/base-run.log")" || fail "the stand-in does not run (see $LOG_DIR/base-run.log)"
  ok "$BASE_NAME: $(echo "$versions" | cut -d' ' -f1-2 | paste -sd' ')"
else
  echo "== stand-in base image $BASE_NAME: kept (--rebuild-base makes it anew)"
fi

# ---------------------------------------------------------------------------------------------
# 2. The image, from the real Containerfile

step "build $IMAGE from Containerfile"
# This machine's certificate authorities, for pip's HTTPS, only while building (a proxy that
# inspects TLS has its own authority); the image keeps its own.
ca_volume=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  ca_volume=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
fi
proxy_args=()
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  if [ -n "${!v:-}" ]; then proxy_args+=(--build-arg "$v=${!v}"); fi
done
if ! bah build --isolation chroot --network host --layers \
  --build-arg "BASE_IMAGE=$BASE_NAME" "${proxy_args[@]}" "${ca_volume[@]}" \
  --file Containerfile --tag "$IMAGE" . >"$LOG_DIR/build.log" 2>&1; then
  tail -n 30 "$LOG_DIR/build.log" >&2
  fail "buildah build (see $LOG_DIR/build.log)"
fi
ok "built: $(pod image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12), $(pod image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}')"
user="$(pod image inspect --format '{{.Config.User}}' "$IMAGE")"
[ "$user" = allianssi ] || fail "the image's user is '$user', not allianssi"
contents="$(pod run --rm --network host "${LIMITS[@]}" --entrypoint sh "$IMAGE" -c \
  'ls -A /app; test -f /app/staticfiles/staticfiles.json && echo manifest; ls /app/locale/*/LC_MESSAGES/*.mo | wc -l')"
for absent in .git tests benchmarks .ci .venv db.sqlite3; do
  echo "$contents" | grep -qx -- "$absent" && fail "/app/$absent is in the image (.containerignore)"
done
echo "$contents" | grep -qx manifest || fail "collectstatic left no manifest"
ok "/app: $(echo "$contents" | head -n -2 | paste -sd' '); staticfiles.json; $(echo "$contents" | tail -n 1) .mo files"
ok "USER allianssi, ENTRYPOINT $(pod image inspect --format '{{json .Config.Entrypoint}} CMD {{json .Config.Cmd}}' "$IMAGE")"

# ---------------------------------------------------------------------------------------------
# 3. The checks

step "database $DB_NAME and settings"
psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
py() { python3 -c "$1"; }
cat >"$ENV_FILE" <<EOF
DJANGO_SECRET_KEY=$(py 'import secrets; print(secrets.token_urlsafe(50))')
ALLIANSSI_IDENTITY_KEYS=$(py 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
ALLIANSSI_PSEUDONYM_KEY=$(py 'import secrets; print(secrets.token_urlsafe(32))')
DATABASE_URL=postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB_NAME
DJANGO_ALLOWED_HOSTS=$HOST_NAME
DJANGO_CSRF_TRUSTED_ORIGINS=https://$HOST_NAME
ALLIANSSI_BASE_URL=https://$HOST_NAME
GUNICORN_BIND=127.0.0.1:$PORT
WEB_CONCURRENCY=2
EOF
[ -n "${PGPASSWORD:-}" ] && sed -i "s|^DATABASE_URL=postgres://$PG_USER@|DATABASE_URL=postgres://$PG_USER:$PGPASSWORD@|" "$ENV_FILE"
ok "created; settings in a temporary env file (keys made for this run)"
run() { pod run --rm --network host "${LIMITS[@]}" --env-file "$ENV_FILE" "$@"; }
tables() { psql_db -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }

step "a weak DJANGO_SECRET_KEY is refused"
set +e
out="$(run -e DJANGO_SECRET_KEY=short-and-guessable-key "$IMAGE" 2>&1)"
status=$?
set -e
echo "$out" | show
[ "$status" != 0 ] || fail "the start went on with a weak key"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "more than the one line"
echo "$out" | grep -q "^allianssi: Environment variable DJANGO_SECRET_KEY is too weak to sign with" || fail "no clear message"
[ "$(tables)" = 0 ] || fail "tables were written before the key was refused"
ok "exit $status, the message names the variable, nothing written"

step "a missing DATABASE_URL is refused"
set +e
out="$(run -e DATABASE_URL= "$IMAGE" 2>&1)"
status=$?
set -e
echo "$out" | tail -n 1 | show
[ "$status" != 0 ] || fail "the start went on without DATABASE_URL"
echo "$out" | grep -q "DATABASE_URL must name" || fail "no clear message"
ok "exit $status"

step "serve: migrations, then gunicorn on 127.0.0.1:$PORT"
pod volume rm --force "$VOLUME" >/dev/null 2>&1 || true
pod run -d --name "$WEB" --network host "${LIMITS[@]}" --env-file "$ENV_FILE" -v "$VOLUME:/app/var" "$IMAGE" >/dev/null
for _ in $(seq 1 180); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  [ "$(pod inspect --format '{{.State.Running}}' "$WEB")" = true ] || break
  sleep 1
done
pod logs "$WEB" >"$LOG_DIR/web.log" 2>&1
curl -s -o /dev/null "http://127.0.0.1:$PORT/" || { tail -n 30 "$LOG_DIR/web.log" >&2; fail "gunicorn does not answer"; }
grep -q "Operations to perform" "$LOG_DIR/web.log" || fail "the entrypoint did not migrate"
applied="$(psql_db -c 'SELECT count(*) FROM django_migrations')"
ok "entrypoint migrated: $applied migrations applied, $(tables) tables; $(grep -c 'Booting worker' "$LOG_DIR/web.log") gunicorn workers booted"

step "HTTP"
echo "   \$ curl -sI http://127.0.0.1:$PORT/"
curl -sI "http://127.0.0.1:$PORT/" | tr -d '\r' | grep -iE '^(HTTP|location|server)' | show
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")"
[ "$code" = 400 ] || [ "$code" = 301 ] || fail "plain request: $code"
https=(-H "Host: $HOST_NAME" -H "X-Forwarded-Proto: https")
code="$(curl -s -o /dev/null -w '%{http_code} %header{location}' "${https[@]}" "http://127.0.0.1:$PORT/")"
ok "/ for $HOST_NAME over HTTPS: $code"
code="$(curl -s -o /dev/null -w '%{http_code} %header{location}' -H "Host: $HOST_NAME" "http://127.0.0.1:$PORT/accounts/login/")"
[ "${code%% *}" = 301 ] || fail "plain HTTP is not redirected: $code"
ok "/accounts/login/ over plain HTTP: $code"
login="$(curl -s -D "$LOG_DIR/login.headers" "${https[@]}" "http://127.0.0.1:$PORT/accounts/login/")"
code="$(head -n 1 "$LOG_DIR/login.headers" | awk '{print $2}')"
[ "$code" = 200 ] || fail "login page: $code"
grep -qi '^strict-transport-security:' "$LOG_DIR/login.headers" || fail "no HSTS header"
ok "/accounts/login/ for $HOST_NAME over HTTPS: 200, with HSTS"
code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/accounts/login/")"
[ "$code" = 400 ] || fail "a host not allowed: $code"
ok "/accounts/login/ for Host: evil.example: 400"
static="$(echo "$login" | grep -oE '/static/[^"]+\.[0-9a-f]{12}\.(css|js)' | head -n 1)"
[ -n "$static" ] || fail "the login page names no static file with a hashed name"
headers="$(curl -s -o /dev/null -D - "${https[@]}" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT$static" | tr -d '\r')"
echo "$headers" | grep -iE '^(HTTP|cache-control|content-encoding|content-type)' | show
echo "$headers" | head -n 1 | grep -q ' 200' || fail "$static is not served"
echo "$headers" | grep -qi '^cache-control: .*immutable' || fail "$static is not served as immutable"
ok "$static served by WhiteNoise, compressed and immutable"

step "the web container's user and what it can write"
uid="$(pod exec "$WEB" id -u)"
pid1="$(pod exec "$WEB" sh -c 'tr "\0" " " </proc/1/cmdline; echo; grep ^Uid /proc/1/status')"
echo "$pid1" | show
[ "$uid" = 10001 ] || fail "uid $uid"
echo "$pid1" | grep -qE '^Uid:\s+10001\s+10001' || fail "PID 1 is not uid 10001"
# Every path uid 10001 can write, but /proc, /sys and /dev (the kernel's), and the temporary
# folders every Debian system leaves world-writable (sticky): only /app/var may be left.
writable="$(pod exec "$WEB" sh -c 'find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o -writable -print 2>/dev/null' \
  | grep -vE '^(/tmp|/var/tmp|/run/lock|/var/lock)$' || true)"
echo "$writable" | show 'writable: ' | head -n 20
if echo "$writable" | grep -vqE '^/app/var(/|$)'; then fail "writable outside /app/var"; fi
echo "$writable" | grep -qx /app/var || fail "/app/var is not writable"
pod exec "$WEB" sh -c 'touch /app/manage.py' 2>/dev/null && fail "the code is writable"
pod exec "$WEB" sh -c 'touch /app/var/.write-check && rm /app/var/.write-check' || fail "/app/var is not writable"
ok "uid 10001 (PID 1: gunicorn), writes only /app/var"

step "worker: starts, runs a periodic job, stops on SIGTERM"
pod run -d --name "$WORKER" --network host "${LIMITS[@]}" --env-file "$ENV_FILE" -v "$VOLUME:/app/var" "$IMAGE" worker >/dev/null
worker_running() { [ "$(pod inspect --format '{{.State.Running}}' "$WORKER")" = true ]; }
worker_failed() { pod logs "$WORKER" 2>&1 | tail -n 30 >&2; fail "$1"; }
# Its first housekeeping gives each periodic job its next slot (a job is never run at once).
slots=0
for _ in $(seq 1 90); do
  slots="$(psql_db -c 'SELECT count(*) FROM background_periodicslot')"
  [ "$slots" -gt 0 ] && break
  worker_running || break
  sleep 1
done
[ "$slots" -gt 0 ] || worker_failed "the worker gave the periodic jobs no slots"
ok "$slots periodic jobs have their slots"
# The 5-minute job made due now: the worker's next housekeeping (every 30 s) enqueues it, and
# the worker runs it.
psql_db -c "UPDATE background_periodicslot SET due_at = now() - interval '1 second' WHERE name = 'governance.close_due'"
done_task=""
for _ in $(seq 1 90); do
  done_task="$(psql_db -F ' ' -c "SELECT task_path, status FROM django_tasks_database_dbtaskresult WHERE status IN ('SUCCESSFUL', 'FAILED')")"
  [ -n "$done_task" ] && break
  worker_running || break
  sleep 1
done
[ -n "$done_task" ] || worker_failed "the due job was not run"
echo "$done_task" | show 'task: '
echo "$done_task" | grep -q ' SUCCESSFUL$' || worker_failed "the job failed"
pod stop --time 30 "$WORKER" >/dev/null
pod logs "$WORKER" >"$LOG_DIR/worker.log" 2>&1
status="$(pod inspect --format '{{.State.ExitCode}}' "$WORKER")"
grep -v -e '^Starting worker' -e '^No more tasks to run' "$LOG_DIR/worker.log" | tail -n 5 | show
[ "$status" = 0 ] || fail "the worker exited $status on SIGTERM"
ok "the job ran as a task; exit 0 on SIGTERM ($(wc -l <"$LOG_DIR/worker.log") log lines in $LOG_DIR/worker.log)"

step "manage: commands by hand; PDF (WeasyPrint, Pango) and xmlsec1 as uid 10001"
out="$(run "$IMAGE" manage shell -c "from weasyprint import HTML; print(HTML(string='<p>Allianssi</p>').write_pdf()[:8])" 2>&1)"
echo "$out" | show
echo "$out" | grep -q "%PDF-" || fail "WeasyPrint made no PDF"
echo "$out" | grep -q "Fontconfig error" && fail "Fontconfig has no usable cache"
echo "$out" | grep -q "HarfBuzz-Subset" && fail "WeasyPrint finds no HarfBuzz subsetter"
out="$(run --entrypoint xmlsec1 "$IMAGE" --version)"
echo "$out" | show
pod stop --time 30 "$WEB" >/dev/null
ok "done; web stopped with exit $(pod inspect --format '{{.State.ExitCode}}' "$WEB")"
