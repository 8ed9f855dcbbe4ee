"""SMSGlobal MAC authentication (reference providers.md §A2)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sandbox.core.errors import SandboxError
from sandbox.providers.smsglobal.auth import (
    MacAuthError,
    MacCredentials,
    MacVerifier,
    NonceStore,
    compute_mac,
    credentials_lookup,
    node_canonical_query,
    normalized_string,
    parse_authorization,
    sign,
    split_host,
)

KEY = "sandbox-key"
SECRET = "sandbox-secret"
NOW = 1_700_000_000


class FakeClock:
    def __init__(self, t: float = NOW) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@dataclass(frozen=True)
class Request:
    """What the HTTP layer hands to the verifier."""

    method: str = "POST"
    target: str = "/v2/sms"
    host_header: str | None = "127.0.0.1:8080"
    server_port: int = 8080
    scheme: str = "http"


def make_verifier(clock: FakeClock | None = None, **options: object) -> MacVerifier:
    lookup = credentials_lookup([MacCredentials(KEY, SECRET)])
    return MacVerifier(lookup, clock or FakeClock(), **options)  # type: ignore[arg-type]


def verify(verifier: MacVerifier, request: Request, authorization: str | None) -> str:
    return verifier.verify(
        request.method,
        request.target,
        request.host_header,
        request.server_port,
        request.scheme,
        authorization,
    )


def canonical_header(
    request: Request, ts: int = NOW, nonce: str = "n1", key: str = KEY, secret: str = SECRET
) -> str:
    assert request.host_header is not None
    host, port = split_host(request.host_header)
    default = 443 if request.scheme == "https" else 80
    return sign(key, secret, request.method, request.target, host, port or default, ts, nonce)


# --- reference test vectors ----------------------------------------------------------------------


def test_reference_vector_post_to_production_host() -> None:
    normalized = "1325376000\nrandom-string\nPOST\n/v2/sms/\napi.smsglobal.com\n443\n\n"
    assert compute_mac("secret", normalized) == "/3hZ109m0VQEDORZ+sTa0AgtF/OnntA1SNEvpU1n1Zw="


def test_reference_vector_get_with_query_and_host_port() -> None:
    normalized = "1325376000\n12345\nGET\n/v2/sms?offset=1&limit=2\n127.0.0.1:8080\n80\n\n"
    assert compute_mac("secret", normalized) == "v1tziXXHY/9jbH8TP9UGByQJdIc27jMJsIYuljwbdCk="


def test_normalized_string_has_seven_lines_each_ending_in_line_feed() -> None:
    assert normalized_string(1325376000, "random-string", "post", "/v2/sms/", "api.smsglobal.com", 443) == (
        "1325376000\nrandom-string\nPOST\n/v2/sms/\napi.smsglobal.com\n443\n\n"
    )


def test_sign_produces_the_documented_header_format() -> None:
    header = sign("key", "secret", "POST", "/v2/sms/", "api.smsglobal.com", 443, 1325376000, "random-string")
    assert header == (
        'MAC id="key", ts="1325376000", nonce="random-string", mac="/3hZ109m0VQEDORZ+sTa0AgtF/OnntA1SNEvpU1n1Zw="'
    )


def test_sign_appends_ext_field_only_when_given() -> None:
    header = sign("key", "secret", "GET", "/v2/sms", "h", 80, 1, "n", ext="x")
    assert header.endswith(', ext="x"')


def test_verifier_accepts_reference_vector_request() -> None:
    header = (
        'MAC id="key", ts="1325376000", nonce="12345", mac="v1tziXXHY/9jbH8TP9UGByQJdIc27jMJsIYuljwbdCk="'
    )
    lookup = credentials_lookup([MacCredentials("key", "secret")])
    verifier = MacVerifier(lookup, FakeClock(1325376000))
    request = Request("GET", "/v2/sms?offset=1&limit=2", "127.0.0.1:8080", 8080, "http")
    assert verify(verifier, request, header) == "key"


# --- header parsing ------------------------------------------------------------------------------

PARSED = ("k", "1325376000", "abc", "bWFj")


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(
            'MAC id="k", ts="1325376000", nonce="abc", mac="bWFj"', id="comma-space (npm, PHP, Java, Go)"
        ),
        pytest.param('MAC id="k",ts="1325376000",nonce="abc",mac="bWFj"', id="no space (Python v1 example)"),
        pytest.param('MAC mac="bWFj", nonce="abc", id="k", ts="1325376000"', id="any order"),
        pytest.param('mac id="k", ts="1325376000", nonce="abc", mac="bWFj"', id="lower-case scheme"),
        pytest.param(
            'MAC  id = "k" ,  ts="1325376000" ,nonce="abc",  mac="bWFj"  ', id="blanks around = and ,"
        ),
        pytest.param("MAC id=k, ts=1325376000, nonce=abc, mac=bWFj", id="unquoted tokens"),
        pytest.param('MAC id="k", ts="1325376000", nonce="abc", mac="bWFj",', id="trailing comma"),
        pytest.param('MAC id="k",, ts="1325376000", nonce="abc", mac="bWFj"', id="empty list element"),
        pytest.param(
            'MAC id="k", ts="1325376000", nonce="abc", mac="bWFj", bodyhash="x"', id="unknown field"
        ),
        pytest.param('MAC ID="k", TS="1325376000", Nonce="abc", MAC="bWFj"', id="field names in any case"),
    ],
)
def test_parse_authorization_tolerates_variant(header: str) -> None:
    parsed = parse_authorization(header)
    assert (parsed.id, parsed.ts, parsed.nonce, parsed.mac) == PARSED


def test_parse_authorization_reads_ext_field() -> None:
    assert parse_authorization('MAC id="k", ts="1", nonce="n", mac="m", ext="extra"').ext == "extra"


def test_parse_authorization_unescapes_quoted_pairs() -> None:
    assert parse_authorization('MAC id="a\\"b", ts="1", nonce="n", mac="m"').id == 'a"b'


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param("Bearer abc", "Authorization scheme must be MAC", id="other scheme"),
        pytest.param(
            'id="k", ts="1", nonce="n", mac="m"', "Authorization scheme must be MAC", id="no scheme"
        ),
        pytest.param("MAC", "missing or has an empty id, ts, nonce, mac field", id="scheme only"),
        pytest.param('MAC ts="1", nonce="n", mac="m"', "missing or has an empty id field", id="no id"),
        pytest.param('MAC id="k", nonce="n", mac="m"', "missing or has an empty ts field", id="no ts"),
        pytest.param('MAC id="k", ts="1", mac="m"', "missing or has an empty nonce field", id="no nonce"),
        pytest.param('MAC id="k", ts="1", nonce="n"', "missing or has an empty mac field", id="no mac"),
        pytest.param(
            'MAC id="", ts="1", nonce="n", mac="m"', "missing or has an empty id field", id="empty id"
        ),
        pytest.param('MAC id="k" ts="1", nonce="n", mac="m"', "expected ',' between fields", id="no comma"),
        pytest.param(
            'MAC id="k", ts="1", nonce="n", mac="m', 'expected name="value"', id="unterminated quote"
        ),
        pytest.param("MAC garbage", 'expected name="value"', id="no equals sign"),
        pytest.param(
            'MAC id="k", id="j", ts="1", nonce="n", mac="m"', "field 'id' appears twice", id="duplicate"
        ),
        pytest.param(
            'MAC id="k", ts="1.5", nonce="n", mac="m"', "ts must be a Unix timestamp", id="fractional ts"
        ),
        pytest.param(
            'MAC id="k", ts="soon", nonce="n", mac="m"', "ts must be a Unix timestamp", id="word ts"
        ),
        pytest.param(
            'MAC id="k", ts="-1", nonce="n", mac="m"', "ts must be a Unix timestamp", id="negative ts"
        ),
    ],
)
def test_parse_authorization_rejects_malformed_header(header: str, reason: str) -> None:
    with pytest.raises(MacAuthError) as error:
        parse_authorization(header)
    assert reason in error.value.reason


@pytest.mark.parametrize("authorization", [None, "", "   "])
def test_verifier_rejects_missing_authorization_header(authorization: str | None) -> None:
    with pytest.raises(MacAuthError, match="^missing Authorization header$"):
        verify(make_verifier(), Request(), authorization)


def test_verifier_rejects_malformed_header_before_looking_up_key() -> None:
    with pytest.raises(MacAuthError, match="Authorization scheme must be MAC"):
        verify(make_verifier(), Request(), "Basic dXNlcjpwYXNz")


def test_verifier_rejects_unknown_api_key() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^unknown API key 'someone-else'$"):
        verify(make_verifier(), request, canonical_header(request, key="someone-else"))


def test_mac_auth_error_is_a_sandbox_error() -> None:
    assert issubclass(MacAuthError, SandboxError)


# --- SDK signing variants ------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    request: Request
    signed_uri: str
    signed_host: str
    signed_port: int
    canonical: bool
    separator: str = ", "

    def header(self, nonce: str = "n1", ts: int = NOW) -> str:
        mac = compute_mac(
            SECRET,
            normalized_string(
                ts, nonce, self.request.method, self.signed_uri, self.signed_host, self.signed_port
            ),
        )
        fields = [f'id="{KEY}"', f'ts="{ts}"', f'nonce="{nonce}"', f'mac="{mac}"']
        return "MAC " + self.separator.join(fields)


LOCAL = Request("POST", "/v2/sms", "127.0.0.1:18765", 18765, "http")
WIRE_QUERY = "/v2/sms?startDate=2020-01-01+00:00:00&endDate=2020-01-02+00:00:00&offset=1"
NODE_QUERY = "/v2/sms?startDate=2020-01-01%2000%3A00%3A00&endDate=2020-01-02%2000%3A00%3A00&offset=1"

VARIANTS: dict[str, Variant] = {
    # npm smsglobal 1.2.5 over http: host:port from url.parse, port 80 by scheme (§A2 table row 1, §A3).
    "npm-http": Variant(LOCAL, "/v2/sms", "127.0.0.1:18765", 80, False),
    # npm over https to a local TLS port: port 443 by scheme (§A2 table row 1).
    "npm-https": Variant(
        Request("GET", "/v2/sms/6", "localhost:8443", 8443, "https"),
        "/v2/sms/6",
        "localhost:8443",
        443,
        False,
    ),
    # npm signs the query as querystring.stringify encodes it; axios sends + and : (§A2 "Gotcha").
    "npm-date-filter-query": Variant(
        Request("GET", WIRE_QUERY, "127.0.0.1:18765", 18765, "http"), NODE_QUERY, "127.0.0.1:18765", 80, False
    ),
    # npm: url.parse keeps an explicit :80 in the host while Node's Host header drops it (§A2 row 1).
    "npm-explicit-default-port": Variant(
        Request("POST", "/v2/sms", "localhost", 80, "http"), "/v2/sms", "localhost:80", 80, False
    ),
    # npm initial commit: port hard-coded 443 (§A2 table row 2).
    "npm-initial-commit": Variant(LOCAL, "/v2/sms", "127.0.0.1:18765", 443, False),
    # PHP smsglobal-php: $domain api.smsglobal.com, port 443, wherever it is pointed (§A2 row 3, §A3).
    "php-v2": Variant(LOCAL, "/v2/sms", "api.smsglobal.com", 443, False),
    # PHP v1 rest-api-client-php: constructor host, useSsl ? 443 : 80 (§A2 row 4).
    "php-v1": Variant(
        Request("GET", "/v1/sms/", "127.0.0.1:18765", 18765, "http"), "/v1/sms/", "127.0.0.1", 80, False
    ),
    # .NET: uri.Host (no port), Credentials.port default "443" (§A2 row 5).
    "dotnet-default-port": Variant(
        Request("GET", "/v2/sms/?limit=5", "127.0.0.1:18765", 18765, "http"),
        "/v2/sms/?limit=5",
        "127.0.0.1",
        443,
        False,
    ),
    # .NET with Credentials.port set to the port it talks to (§A2 row 5, §A3).
    "dotnet-configured-port": Variant(LOCAL, "/v2/sms", "127.0.0.1", 18765, True),
    # Postman script: hostname without port, http → 80 (§A2 row 6).
    "postman-http": Variant(LOCAL, "/v2/sms", "127.0.0.1", 80, False),
    # Python v1 example: self.host and the real port, no space after commas (§A2 row 7).
    "python-v1-example": Variant(
        Request("GET", "/v1/sms/", "127.0.0.1:18765", 18765, "http"),
        "/v1/sms/",
        "127.0.0.1",
        18765,
        True,
        ",",
    ),
    # Java: uri.getHost() and the configured port (§A2 row 8).
    "java": Variant(LOCAL, "/v2/sms", "127.0.0.1", 18765, True),
    # Go: url.Host (with port) and hard-coded 443 (§A2 row 9).
    "go": Variant(LOCAL, "/v2/sms", "127.0.0.1:18765", 443, False),
    # Any SDK against the real host over https: api.smsglobal.com / 443 is also the canonical form.
    "production-host-https": Variant(
        Request("POST", "/v2/sms", "api.smsglobal.com", 443, "https"),
        "/v2/sms",
        "api.smsglobal.com",
        443,
        True,
    ),
}


def _select(canonical: bool) -> list[Variant]:
    return [v for v in VARIANTS.values() if v.canonical == canonical]


def _ids(canonical: bool) -> list[str]:
    return [name for name, v in VARIANTS.items() if v.canonical == canonical]


@pytest.mark.parametrize("variant", list(VARIANTS.values()), ids=list(VARIANTS))
def test_lenient_verifier_accepts_sdk_variant(variant: Variant) -> None:
    assert verify(make_verifier(), variant.request, variant.header()) == KEY


@pytest.mark.parametrize("variant", _select(canonical=False), ids=_ids(canonical=False))
def test_strict_verifier_rejects_non_canonical_sdk_variant(variant: Variant) -> None:
    with pytest.raises(
        MacAuthError, match="^signature mismatch: strict mode accepts only the canonical form"
    ):
        verify(make_verifier(strict=True), variant.request, variant.header())


@pytest.mark.parametrize("variant", _select(canonical=True), ids=_ids(canonical=True))
def test_strict_verifier_accepts_canonical_form(variant: Variant) -> None:
    assert verify(make_verifier(strict=True), variant.request, variant.header()) == KEY


def test_strict_verifier_uses_scheme_default_port_when_host_header_has_none() -> None:
    request = Request("GET", "/v2/sms", "sandbox.test", 8443, "https")
    header = sign(KEY, SECRET, "GET", "/v2/sms", "sandbox.test", 443, NOW, "n1")
    assert verify(make_verifier(strict=True), request, header) == KEY


def test_strict_verifier_lower_cases_host_header() -> None:
    request = Request("GET", "/v2/sms", "SandBox.Test:8080", 8080, "http")
    header = sign(KEY, SECRET, "GET", "/v2/sms", "sandbox.test", 8080, NOW, "n1")
    assert verify(make_verifier(strict=True), request, header) == KEY


def test_strict_verifier_rejects_request_without_host_header() -> None:
    request = Request(host_header=None)
    header = sign(KEY, SECRET, "POST", "/v2/sms", "127.0.0.1", 8080, NOW, "n1")
    with pytest.raises(MacAuthError, match="^missing Host header"):
        verify(make_verifier(strict=True), request, header)


def test_lenient_verifier_accepts_production_host_without_host_header() -> None:
    request = Request(host_header=None)
    header = sign(KEY, SECRET, "POST", "/v2/sms", "api.smsglobal.com", 443, NOW, "n1")
    assert verify(make_verifier(), request, header) == KEY


def test_verifier_signs_ext_field_from_header() -> None:
    request = Request()
    header = sign(KEY, SECRET, "POST", "/v2/sms", "127.0.0.1", 8080, NOW, "n1", ext="extra")
    assert verify(make_verifier(strict=True), request, header) == KEY


def test_candidate_forms_put_canonical_form_first() -> None:
    forms = make_verifier().candidate_forms("/v2/sms?a=b+c", "127.0.0.1:8080", 8080, "http")
    assert (forms[0].uri, forms[0].host, forms[0].port) == ("/v2/sms?a=b+c", "127.0.0.1", "8080")


# --- signature mismatch --------------------------------------------------------------------------


def test_verifier_rejects_mac_made_with_wrong_secret() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^signature mismatch: expected one of the SDK forms"):
        verify(make_verifier(), request, canonical_header(request, secret="wrong"))


def test_verifier_rejects_mac_signed_for_another_path() -> None:
    signed_for = Request(target="/v2/sms-incoming")
    with pytest.raises(MacAuthError, match="^signature mismatch"):
        verify(make_verifier(), Request(target="/v2/sms"), canonical_header(signed_for))


def test_verifier_rejects_mac_signed_for_another_method() -> None:
    signed_for = Request(method="GET")
    with pytest.raises(MacAuthError, match="^signature mismatch"):
        verify(make_verifier(), Request(method="DELETE"), canonical_header(signed_for))


def test_signature_mismatch_reason_shows_canonical_string_and_tried_hosts() -> None:
    request = Request()
    with pytest.raises(MacAuthError) as error:
        verify(make_verifier(), request, canonical_header(request, secret="wrong"))
    reason = error.value.reason
    assert repr(f"{NOW}\nn1\nPOST\n/v2/sms\n127.0.0.1\n8080\n\n") in reason
    assert "'api.smsglobal.com'" in reason and "'127.0.0.1:8080'" in reason


# --- timestamp window ----------------------------------------------------------------------------


def test_verifier_rejects_timestamp_older_than_window() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^timestamp outside the 300 s window: .* 301 s in the past"):
        verify(make_verifier(), request, canonical_header(request, ts=NOW - 301))


def test_verifier_rejects_timestamp_further_ahead_than_window() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^timestamp outside the 300 s window: .* 301 s in the future"):
        verify(make_verifier(), request, canonical_header(request, ts=NOW + 301))


@pytest.mark.parametrize("offset", [-300, 300])
def test_verifier_accepts_timestamp_at_window_edge(offset: int) -> None:
    request = Request()
    assert verify(make_verifier(), request, canonical_header(request, ts=NOW + offset)) == KEY


def test_verifier_uses_configured_window() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^timestamp outside the 60 s window"):
        verify(make_verifier(window_seconds=60), request, canonical_header(request, ts=NOW - 61))


def test_verifier_accepts_stale_timestamp_when_check_is_off() -> None:
    request = Request()
    assert verify(make_verifier(check_timestamp=False), request, canonical_header(request, ts=1)) == KEY


def test_verifier_reads_clock_on_each_request() -> None:
    clock = FakeClock()
    verifier = make_verifier(clock)
    request = Request()
    header = canonical_header(request, ts=NOW)
    clock.t = NOW + 1000
    with pytest.raises(MacAuthError, match="^timestamp outside"):
        verify(verifier, request, header)


def test_verifier_rejects_non_positive_window() -> None:
    with pytest.raises(ValueError):
        make_verifier(window_seconds=0)


# --- nonces --------------------------------------------------------------------------------------


def test_verifier_rejects_replayed_nonce() -> None:
    verifier, request = make_verifier(), Request()
    header = canonical_header(request, nonce="once")
    verify(verifier, request, header)
    with pytest.raises(MacAuthError, match="^nonce already used: 'once'"):
        verify(verifier, request, header)


def test_verifier_rejects_nonce_reused_with_same_timestamp_on_another_path() -> None:
    verifier = make_verifier()
    verify(verifier, Request(target="/v2/sms"), canonical_header(Request(target="/v2/sms"), nonce="same"))
    other = Request(method="GET", target="/v2/sms-incoming")
    with pytest.raises(MacAuthError, match="^nonce already used"):
        verify(verifier, other, canonical_header(other, nonce="same"))


def test_verifier_accepts_same_nonce_with_another_timestamp() -> None:
    verifier, request = make_verifier(), Request()
    verify(verifier, request, canonical_header(request, nonce="1234567", ts=NOW))
    assert verify(verifier, request, canonical_header(request, nonce="1234567", ts=NOW + 1)) == KEY


def test_verifier_accepts_same_nonce_for_another_api_key() -> None:
    lookup = credentials_lookup([MacCredentials(KEY, SECRET), MacCredentials("other", "other-secret")])
    verifier, request = MacVerifier(lookup, FakeClock()), Request()
    verify(verifier, request, canonical_header(request, nonce="shared"))
    header = canonical_header(request, nonce="shared", key="other", secret="other-secret")
    assert verify(verifier, request, header) == "other"


def test_verifier_accepts_replayed_nonce_when_check_is_off() -> None:
    verifier, request = make_verifier(check_nonce=False), Request()
    header = canonical_header(request)
    verify(verifier, request, header)
    assert verify(verifier, request, header) == KEY


def test_request_with_bad_signature_does_not_use_up_its_nonce() -> None:
    verifier, request = make_verifier(), Request()
    with pytest.raises(MacAuthError, match="^signature mismatch"):
        verify(verifier, request, canonical_header(request, nonce="keep", secret="wrong"))
    assert verify(verifier, request, canonical_header(request, nonce="keep")) == KEY


def test_verifier_rejects_nonce_longer_than_32_characters() -> None:
    request = Request()
    with pytest.raises(MacAuthError, match="^nonce is 33 characters long; at most 32"):
        verify(make_verifier(), request, canonical_header(request, nonce="a" * 33))


def test_verifier_accepts_32_character_hex_nonce() -> None:
    request = Request()
    assert verify(make_verifier(), request, canonical_header(request, nonce="0123456789abcdef" * 2)) == KEY


def test_replay_after_window_is_rejected_as_stale() -> None:
    clock = FakeClock()
    verifier, request = make_verifier(clock), Request()
    header = canonical_header(request)
    verify(verifier, request, header)
    clock.t = NOW + 301
    with pytest.raises(MacAuthError, match="^timestamp outside"):
        verify(verifier, request, header)


def test_verifier_forgets_nonces_once_their_timestamp_leaves_the_window() -> None:
    clock = FakeClock()
    verifier, request = make_verifier(clock), Request()
    for i in range(50):
        verify(verifier, request, canonical_header(request, nonce=f"n{i}"))
    clock.t = NOW + 301
    verify(verifier, request, canonical_header(request, ts=NOW + 301, nonce="late"))
    assert len(verifier._nonces) == 1


def test_verifier_without_window_remembers_nonce_for_one_window_after_first_use() -> None:
    clock = FakeClock()
    verifier, request = make_verifier(clock, check_timestamp=False), Request()
    header = canonical_header(request, ts=1)
    verify(verifier, request, header)
    clock.t = NOW + 299
    with pytest.raises(MacAuthError, match="^nonce already used"):
        verify(verifier, request, header)


def test_verifiers_do_not_share_nonces() -> None:
    request = Request()
    header = canonical_header(request)
    verify(make_verifier(), request, header)
    assert verify(make_verifier(), request, header) == KEY


def test_nonce_store_drops_oldest_entry_when_full() -> None:
    store = NonceStore(max_entries=2)
    store.use(("k", "1", "a"), now=0, expires_at=10)
    store.use(("k", "1", "b"), now=0, expires_at=20)
    store.use(("k", "1", "c"), now=0, expires_at=30)
    assert len(store) == 2 and store.use(("k", "1", "a"), now=0, expires_at=10)


def test_nonce_store_reports_replay() -> None:
    store = NonceStore()
    store.use(("k", "1", "a"), now=0, expires_at=10)
    assert not store.use(("k", "1", "a"), now=5, expires_at=15)


# --- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "startDate=2020-01-01+00:00:00", "startDate=2020-01-01%2000%3A00%3A00", id="plus and colon"
        ),
        pytest.param("offset=1&limit=2", "offset=1&limit=2", id="unchanged"),
        pytest.param("search=a%2Fb&x=", "search=a%2Fb&x=", id="slash stays escaped, blank kept"),
        pytest.param("s=!*'()~-_.", "s=!*'()~-_.", id="node unescaped set"),
        pytest.param("s=%E2%82%AC", "s=%E2%82%AC", id="utf-8"),
        pytest.param("b=2&a=1", "b=2&a=1", id="order kept"),
    ],
)
def test_node_canonical_query_matches_querystring_stringify(query: str, expected: str) -> None:
    assert node_canonical_query(query) == expected


@pytest.mark.parametrize(
    ("host_header", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("api.smsglobal.com", ("api.smsglobal.com", None)),
        ("[::1]:8080", ("[::1]", 8080)),
        ("[::1]", ("[::1]", None)),
        ("host:notaport", ("host:notaport", None)),
    ],
)
def test_split_host_separates_port(host_header: str, expected: tuple[str, int | None]) -> None:
    assert split_host(host_header) == expected


def test_credentials_lookup_returns_none_for_unknown_key() -> None:
    lookup = credentials_lookup([MacCredentials("a", "s")])
    assert (lookup("a"), lookup("b")) == ("s", None)
