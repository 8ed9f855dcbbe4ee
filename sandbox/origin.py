"""Cross-site defences of a local server (docs/security.md): a web page the developer happens to open must
not drive the sandbox, and a DNS-rebinding page must not read it.

Three checks, in the app's one middleware, before any handler:
- ``Host`` must be one of the sandbox's names: an IP address literal, a single-label name (``localhost``,
  Docker service names such as ``sandbox``), a name under a suffix no public DNS serves (``.localhost``,
  ``.internal`` as in ``host.docker.internal``, ``.test``, ``.example``, ``.invalid``), the host of ``--public-url`` or ``--host``, or a name in
  ``SANDBOX_ALLOWED_HOSTS``. A rebinding page sends its own dotted public name, which is none of these
  (Vite's ``server.allowedHosts`` and Jupyter's ``local_hostnames`` draw the same line). 403 otherwise.
- A request that carries ``Origin`` (browsers send it on every cross-origin request and every POST) must
  come from the sandbox's own origin, ``--public-url``'s, or ``SANDBOX_ALLOWED_ORIGINS``. 403 otherwise.
  Programs (curl, SDKs, the pytest plugin) send no Origin and are not affected.
- Writes to the control API (/_sandbox: POST, PUT, PATCH, DELETE) take only ``application/json``: a
  ``text/plain`` or form body is what a cross-site page can send without a CORS preflight. 415 otherwise.
  A write without a body (``curl -X POST .../reset``) is fine unless its Content-Type is one of those
  three, and so are untyped bytes (``application/octet-stream``).

Cost on the provider hot path: one dict lookup (the verdict for a Host header is remembered) and one
header lookup; the Content-Type check runs only for writes to control paths.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.settings import Settings
from sandbox.workspaces.names import PATH_PREFIX, split

CONTROL_PREFIX = "/_sandbox"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON = "application/json"
# What HTTP clients say for bytes given no type (aiohttp's data=b"..."): read as JSON, as before. A page
# cannot send it cross-site without a preflight, which the sandbox never answers with CORS headers.
UNTYPED = "application/octet-stream"
# The body types a page may POST cross-site without a CORS preflight (Fetch standard, "CORS-safelisted
# request-header"): refused on control writes even with an empty body (an empty form can still reset).
SIMPLE_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
# Names no public DNS answers for (RFC 6761: .localhost, .test, .example, .invalid; .internal, reserved by
# ICANN in 2024 for private use: Docker's host.docker.internal), so a rebinding page cannot be served from them.
LOCAL_SUFFIXES = (".localhost", ".internal", ".test", ".example", ".invalid")
MAX_REMEMBERED = 256  # Host headers whose verdict is kept; past it, new ones are judged each time
DEFAULT_PORTS = {"http": "80", "https": "443"}

Refusal = tuple[int, str]


def is_control_path(path: str) -> bool:
    """The control API and the inbox: ``/_sandbox`` and below, also behind a workspace prefix
    ``/w/{name}/_sandbox...`` (so the checks keep holding when workspaces route by path)."""
    if path.startswith(PATH_PREFIX):
        path = split(path)[1]
    return path.startswith(CONTROL_PREFIX) and (len(path) == len(CONTROL_PREFIX) or path[len(CONTROL_PREFIX)] == "/")


def host_name(authority: str) -> str:
    """``Sandbox:8080`` -> ``sandbox``; ``[::1]:8080`` -> ``::1``; a trailing dot dropped."""
    name = authority.strip().lower()
    if name.startswith("["):
        return name[1:name.find("]")] if "]" in name else name[1:]
    if name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name.rstrip(".")


def _authority(origin_or_host: str, scheme: str = "http") -> str:
    """``http://Sandbox:80`` or ``sandbox:80`` -> ``sandbox`` (default port dropped), for comparing."""
    if "://" in origin_or_host:
        scheme, origin_or_host = origin_or_host.split("://", 1)
    authority = origin_or_host.strip().lower().rstrip("/")
    default = DEFAULT_PORTS.get(scheme.lower())
    if default and authority.endswith(":" + default):
        authority = authority[: -len(default) - 1]
    return authority


def _patterns(value: str) -> list[str]:
    return [item.strip().lower() for item in value.replace(" ", ",").split(",") if item.strip()]


@dataclass
class SameOrigin:
    """The checks above, built once from the settings."""

    hosts: frozenset[str] = frozenset()  # names allowed besides the built-in ones
    suffixes: tuple[str, ...] = LOCAL_SUFFIXES  # ".example.test": the name and every name under it
    any_host: bool = False  # SANDBOX_ALLOWED_HOSTS=*
    origins: frozenset[str] = frozenset()  # authorities of other allowed origins ("app.test:3000")
    any_origin: bool = False  # SANDBOX_ALLOWED_ORIGINS=*
    verdicts: dict[str, bool] = field(default_factory=dict)  # maps a Host header -> allowed

    @classmethod
    def from_settings(cls, settings: Settings) -> SameOrigin:
        hosts, suffixes = set(), list(LOCAL_SUFFIXES)
        entries = _patterns(settings.allowed_hosts)
        for entry in entries:
            if entry.startswith("."):
                suffixes.append(entry)
                hosts.add(entry[1:])
            elif entry != "*":
                hosts.add(host_name(entry))
        hosts.add(host_name(settings.host))
        origins = {_authority(o) for o in _patterns(settings.allowed_origins) if o != "*"}
        if settings.public_url:
            public = urlsplit(settings.public_url)
            if public.hostname:
                hosts.add(public.hostname.lower())
            origins.add(_authority(f"{public.scheme}://{public.netloc}"))
        return cls(frozenset(hosts), tuple(suffixes), "*" in entries, frozenset(origins),
                   "*" in _patterns(settings.allowed_origins))

    def refusal(self, request: web.Request) -> Refusal | None:
        """(status, reason) when the request is refused, else None."""
        headers = request.headers
        host = headers.get("Host")
        if host is not None and not self.any_host:
            allowed = self.verdicts.get(host)
            if allowed is None:
                allowed = self._judge(host)
            if not allowed:
                return 403, (f"Host {host!r} is not a name of this sandbox; add it to SANDBOX_ALLOWED_HOSTS "
                             "(docs/security.md)")
        origin = headers.get("Origin")
        if origin is not None and not self._own_origin(origin, host):
            return 403, (f"requests from the web page at {origin!r} are refused (the sandbox's own pages and "
                         "SANDBOX_ALLOWED_ORIGINS only; docs/security.md)")
        if request.method in WRITE_METHODS and is_control_path(request.path) and "Content-Type" in headers:
            ctype = request.content_type
            if ctype in SIMPLE_TYPES or (ctype not in (JSON, UNTYPED) and request.body_exists):
                return 415, (f"the body must be JSON sent with Content-Type: {JSON}, not {request.content_type!r} "
                             f"(curl: -H 'Content-Type: {JSON}')")
        return None

    def allows_host(self, host: str) -> bool:
        return self.any_host or self._judge(host)

    def _judge(self, host: str) -> bool:
        name = host_name(host)
        try:
            ipaddress.ip_address(name)
            allowed = True  # an address literal cannot be rebound to another address
        except ValueError:
            allowed = "." not in name or name in self.hosts or name.endswith(self.suffixes)
        if len(self.verdicts) < MAX_REMEMBERED:
            self.verdicts[host] = allowed
        return allowed

    def _own_origin(self, origin: str, host: str | None) -> bool:
        if self.any_origin:
            return True
        if "://" not in origin:  # "null" (sandboxed frames, file: pages) is nobody's own origin
            return False
        authority = _authority(origin)
        return (host is not None and authority == _authority(host, origin.split("://", 1)[0])) or authority in self.origins
