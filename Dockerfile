# wa-sandbox: a local mock of the WhatsApp Cloud API and SMS provider APIs.
#
#   docker build -t wa-sandbox:local .
#   docker run --rm -p 8080:8080 wa-sandbox:local
#   docker run --rm -p 8080:8080 -v "$PWD/scenarios:/app/scenarios:ro" \
#       -e SANDBOX_SCENARIO=/app/scenarios/my-scenario.yaml wa-sandbox:local
#   docker run --rm -p 8080:8080 -v wa-sandbox-data:/data -e SANDBOX_DATA_DIR=/data wa-sandbox:local
#
# No `# syntax=` line: BuildKit would pull that frontend image from a registry,
# which fails where builds are offline; nothing here needs a newer frontend.
#
# BASE may be any Debian-like image with python3 (>= 3.11) and its venv module.
# The default is the official slim image; scripts/image-test.sh builds with a
# locally bootstrapped Debian base where no registry is reachable.
ARG BASE=python:3.12-slim

# ---------------------------------------------------------------------------
# Stage 1: install the package and its runtime dependencies into a venv.
# Every dependency ships binary wheels, so no compiler is needed; pip, the
# build backend and the sources stay in this stage.
# ---------------------------------------------------------------------------
FROM ${BASE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python3 -m venv /opt/venv

WORKDIR /src
COPY pyproject.toml README.md ./
COPY sandbox/ sandbox/
COPY scenarios/ scenarios/

# A regular (non-editable) install without extras: no test/dev tools. pip
# byte-compiles what it installs, so the non-root runtime (and every
# healthcheck) starts without compiling. Then pip/setuptools/wheel leave the
# venv: nothing is installed at run time.
RUN /opt/venv/bin/pip install --no-cache-dir . \
 && /opt/venv/bin/pip uninstall --yes --quiet setuptools wheel pip \
 && /opt/venv/bin/python -c "import sandbox.cli"

# ---------------------------------------------------------------------------
# Stage 2: the runtime image: base + venv + scenarios, non-root.
# ---------------------------------------------------------------------------
FROM ${BASE}

LABEL org.opencontainers.image.title="wa-sandbox" \
      org.opencontainers.image.description="Local mock of the WhatsApp Cloud API and SMS provider APIs" \
      org.opencontainers.image.licenses="MIT" \
      io.wa-sandbox.scenarios.mount="/app/scenarios" \
      io.wa-sandbox.data.mount="/data"

RUN groupadd --gid 10001 sandbox \
 && useradd --uid 10001 --gid sandbox --no-log-init --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin sandbox \
 && mkdir /data && chown sandbox:sandbox /data && chmod 0750 /data

COPY --from=build /opt/venv /opt/venv
COPY --chown=root:root scenarios/ /app/scenarios/

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_SCENARIO=/app/scenarios/default.yaml

WORKDIR /app
USER sandbox:sandbox

# Scenarios folder: the image ships the repository's scenarios here (read-only
# for the sandbox user). Mount your own folder over it, e.g.
#   -v ./my-scenarios:/app/scenarios:ro  -e SANDBOX_SCENARIO=/app/scenarios/x.yaml
# It is deliberately not a VOLUME: it is configuration, not state, and a VOLUME
# would leave an anonymous volume behind on every `docker run`.

# Data folder for --data-dir (SANDBOX_DATA_DIR=/data): owned by the sandbox user,
# so a named volume mounted here starts writable (Docker copies the owner into a
# new volume). Persistence stays opt-in: without SANDBOX_DATA_DIR the sandbox
# keeps everything in memory, as before. A host folder bind-mounted here keeps
# its own owner: make it writable by uid 10001 (or run with --user).
VOLUME ["/data"]

EXPOSE 8080

# Probes the local port itself (not SANDBOX_PUBLIC_URL, which may name an
# address that only other containers or the host can reach).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD wa-sandbox healthcheck --url "http://127.0.0.1:${SANDBOX_PORT:-8080}"

STOPSIGNAL SIGTERM

CMD ["wa-sandbox", "serve"]
