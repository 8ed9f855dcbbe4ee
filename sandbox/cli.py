"""``wa-sandbox serve|healthcheck``: every flag also reads a SANDBOX_* environment variable."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import fields
from typing import Any

from aiohttp import web

from sandbox import __version__, gcpolicy
from sandbox.connections import ConnectionGuard, GuardedSite, connection_cap
from sandbox.core.delivery_process import pays_on, usable_cpus
from sandbox.core.errors import SandboxError, ScenarioError
from sandbox.settings import LOG_LEVELS, Settings, bundled_scenarios


def _serve_parser(sub: Any) -> None:
    scenarios = ", ".join(sorted(f.stem for f in bundled_scenarios().glob("*.yaml")))
    p = sub.add_parser("serve", help="run the sandbox (the default command)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", help="bind address (SANDBOX_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (SANDBOX_PORT, default 8080)")
    p.add_argument("--scenario", help=f"scenario file, or the name of a bundled one: {scenarios} "
                                      "(SANDBOX_SCENARIO, default: default)")
    p.add_argument("--scenarios-dir", help="folder of scenarios the control API can switch to "
                                           "(SANDBOX_SCENARIOS_DIR, default: the scenario's folder)")
    p.add_argument("--public-url", help="base URL put in media URLs and paging links (SANDBOX_PUBLIC_URL)")
    p.add_argument("--clock", choices=["real", "manual"], help="virtual clock mode (SANDBOX_CLOCK, default real)")
    p.add_argument("--clock-speed", type=float, help="real-mode speed factor (SANDBOX_CLOCK_SPEED, default 1)")
    p.add_argument("--seed", help="seed for ids and randomness (SANDBOX_SEED, default: the scenario's seed, else 0)")
    p.add_argument("--meta-webhook-url", help="where Meta webhooks go (SANDBOX_META_WEBHOOK_URL)")
    p.add_argument("--log-level", type=str.lower, choices=[level.lower() for level in LOG_LEVELS],
                   help="logging level (SANDBOX_LOG_LEVEL, default info)")
    p.add_argument("--data-dir", help="persist state in SQLite here across restarts (SANDBOX_DATA_DIR; default: in memory)")
    p.add_argument("--data-dir-recover", action="store_true", default=None,
                   help="the data dir is damaged or partial: start from what can be read and log what was lost "
                        "(SANDBOX_DATA_DIR_RECOVER=1; without it such a start stops with exit 2)")
    p.add_argument("--media-fetch-links", help="hosts media links may be fetched from: off, public, loopback, private, "
                                               "any, addresses, networks, names (SANDBOX_MEDIA_FETCH_LINKS, default auto: "
                                               "loopback,public on a loopback bind, else public)")
    p.add_argument("--delivery-process", action=argparse.BooleanOptionalAction, default=None,
                   help="post webhooks from a child process, on another CPU (SANDBOX_DELIVERY_PROCESS=1/0; "
                        "default auto: on with 3 or more usable CPUs)")
    p.epilog = _env_only_epilog({action.dest for action in p._actions})


def _env_only_epilog(flags: set[str]) -> str:
    """The settings without a flag, so that `serve --help` names every knob; taken from Settings itself."""
    defaults = Settings()
    lines = ["environment only (README, Configuration):"]
    for f in fields(Settings):
        if f.name not in flags:
            lines.append(f"  SANDBOX_{f.name.upper():<32} default {_shown(getattr(defaults, f.name))}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _health_parser(sub: Any) -> None:
    p = sub.add_parser("healthcheck", help="exit 0 when the sandbox answers healthy (the image's HEALTHCHECK)")
    p.add_argument("--url", help="the sandbox's base URL (default http://127.0.0.1:$SANDBOX_PORT)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the answer (default 3)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wa-sandbox", description="Local WhatsApp/SMS provider sandbox. "
                                     "Without a command: serve, configured by the SANDBOX_* environment variables.")
    parser.add_argument("--version", action="version", version=f"wa-sandbox {__version__}")
    sub = parser.add_subparsers(dest="command")
    _serve_parser(sub)
    _health_parser(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "healthcheck":
            return healthcheck(args.url, args.timeout)
        if args.command in (None, "serve"):
            overrides = {k: v for k, v in vars(args).items() if k != "command"} if args.command else {}
            return serve(Settings.from_env(**overrides))
    except ValueError as exc:  # a setting out of range, or an environment variable that is not a number
        print(f"wa-sandbox: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


def healthcheck(url: str | None, timeout: float) -> int:
    base = url or Settings.from_env().local_url
    try:
        with urllib.request.urlopen(base.rstrip("/") + "/_sandbox/health", timeout=timeout) as resp:
            ok = resp.status == 200 and json.load(resp).get("status") == "ok"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print("healthy" if ok else "unhealthy")
    return 0 if ok else 1


def banner(settings: Settings, app: web.Application) -> str:
    """What a newcomer needs to point an application at the sandbox: every base URL and credential."""
    from sandbox.keys import RUNTIME

    rt = app[RUNTIME]
    base = settings.base_url
    # What it binds, as given (0.0.0.0 in the image): the URLs below are where clients reach it.
    host = f"[{settings.host}]" if ":" in settings.host else settings.host or "0.0.0.0"
    bound = f"http://{host}:{settings.port}"
    lines = [
        f"wa-sandbox {__version__} listening on {bound} (scenario: {rt.scenario.name}, clock: {rt.clock.mode}, "
        f"webhooks posted {'from a child process' if rt.dispatcher.remote else 'in-process'})",
        *([f"  Base URL         {base}  (in the URLs below, media URLs and paging links; --public-url)"] if bound != base else []),
        *(line for spec in rt.providers for line in spec.banner_urls(base)),
        f"  Control API      {base}/_sandbox/  (health, messages, wait, clock, inbound, webhooks)",
        f"  Web inbox        {base}/_sandbox/inbox",
    ]
    for spec in rt.providers:
        lines += spec.banner_credentials(rt[spec.key])
    return "\n".join(lines)


def decide_delivery_process(settings: Settings, cpus: int) -> None:
    """``delivery_process`` unset (auto): on where ``cpus`` (the CPUs this process may run on: taskset, a
    container's cpuset) make the child pay; a flag or SANDBOX_DELIVERY_PROCESS decides otherwise."""
    if settings.delivery_process is None:
        settings.delivery_process = pays_on(cpus)
        logging.getLogger(__name__).debug("%d usable CPUs: delivery process %s", cpus,
                                          "on" if settings.delivery_process else "off")


def serve(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from sandbox.app import create_app

    decide_delivery_process(settings, usable_cpus())
    try:
        app = create_app(settings)
    except SandboxError as exc:  # a scenario that does not load, a data dir that cannot be used
        if not isinstance(exc, ScenarioError) and not _is_data_dir_error(exc):
            raise
        print(f"wa-sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the settings name cannot be used (media dir, scenarios...)
        print(f"wa-sandbox: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return asyncio.run(_run(app, settings))


def _is_data_dir_error(exc: BaseException) -> bool:
    """Told without importing sandbox.core.datadir at start (it brings sqlite3, ~1 MB of idle RSS): only
    --data-dir raises its error, and by then it is imported."""
    datadir = sys.modules.get("sandbox.core.datadir")
    return datadir is not None and isinstance(exc, datadir.DataDirError)


def _warm(module: str) -> None:
    """Import ``module`` ahead of its first use; a failure here (no descriptor left under a connection flood)
    is not an error: the first use imports it again and reports what it must."""
    try:
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - best effort, never a traceback in the log
        logging.getLogger(__name__).debug("warming %s failed: %s", module, exc)


async def _run(app: web.Application, settings: Settings) -> int:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    loop = asyncio.get_running_loop()
    cap = connection_cap(settings.max_connections)
    if cap < settings.max_connections:
        logging.getLogger("sandbox.connections").info(
            "at most %d connections (SANDBOX_MAX_CONNECTIONS=%d, kept under the file-descriptor limit)", cap,
            settings.max_connections)
    guard = ConnectionGuard(cap, settings.header_timeout, settings.body_timeout, clock=loop.time)
    loop.set_exception_handler(guard.exception_handler)
    site = GuardedSite(runner, settings.host, settings.port, guard)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        print(f"wa-sandbox: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        print(banner(settings, app), flush=True)  # printed once listening: a readiness line for wrappers
    except BrokenPipeError:  # whoever started us stopped reading stdout; serving goes on without it
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces stdout for the process's life
    # faker is imported on first use (start-up budget); import it now, off the event loop, so the first
    # send to an unknown number does not pay ~50 ms for it.
    threading.Thread(target=_warm, args=("faker",), name="warm-faker", daemon=True).start()
    housekeeper = asyncio.create_task(gcpolicy.housekeeping(settings.gc_freeze_interval, settings.gc_full_interval))
    sweeper = asyncio.create_task(guard.run())
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    housekeeper.cancel()
    sweeper.cancel()
    from sandbox.keys import RUNTIME

    pending = len(app[RUNTIME].dispatcher.pending())
    if pending:
        await app[RUNTIME].dispatcher.idle(5.0)
        left = len(app[RUNTIME].dispatcher.pending())
        print(f"wa-sandbox: stopping with {left} webhook deliveries still pending", file=sys.stderr, flush=True)
    await runner.cleanup()
    return 0


if __name__ == "__main__":  # pragma: no cover
    os._exit(main())
