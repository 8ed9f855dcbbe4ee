"""Multipart bodies whose boundary is missing, empty, over-long, garbled or not the one the body uses,
and bodies cut short, on every route that reads a form: every endpoint of the body fuzzer
(test_json_bodies.py: Graph reads any of them as a form) and the multipart uploads (Meta ``/media``,
Modica ``/rest/wab/v1/media``, Flow assets). Each answer: below 500, in the provider's own shape."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import FUZZ, TARGETS, fuzz_routes, request_and_check
from tests.fuzz.test_json_bodies import ENDPOINTS, PHONE

# A garbled part header is aiohttp's warning before it is our 400: expected here.
pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.BadContentDispositionHeader")

UPLOADS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("meta", "POST", f"/v23.0/{PHONE}/media", {"messaging_product": "whatsapp", "type": "image/png"}),
    ("meta", "POST", "/v23.0/1234567890/assets", {"name": "flow.json", "asset_type": "FLOW_JSON"}),
    ("modica", "POST", "/rest/wab/v1/media", {}),
]
FORM_ROUTES = ENDPOINTS + UPLOADS
BOUNDARY = "XYZ"

# The Content-Type's boundary parameter: absent, empty, a lone quote, over 70 characters, any printable
# text (mostly not the one the body uses), or the right one.
BOUNDARY_PARAMS = st.one_of(
    st.just(""), st.just("; boundary="), st.just('; boundary="'), st.just("; boundary=" + "b" * 71),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=80).map(lambda b: f"; boundary={b}"),
    st.just(f"; boundary={BOUNDARY}"),
)
MEDIA_TYPES = st.sampled_from(["multipart/form-data", "multipart/mixed", "multipart/related"])


def _form(fields: dict[str, Any]) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
                 "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n0000\r\n")
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode("utf-8", "surrogatepass")


def _bodies(fields: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """The well-formed form, cut anywhere (no closing boundary), with garbage before it, or random bytes."""
    whole = _form({k: v if isinstance(v, str) else str(v) for k, v in fields.items()})
    return st.one_of(
        st.just(whole),
        st.integers(0, len(whole) - 1).map(lambda n: whole[:n]),
        st.binary(max_size=40).map(lambda junk: junk + whole),
        st.binary(max_size=200),
    )


def _fuzz_route(base_url: str, target: str, method: str, path: str, fields: dict[str, Any]) -> None:
    session = requests.Session()
    auth = TARGETS[target].auth

    @FUZZ
    @given(media_type=MEDIA_TYPES, param=BOUNDARY_PARAMS, body=_bodies(fields))
    def run(media_type: str, param: str, body: bytes) -> None:
        request_and_check(session, method, base_url, path, body, auth=auth,
                          headers={"Content-Type": media_type + param})

    run()


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="real", clock_speed=1000, seed="fuzz", webhook_timeout=0.5, media_fetch_links=False)


@pytest.mark.parametrize("target", sorted({route[0] for route in FORM_ROUTES}))
async def test_malformed_multipart_never_fails(wa_sandbox: RunningSandbox, target: str, caplog: Any) -> None:
    await fuzz_routes(wa_sandbox.url, caplog, FORM_ROUTES, target, _fuzz_route)
