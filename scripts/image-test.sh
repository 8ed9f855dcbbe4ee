#!/usr/bin/env bash
# Build the wa-sandbox container image from ./Dockerfile, run it, wait until
# its own HEALTHCHECK command reports healthy, send one WhatsApp template
# message to it, stop it with its STOPSIGNAL, and clean up.
#
# Two engines:
#   docker   when `docker info` works (a reachable Docker engine): plain
#            `docker build` / `docker run` with the Dockerfile's default base
#            (python:3.12-slim).
#   buildah  otherwise (as root, no engine, no container registry reachable):
#            debootstrap a minimal Debian bookworm with python3 + python3-venv,
#            import it as a local base image, `buildah bud --isolation chroot
#            --build-arg BASE=<that image>`, and `buildah run` the image's CMD
#            (chroot isolation shares the host network).
#   Force one with IMAGE_TEST_ENGINE=docker|buildah.
#
# The bootstrapped rootfs (a tarball) and the base image are cached outside the
# repository and reused while present:
#   WA_SANDBOX_IMAGE_CACHE   default /var/cache/wa-sandbox-image
#   IMAGE_TEST_REFRESH_BASE=1  re-bootstrap and re-import the base
#   DEBIAN_MIRROR            default http://deb.debian.org/debian
#   IMAGE_TEST_TAG           default localhost/wa-sandbox:image-test
#
# Every wait has a timeout; the script exits non-zero on the first failure and
# removes the containers it started (the built image is kept, tagged).
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

CACHE_DIR=${WA_SANDBOX_IMAGE_CACHE:-/var/cache/wa-sandbox-image}
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_PACKAGES=python3,python3-venv,ca-certificates
IMAGE_TAG=${IMAGE_TEST_TAG:-localhost/wa-sandbox:image-test}
ENGINE=${IMAGE_TEST_ENGINE:-auto}

# Time limits (seconds).
T_APT=300 T_LOCK=600 T_DEBOOTSTRAP=600 T_IMPORT=300 T_BUILD=600
T_HEALTHY=90 T_HEALTH_CMD=20 T_SEND=20 T_STOP=20

# Bump when the way the base is made changes: it keys the cache.
BASE_RECIPE_VERSION=1

START_TS=$(date +%s)
STEP_TS=$START_TS
STEP_NO=0
TIMINGS=()
WORK_DIR=""
CTR=""              # buildah working container / docker container id
SERVER_PID=""       # buildah mode: the `buildah run` process (own session)
VOLUME_NAME=""      # docker mode: the named volume mounted on /data

log()  { printf '%s\n' "$*"; }
die()  { printf '\nIMAGE TEST FAILED: %s\n' "$*" >&2; exit 1; }
step() {
    local now; now=$(date +%s)
    if [ "$STEP_NO" -gt 0 ]; then
        TIMINGS+=("$(printf '%4ss  %s' $((now - STEP_TS)) "$STEP_NAME")")
        log "    ... done in $((now - STEP_TS))s"
    fi
    STEP_NO=$((STEP_NO + 1)); STEP_TS=$now; STEP_NAME=$1
    [ "$1" = "end" ] || log "==> [$STEP_NO] $1"
}

cleanup() {
    local rc=$?
    set +e
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "--- cleanup: stopping server (pid $SERVER_PID)"
        kill -TERM -- "-$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "$CTR" ]; then
        log "--- cleanup: removing container $CTR"
        if [ "$ENGINE" = docker ]; then
            docker rm -f "$CTR" >/dev/null 2>&1
        else
            buildah rm "$CTR" >/dev/null 2>&1
        fi
    fi
    if [ -n "${VOLUME_NAME:-}" ] && [ "$ENGINE" = docker ]; then
        docker volume rm -f "$VOLUME_NAME" >/dev/null 2>&1
    fi
    [ -n "$WORK_DIR" ] && rm -rf "$WORK_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'printf "\nIMAGE TEST FAILED: line %s: %s (exit %s)\n" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Send one template message and check the answer. $1 = port.
send_one_message() {
    python3 - "$1" "$T_SEND" <<'PY'
import json, sys, urllib.request, urllib.error
port, timeout = sys.argv[1], float(sys.argv[2])
url = f"http://127.0.0.1:{port}/v23.0/100000000000001/messages"
body = {"messaging_product": "whatsapp", "to": "15550200001", "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}}}
req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                             headers={"Authorization": "Bearer sandbox-token",
                                      "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=timeout) as r:
        status, text = r.status, r.read().decode()
except urllib.error.HTTPError as e:
    status, text = e.code, e.read().decode(errors="replace")
print(f"    POST {url} -> {status} {text[:300]}")
if status != 200:
    sys.exit(f"expected HTTP 200, got {status}")
msg_id = json.loads(text)["messages"][0]["id"]
if not msg_id.startswith("wamid."):
    sys.exit(f"message id {msg_id!r} does not start with 'wamid.'")
print(f"    message id: {msg_id}")
# Files shipped as package data (the web inbox) made it into the
# non-editable install.
with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/inbox", timeout=timeout) as r:
    page = r.read()
print(f"    GET /_sandbox/inbox -> {r.status}, {len(page)} bytes")
if r.status != 200 or b"<html" not in page.lower():
    sys.exit("the web inbox page is missing from the image")
PY
}

# After a restart on the same /data: the message sent before is still listed. $1 = port.
check_kept() {
    python3 - "$1" "$T_SEND" <<'PY'
import json, sys, urllib.request
port, timeout = sys.argv[1], float(sys.argv[2])
with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/messages?to=15550200001", timeout=timeout) as r:
    messages = json.load(r)["messages"]
print(f"    GET /_sandbox/messages?to=15550200001 -> {len(messages)} message(s)")
if not messages:
    sys.exit("the message sent before the restart was not kept in /data")
PY
}

# The container's main process under `buildah run` (chroot isolation):
# buildah -> buildah-chroot-runtime -> buildah-chroot-exec -> the command.
main_pid() {
    local p=$1 c
    for _ in 1 2 3 4 5 6; do
        c=$(ps -o pid= --ppid "$p" | head -1 | tr -d ' ')
        [ -n "$c" ] || return 1
        case "$(ps -o args= -p "$c")" in
            buildah*) p=$c ;;
            *) echo "$c"; return 0 ;;
        esac
    done
    return 1
}

json_field() {  # $1 = JSON text, $2 = python expression on `v`
    python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# Checks of the image's configuration (same for both engines). $1 = config JSON
# (docker-style: Cmd, Env, User, ExposedPorts, Healthcheck, StopSignal).
check_config() {
    python3 - "$1" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
env = dict(e.split("=", 1) for e in c.get("Env") or [])
problems = []
def want(cond, what):
    print(f"    {'ok  ' if cond else 'FAIL'} {what}")
    if not cond: problems.append(what)
want(c.get("Cmd") == ["wa-sandbox", "serve"], f"CMD is [wa-sandbox, serve] ({c.get('Cmd')})")
want(c.get("User") not in (None, "", "root", "0", "0:0", "root:root"), f"runs as a non-root user ({c.get('User')!r})")
want("8080/tcp" in (c.get("ExposedPorts") or {}), "EXPOSE 8080")
for k, v in {"SANDBOX_HOST": "0.0.0.0", "SANDBOX_PORT": "8080",
             "SANDBOX_SCENARIO": "/app/scenarios/default.yaml"}.items():
    want(env.get(k) == v, f"ENV {k}={v}")
hc = (c.get("Healthcheck") or {}).get("Test") or []
want(hc[:1] in (["CMD"], ["CMD-SHELL"]) and "wa-sandbox healthcheck" in " ".join(hc), f"HEALTHCHECK {hc}")
want(c.get("StopSignal") in ("SIGTERM", "15"), f"STOPSIGNAL {c.get('StopSignal')}")
want("/data" in (c.get("Volumes") or {}), f"VOLUME /data for --data-dir ({sorted(c.get('Volumes') or {})})")
if problems: sys.exit("image configuration: " + "; ".join(problems))
PY
}

# The HEALTHCHECK test as an argv for `sh -c` / exec. $1 = config JSON.
health_argv() {
    python3 - "$1" <<'PY'
import json, sys
t = json.loads(sys.argv[1])["Healthcheck"]["Test"]
argv = ["sh", "-c", t[1]] if t[0] == "CMD-SHELL" else t[1:]
print("\0".join(argv), end="")
PY
}

# ---------------------------------------------------------------- preflight
cd "$REPO_DIR"
[ -f Dockerfile ] || die "no Dockerfile in $REPO_DIR"
command -v python3 >/dev/null || die "python3 is needed on the host (for JSON checks and the test request)"
WORK_DIR=$(mktemp -d /tmp/wa-sandbox-image-test.XXXXXX)

if [ "$ENGINE" = auto ]; then
    if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
        ENGINE=docker
    else
        ENGINE=buildah
    fi
fi
log "wa-sandbox image test: engine=$ENGINE repo=$REPO_DIR"

# ================================================================== docker ==
if [ "$ENGINE" = docker ]; then
    IMAGE_TAG=${IMAGE_TEST_TAG:-wa-sandbox:image-test}
    step "docker build -t $IMAGE_TAG"
    timeout "$T_BUILD" docker build -t "$IMAGE_TAG" "$REPO_DIR" || die "docker build failed"

    step "check image configuration"
    CONFIG=$(docker image inspect --format '{{json .Config}}' "$IMAGE_TAG")
    check_config "$CONFIG"
    SIZE=$(docker image inspect --format '{{.Size}}' "$IMAGE_TAG")

    step "docker run (published on 127.0.0.1, free port)"
    PORT=$(free_port)
    VOLUME_NAME="wa-sandbox-imgtest-data-$$"
    CTR=$(docker run -d --name "wa-sandbox-imgtest-$$" -p "127.0.0.1:$PORT:8080" \
            -v "$VOLUME_NAME:/data" -e SANDBOX_DATA_DIR=/data "$IMAGE_TAG") \
        || die "docker run failed"
    log "    container $CTR on 127.0.0.1:$PORT"
    UID_IN=$(timeout "$T_HEALTH_CMD" docker exec "$CTR" id -u) || die "docker exec id -u failed"
    [ "$UID_IN" != 0 ] || die "container runs as root"
    log "    runs as uid $UID_IN"

    step "wait for HEALTHCHECK (<= ${T_HEALTHY}s)"
    mapfile -d '' HC < <(health_argv "$CONFIG")
    deadline=$(( $(date +%s) + T_HEALTHY ))
    until timeout "$T_HEALTH_CMD" docker exec "$CTR" "${HC[@]}" >/dev/null 2>&1; do
        [ "$(docker inspect --format '{{.State.Running}}' "$CTR")" = true ] \
            || { docker logs "$CTR" 2>&1 | tail -50; die "container exited before it was healthy"; }
        [ "$(date +%s)" -lt "$deadline" ] \
            || { docker logs "$CTR" 2>&1 | tail -50; die "not healthy within ${T_HEALTHY}s"; }
        sleep 1
    done
    log "    healthy ($(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CTR") per docker)"

    step "send one template message"
    send_one_message "$PORT" || { docker logs "$CTR" 2>&1 | tail -50; die "send failed"; }

    step "docker stop (<= ${T_STOP}s)"
    timeout $((T_STOP + 10)) docker stop -t "$T_STOP" "$CTR" >/dev/null || die "docker stop failed"
    EXIT_CODE=$(docker inspect --format '{{.State.ExitCode}}' "$CTR")
    log "    exited with code $EXIT_CODE"
    docker logs "$CTR" > "$WORK_DIR/server.log" 2>&1 || true
    docker rm "$CTR" >/dev/null; CTR=""

    step "a new container on the same volume keeps the message"
    CTR=$(docker run -d --name "wa-sandbox-imgtest-$$" -p "127.0.0.1:$PORT:8080" \
            -v "$VOLUME_NAME:/data" -e SANDBOX_DATA_DIR=/data "$IMAGE_TAG") || die "docker run failed"
    deadline=$(( $(date +%s) + T_HEALTHY ))
    until timeout "$T_HEALTH_CMD" docker exec "$CTR" "${HC[@]}" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { docker logs "$CTR" 2>&1 | tail -50; die "not healthy again within ${T_HEALTHY}s"; }
        sleep 1
    done
    check_kept "$PORT" || { docker logs "$CTR" 2>&1 | tail -50; die "data not kept"; }
    docker rm -f "$CTR" >/dev/null; CTR=""
    docker volume rm "$VOLUME_NAME" >/dev/null || true
    step end
    log ""
    log "Timings:"; printf '  %s\n' "${TIMINGS[@]}"
    log "Image $IMAGE_TAG: $SIZE bytes ($(( SIZE / 1024 / 1024 )) MiB)"
    log "IMAGE TEST PASSED in $(( $(date +%s) - START_TS ))s"
    exit 0
fi

# ================================================================= buildah ==
[ "$(id -u)" = 0 ] || die "the buildah path needs root (chroot isolation, debootstrap)"

step "tools: buildah, debootstrap"
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
command -v flock >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    log "    installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout "$T_APT" apt-get update -qq || die "apt-get update failed"
    timeout "$T_APT" apt-get install -y -qq "${missing[@]}" >"$WORK_DIR/apt.log" 2>&1 \
        || { tail -30 "$WORK_DIR/apt.log"; die "apt-get install ${missing[*]} failed"; }
fi
log "    $(buildah --version); $(debootstrap --version)"

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock -w "$T_LOCK" 9 || die "another image test holds $CACHE_DIR/.lock for over ${T_LOCK}s"

# Containers left by an earlier run that was killed before its cleanup.
for stale in $(buildah containers --format '{{.ContainerName}}' 2>/dev/null | grep '^wa-sandbox-imgtest-' || true); do
    log "    removing stale container $stale"; buildah rm "$stale" >/dev/null 2>&1 || true
done

BASE_KEY=$(printf '%s|%s|%s|%s|%s' "$BASE_RECIPE_VERSION" "$DEBIAN_SUITE" "$DEBIAN_MIRROR" \
    "$BASE_PACKAGES" "$(uname -m)" | sha256sum | cut -c1-12)
BASE_IMAGE=localhost/wa-sandbox-base:$DEBIAN_SUITE-$BASE_KEY
ROOTFS_TAR=$CACHE_DIR/$DEBIAN_SUITE-$BASE_KEY.rootfs.tar

if [ "${IMAGE_TEST_REFRESH_BASE:-0}" = 1 ]; then
    log "    IMAGE_TEST_REFRESH_BASE=1: dropping cached base"
    buildah rmi "$BASE_IMAGE" >/dev/null 2>&1 || true
    rm -f "$ROOTFS_TAR"
fi

step "base rootfs (debootstrap $DEBIAN_SUITE + $BASE_PACKAGES)"
if buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    log "    base image $BASE_IMAGE present: rootfs not needed"
elif [ -s "$ROOTFS_TAR" ]; then
    log "    cached: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
else
    ROOTFS=$CACHE_DIR/$DEBIAN_SUITE-$BASE_KEY.rootfs.tmp
    rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
    log "    debootstrap --variant=minbase --include=$BASE_PACKAGES $DEBIAN_SUITE from $DEBIAN_MIRROR"
    if ! timeout "$T_DEBOOTSTRAP" debootstrap --variant=minbase --include="$BASE_PACKAGES" \
            "$DEBIAN_SUITE" "$ROOTFS" "$DEBIAN_MIRROR" >"$WORK_DIR/debootstrap.log" 2>&1; then
        tail -30 "$WORK_DIR/debootstrap.log"
        tail -30 "$ROOTFS/debootstrap/debootstrap.log" 2>/dev/null
        for m in proc sys dev/pts dev; do umount -l "$ROOTFS/$m" 2>/dev/null || true; done
        rm -rf "$ROOTFS"
        die "debootstrap failed (log above)"
    fi
    # Slim it like the official slim images: no apt lists/cache, docs, man
    # pages, logs; no device nodes (the runtime provides /dev).
    chroot "$ROOTFS" apt-get clean
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
           "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/var/log/* \
           "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
           "$ROOTFS"/usr/share/locale/* "$ROOTFS"/usr/share/lintian \
           "$ROOTFS"/etc/resolv.conf "$ROOTFS"/etc/hostname
    printf 'deb %s %s main\n' "$DEBIAN_MIRROR" "$DEBIAN_SUITE" >"$ROOTFS/etc/apt/sources.list"
    tar -C "$ROOTFS" --numeric-owner --xattrs -cf "$ROOTFS_TAR.tmp" \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        --exclude='./run/*' --exclude='./tmp/*' .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$ROOTFS"
    log "    wrote $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
fi

step "base image $BASE_IMAGE"
if buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
    log "    present (cached)"
else
    bctr=$(buildah from --name "wa-sandbox-imgtest-base-$$" scratch)
    CTR=$bctr
    timeout "$T_IMPORT" buildah add "$bctr" "$ROOTFS_TAR" / >/dev/null || die "importing the rootfs failed"
    buildah config \
        --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env LANG=C.UTF-8 \
        --cmd python3 \
        --label org.opencontainers.image.description="debootstrap $DEBIAN_SUITE minbase + $BASE_PACKAGES (wa-sandbox image test base)" \
        "$bctr"
    timeout "$T_IMPORT" buildah commit --quiet --rm "$bctr" "$BASE_IMAGE" >/dev/null || die "commit of the base failed"
    CTR=""
    log "    imported"
fi

step "buildah bud -t $IMAGE_TAG"
OLD_IMAGE_ID=$(buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE_TAG" 2>/dev/null || true)
# pip inside the build runs against the same network as the host: give it the
# host's CA bundle (for TLS-intercepting proxies), bind-mounted over the base's
# bundle for RUN steps only (the base's Debian pip reads that path). Nothing of
# it ends up in a layer; the Dockerfile stays a plain one for `docker build`.
# Mount targets that do not exist in the base would be left behind as empty
# files, so nothing else is mounted.
BUILD_MOUNTS=()
HOST_CA=${IMAGE_TEST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ -s "$HOST_CA" ]; then
    BUILD_MOUNTS+=(-v "$HOST_CA:/etc/ssl/certs/ca-certificates.crt:ro")
fi
if ! timeout "$T_BUILD" buildah bud --isolation chroot --format docker --pull=never \
        --build-arg "BASE=$BASE_IMAGE" "${BUILD_MOUNTS[@]}" \
        -f "$REPO_DIR/Dockerfile" -t "$IMAGE_TAG" "$REPO_DIR" 2>&1 | sed -u 's/^/    | /'; then
    die "buildah bud failed (see the build output above)"
fi
NEW_IMAGE_ID=$(buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE_TAG")
if [ -n "$OLD_IMAGE_ID" ] && [ "$OLD_IMAGE_ID" != "$NEW_IMAGE_ID" ]; then
    buildah rmi "$OLD_IMAGE_ID" >/dev/null 2>&1 || true   # our previous build, now untagged
fi

step "check image configuration"
CONFIG=$(buildah inspect --type image "$IMAGE_TAG" \
    | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["Docker"]["config"]))')
check_config "$CONFIG"
SIZE=$(buildah images --format '{{.Size}}' "$IMAGE_TAG" | head -1)
log "    image size: $SIZE"

step "start the image's CMD (buildah run)"
PORT=$(free_port)
CTR=$(buildah from --pull=never --name "wa-sandbox-imgtest-$$" "$IMAGE_TAG")
mapfile -t CMD < <(json_field "$CONFIG" '"\n".join(v["Cmd"])')
UID_IN=$(timeout "$T_HEALTH_CMD" buildah run --isolation chroot "$CTR" -- id -u) || die "buildah run id -u failed"
[ "$UID_IN" != 0 ] || die "the image's user is root"
log "    user: uid $UID_IN; no pip in the runtime: \
$(buildah run --isolation chroot "$CTR" -- python -m pip --version >/dev/null 2>&1 && echo NO || echo yes)"
# The image's CMD with persistence in its data volume (SANDBOX_DATA_DIR=/data).
start_server() {
    log "    ${CMD[*]}  (SANDBOX_PORT=$PORT SANDBOX_DATA_DIR=/data)"
    setsid buildah run --isolation chroot -e "SANDBOX_PORT=$PORT" -e SANDBOX_DATA_DIR=/data "$CTR" -- "${CMD[@]}" \
        >"$WORK_DIR/server.log" 2>&1 &
    SERVER_PID=$!
}

wait_healthy() {
    mapfile -d '' HC < <(health_argv "$CONFIG")
    log "    ${HC[*]}"
    local deadline=$(( $(date +%s) + T_HEALTHY )) tries=0
    until timeout "$T_HEALTH_CMD" buildah run --isolation chroot -e "SANDBOX_PORT=$PORT" "$CTR" -- "${HC[@]}" \
            >"$WORK_DIR/health.log" 2>&1; do
        tries=$((tries + 1))
        kill -0 "$SERVER_PID" 2>/dev/null \
            || { sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -50; die "the server exited before it was healthy"; }
        if [ "$(date +%s)" -ge "$deadline" ]; then
            sed 's/^/    health| /' "$WORK_DIR/health.log" | tail -20
            sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -50
            die "not healthy within ${T_HEALTHY}s"
        fi
        sleep 1
    done
    log "    healthy after $tries failed probe(s)"
}

stop_server() {
    local stop_signal main deadline
    stop_signal=$(json_field "$CONFIG" 'v.get("StopSignal") or "SIGTERM"')
    # Like `docker stop`: the image's STOPSIGNAL goes to the container's main
    # process only (not to buildah, which would kill its child outright).
    main=$(main_pid "$SERVER_PID") || die "cannot find the server process under buildah (pid $SERVER_PID)"
    log "    kill -s ${stop_signal#SIG} $main ($(ps -o args= -p "$main"))"
    kill -s "${stop_signal#SIG}" "$main"
    deadline=$(( $(date +%s) + T_STOP ))
    while kill -0 "$SERVER_PID" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -30
        die "the server did not stop within ${T_STOP}s of $stop_signal"
    fi
    set +e; wait "$SERVER_PID"; EXIT_CODE=$?; set -e
    SERVER_PID=""
    if [ "$EXIT_CODE" = 0 ]; then
        log "    stopped cleanly (exit code 0)"
    else
        log "    WARNING: the server exited with code $EXIT_CODE on $stop_signal (expected 0 for a graceful stop)"
    fi
    sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -15
}

DATA_OWNER=$(buildah run --isolation chroot "$CTR" -- stat -c %u /data) || die "no /data in the image"
[ "$DATA_OWNER" = "$UID_IN" ] || die "/data belongs to uid $DATA_OWNER, not to the image's user ($UID_IN)"
log "    /data belongs to the image's user"
start_server

step "wait for HEALTHCHECK (<= ${T_HEALTHY}s)"
wait_healthy

step "send one template message"
send_one_message "$PORT" \
    || { sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -50; die "the send failed"; }

step "stop: the image's STOPSIGNAL to the server process"
stop_server

step "restart on the same /data: the message is kept"
start_server
wait_healthy
check_kept "$PORT" || { sed 's/^/    server| /' "$WORK_DIR/server.log" | tail -50; die "data not kept"; }
stop_server
buildah rm "$CTR" >/dev/null; CTR=""

step end
log ""
log "Timings:"; printf '  %s\n' "${TIMINGS[@]}"
log "Image $IMAGE_TAG (base $BASE_IMAGE): $SIZE"
log "IMAGE TEST PASSED in $(( $(date +%s) - START_TS ))s"
