"""SMSGlobal MAC authentication: parse, sign and verify ``Authorization: MAC id=…, ts=…, nonce=…, mac=…``.

The algorithm (reference ``providers.md`` §A2, from the docs and every official SDK):

    normalized = ts \\n nonce \\n METHOD \\n request-URI \\n host \\n port \\n ext \\n     (ext is "")
    mac        = base64( HMAC-SHA256(key=API secret, msg=normalized) )

The SDKs disagree on the URI, host and port they sign (§A2 "How the SDKs differ"), so the lenient
verifier (the default) tries every combination of:

- URI:  the request target as received; and the path plus the query re-encoded the way Node's
        ``querystring.stringify`` does, which is what the npm SDK signs while axios puts ``+`` and
        ``:`` on the wire (§A2 "Gotcha", confirmed against the npm SDK).
- host: the Host header as sent (npm, Go: ``hostname:port``); its hostname without the port
        (.NET, Java, Postman); the hostname with the port the server listens on (Node's ``url.parse``
        keeps an explicit ``:80`` that Node's Host header drops); ``api.smsglobal.com`` (PHP signs its
        ``$domain`` whatever it is pointed at).
- port: 80 and 443 (npm signs by scheme and ignores the real port; PHP, Go and the first npm commit
        hard-code 443); the port in the Host header and the port the server listens on (Python v1
        example, Java, .NET ``Credentials.port``).

``strict=True`` accepts only the canonical form of the OAuth 2 HTTP MAC draft, which the reference
names as the source of the algorithm: the request target as received, the Host header's hostname in
lower case, and the Host header's port or else the scheme's default (80/443). Against the real host
that is ``api.smsglobal.com``/``443``. UNCONFIRMED: the reference gives no canonical form for a
non-production host, this is the sandbox's choice.

Replay protection (docs: "a single nonce can only be used once"; the window size is UNCONFIRMED):

- ``ts`` must be within ``window_seconds`` (default 300 s, the reference's suggestion) of ``now()``,
  in the past or the future. ``now`` must be wall-clock time, as clients sign with it; do not pass a
  virtual clock that is paused or sped up.
- A nonce is single-use per (API key, ts) pair, as in the HTTP MAC draft; UNCONFIRMED, chosen because
  the npm SDK's nonce is a random integer below 10^7 that would collide across requests at load.
  Nonces must also be at most 32 characters (docs).
- Used nonces are forgotten once their ``ts`` has left the window, when a replay fails the timestamp
  check anyway; so memory is bounded by the request rate times the window, and hard-capped by
  ``max_nonces`` (the oldest are dropped first).

Everything is per ``MacVerifier`` instance: no module-level mutable state.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from sandbox.core.errors import SandboxError

PRODUCTION_HOST = "api.smsglobal.com"
DEFAULT_WINDOW_SECONDS = 300.0
MAX_NONCE_LENGTH = 32  # docs: "no more than 32 characters long"
DEFAULT_MAX_NONCES = 100_000

_REQUIRED_FIELDS = ("id", "ts", "nonce", "mac")
_SCHEME = re.compile(r"\s*MAC(?:\s+|$)", re.IGNORECASE)
# One auth-param: name = "quoted string" | token, with optional blanks around "=".
_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]+))')
_NODE_SAFE = "!*'()"  # with quote()'s own A-Z a-z 0-9 _ . - ~: Node querystring's unescaped set
_QUOTED_PAIR = re.compile(r"\\(.)")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_PORT = re.compile(r"[0-9]{1,5}")


class MacAuthError(SandboxError):
    """The request's MAC authentication failed; ``reason`` says why and how to fix it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MacCredentials:
    key: str
    secret: str


@dataclass(frozen=True)
class MacHeader:
    """The fields of a parsed ``Authorization: MAC …`` header."""

    id: str
    ts: str
    nonce: str
    mac: str
    ext: str = ""


@dataclass(frozen=True)
class SigningForm:
    """One (URI, host, port) combination a client may have signed."""

    uri: str
    host: str
    port: str


def credentials_lookup(credentials: Iterable[MacCredentials]) -> Callable[[str], str | None]:
    """A ``credentials_lookup`` for ``MacVerifier`` over a fixed set of key/secret pairs."""
    secrets = {c.key: c.secret for c in credentials}
    return secrets.get


# --- signing -------------------------------------------------------------------------------------


def normalized_string(
    ts: int | str, nonce: str, method: str, uri: str, host: str, port: int | str, ext: str = ""
) -> str:
    """The string that is signed: seven fields, each followed by a line feed (§A2)."""
    return f"{ts}\n{nonce}\n{method.upper()}\n{uri}\n{host}\n{port}\n{ext}\n"


def compute_mac(secret: str, normalized: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), normalized.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(
    key: str,
    secret: str,
    method: str,
    uri: str,
    host: str,
    port: int | str,
    ts: int | str,
    nonce: str,
    ext: str = "",
) -> str:
    """The ``Authorization`` header value an official SDK would send (comma + space separators)."""
    mac = compute_mac(secret, normalized_string(ts, nonce, method, uri, host, port, ext))
    header = f'MAC id="{key}", ts="{ts}", nonce="{nonce}", mac="{mac}"'
    return header + (f', ext="{ext}"' if ext else "")


def node_canonical_query(query: str) -> str:
    """Re-encode a query string the way Node's ``querystring.stringify`` does (what the npm SDK signs).

    ``+`` becomes a space, ``%XX`` is decoded, blank values and order are kept, then every key and
    value is percent-encoded leaving only ``A-Z a-z 0-9 - _ . ~ ! * ' ( )`` (§A2 ``node_canonical``).
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{quote(k, safe=_NODE_SAFE)}={quote(v, safe=_NODE_SAFE)}" for k, v in pairs)


# --- parsing -------------------------------------------------------------------------------------


def parse_authorization(value: str) -> MacHeader:
    """Parse ``MAC id="…", ts="…", nonce="…", mac="…"``.

    Tolerated: any field order, blanks (or none) around ``,`` and ``=``, a lower-case scheme,
    unquoted token values, an empty list element (``,,`` or a trailing comma), unknown fields
    (ignored), and an ``ext`` field (signed as the seventh line, empty when absent).
    """
    scheme = _SCHEME.match(value)
    if scheme is None:
        found = value.strip().split(" ", 1)[0]
        raise MacAuthError(
            f'Authorization scheme must be MAC (MAC id="…", ts="…", nonce="…", mac="…"), got {found!r}'
        )
    fields: dict[str, str] = {}
    pos, need_comma = scheme.end(), False
    while pos < len(value):
        char = value[pos]
        if char in " \t":
            pos += 1
        elif char == ",":
            pos, need_comma = pos + 1, False
        elif need_comma:
            raise MacAuthError(
                f"malformed MAC Authorization header near {value[pos : pos + 20]!r}: expected ',' between fields"
            )
        else:
            param = _PARAM.match(value, pos)
            if param is None:
                raise MacAuthError(
                    f'malformed MAC Authorization header near {value[pos : pos + 20]!r}: expected name="value"'
                )
            name, quoted = param.group(1).lower(), param.group(2)
            if name in fields:
                raise MacAuthError(f"malformed MAC Authorization header: field {name!r} appears twice")
            fields[name] = _QUOTED_PAIR.sub(r"\1", quoted) if quoted is not None else param.group(3)
            pos, need_comma = param.end(), True
    missing = [f for f in _REQUIRED_FIELDS if not fields.get(f)]
    if missing:
        raise MacAuthError(f"MAC Authorization header is missing or has an empty {', '.join(missing)} field")
    if not _TIMESTAMP.fullmatch(fields["ts"]):
        raise MacAuthError(f"ts must be a Unix timestamp in whole seconds, got {fields['ts']!r}")
    return MacHeader(fields["id"], fields["ts"], fields["nonce"], fields["mac"], fields.get("ext", ""))


def split_host(host_header: str) -> tuple[str, int | None]:
    """``"h:8080"`` → ``("h", 8080)``; ``"[::1]:80"`` → ``("[::1]", 80)``; no or bad port → ``None``."""
    if host_header.startswith("[") and "]" in host_header:  # IPv6 literal
        end = host_header.index("]") + 1
        name, tail = host_header[:end], host_header[end:]
    elif host_header.count(":") == 1:
        name, tail = host_header.split(":")[0], host_header[host_header.index(":") :]
    else:
        return host_header, None
    if tail.startswith(":") and _PORT.fullmatch(tail[1:]):
        return name, int(tail[1:])
    return host_header, None


# --- replay protection ---------------------------------------------------------------------------


class NonceStore:
    """Used nonces, each remembered until it expires; at most ``max_entries`` (oldest dropped)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_NONCES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max_entries = max_entries
        self._expires: dict[tuple[str, ...], float] = {}  # maps (key, ts, nonce) to when it may be forgotten
        self._by_expiry: list[tuple[float, tuple[str, ...]]] = []  # heap of the same entries

    def __len__(self) -> int:
        return len(self._expires)

    def use(self, nonce_key: tuple[str, ...], now: float, expires_at: float) -> bool:
        """Record a nonce; False if it is already recorded (a replay)."""
        while self._by_expiry and self._by_expiry[0][0] <= now:
            self._drop_oldest()
        if nonce_key in self._expires:
            return False
        while len(self._expires) >= self._max_entries:
            self._drop_oldest()
        self._expires[nonce_key] = expires_at
        heapq.heappush(self._by_expiry, (expires_at, nonce_key))
        return True

    def _drop_oldest(self) -> None:
        _, nonce_key = heapq.heappop(self._by_expiry)
        del self._expires[nonce_key]


# --- verification --------------------------------------------------------------------------------


class MacVerifier:
    """Verifies SMSGlobal MAC headers; one instance per sandbox app (it owns the nonce store)."""

    def __init__(
        self,
        credentials_lookup: Callable[[str], str | None],
        now: Callable[[], float],
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        check_nonce: bool = True,
        strict: bool = False,
        check_timestamp: bool = True,
        max_nonces: int = DEFAULT_MAX_NONCES,
    ) -> None:
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        self._lookup = credentials_lookup
        self._now = now
        self.window_seconds = window_seconds
        self.check_nonce = check_nonce
        self.check_timestamp = check_timestamp
        self.strict = strict
        self._nonces = NonceStore(max_nonces)

    def verify(
        self,
        method: str,
        raw_path_and_query: str,
        host_header: str | None,
        server_port: int,
        scheme: str,
        authorization: str | None,
    ) -> str:
        """Return the API key of an authentic, fresh, first-seen request; raise ``MacAuthError`` if not."""
        if authorization is None or not authorization.strip():
            raise MacAuthError("missing Authorization header")
        header = parse_authorization(authorization)
        secret = self._lookup(header.id)
        if secret is None:
            raise MacAuthError(f"unknown API key {header.id!r}")
        self._check_signature(header, secret, method, raw_path_and_query, host_header, server_port, scheme)
        now = self._now()
        ts = int(header.ts)
        if self.check_timestamp:
            self._check_window(ts, now)
        if self.check_nonce:
            self._check_nonce(header, ts, now)
        return header.id

    def candidate_forms(
        self, raw_path_and_query: str, host_header: str | None, server_port: int, scheme: str
    ) -> list[SigningForm]:
        """The forms this verifier accepts for a request, the canonical one first."""
        canonical = canonical_form(raw_path_and_query, host_header, scheme)
        if self.strict:
            return [canonical] if canonical is not None else []
        uris = [raw_path_and_query]
        path, question, query = raw_path_and_query.partition("?")
        if question and query:
            uris.append(f"{path}?{node_canonical_query(query)}")
        hosts: list[str] = []
        ports = ["80", "443", str(server_port)]
        if host_header:
            hostname, port = split_host(host_header)
            hosts += [
                host_header,
                host_header.lower(),
                hostname,
                hostname.lower(),
                f"{hostname}:{server_port}",
            ]
            if port is not None:
                ports.append(str(port))
        hosts.append(PRODUCTION_HOST)
        forms = [
            SigningForm(u, h, p)
            for u in dict.fromkeys(uris)
            for h in dict.fromkeys(hosts)
            for p in dict.fromkeys(ports)
        ]
        if canonical is not None:
            forms.remove(canonical)
            forms.insert(0, canonical)
        return forms

    def _check_signature(
        self,
        header: MacHeader,
        secret: str,
        method: str,
        raw_path_and_query: str,
        host_header: str | None,
        server_port: int,
        scheme: str,
    ) -> None:
        forms = self.candidate_forms(raw_path_and_query, host_header, server_port, scheme)
        if self.strict and not forms:
            raise MacAuthError("missing Host header: strict mode signs the Host header's hostname and port")
        sent = header.mac.encode("utf-8")
        for form in forms:
            expected = compute_mac(secret, _normalized(header, method, form))
            if hmac.compare_digest(expected.encode("ascii"), sent):
                return
        raise MacAuthError(_mismatch_reason(header, method, forms, self.strict))

    def _check_window(self, ts: int, now: float) -> None:
        skew = ts - now
        if abs(skew) > self.window_seconds:
            direction = "in the future" if skew > 0 else "in the past"
            raise MacAuthError(
                f"timestamp outside the {_seconds(self.window_seconds)} s window: ts={ts} is "
                f"{_seconds(abs(skew))} s {direction} of server time {int(now)}; sign with the current Unix time"
            )

    def _check_nonce(self, header: MacHeader, ts: int, now: float) -> None:
        if len(header.nonce) > MAX_NONCE_LENGTH:
            raise MacAuthError(
                f"nonce is {len(header.nonce)} characters long; at most {MAX_NONCE_LENGTH} are allowed"
            )
        # With the window on, a nonce can be forgotten once its ts has left the window; without it,
        # it is remembered for one window after it was first seen.
        expires_at = (max(ts, now) if self.check_timestamp else now) + self.window_seconds
        if not self._nonces.use((header.id, header.ts, header.nonce), now, expires_at):
            raise MacAuthError(
                f"nonce already used: {header.nonce!r} with ts={header.ts}; send a new nonce per request"
            )


def canonical_form(raw_path_and_query: str, host_header: str | None, scheme: str) -> SigningForm | None:
    """The HTTP MAC draft's form: target as received, Host hostname lower-cased, Host port or scheme default."""
    if not host_header:
        return None
    hostname, port = split_host(host_header)
    if port is None:
        port = 443 if scheme.lower() == "https" else 80
    return SigningForm(raw_path_and_query, hostname.lower(), str(port))


def _normalized(header: MacHeader, method: str, form: SigningForm) -> str:
    return normalized_string(header.ts, header.nonce, method, form.uri, form.host, form.port, header.ext)


def _mismatch_reason(header: MacHeader, method: str, forms: list[SigningForm], strict: bool) -> str:
    canonical = _normalized(header, method, forms[0])
    if strict:
        return (
            f"signature mismatch: strict mode accepts only the canonical form, base64(HMAC-SHA256(secret, "
            f"{canonical!r})): the request URI as sent, the Host header's hostname, and its port or the scheme's default"
        )
    uris = sorted({f.uri for f in forms})
    hosts = sorted({f.host for f in forms})
    ports = sorted({f.port for f in forms}, key=int)
    return (
        f"signature mismatch: expected one of the SDK forms base64(HMAC-SHA256(secret, "
        f"'ts\\nnonce\\nMETHOD\\nURI\\nhost\\nport\\n\\n')) with URI in {uris}, host in {hosts}, "
        f"port in {ports}; the canonical string is {canonical!r}"
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
