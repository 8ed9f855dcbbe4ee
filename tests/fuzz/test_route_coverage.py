"""Every provider and control route is in an OpenAPI description, so schemathesis fuzzes it (issue 9).

The app's router is the truth: a route added without describing it fails here by name. Paths are
compared with their parameters unnamed (``/v2/sms/{id}`` and ``/v2/sms/{message_id}`` are one), Graph's
versioned and unversioned forms as one (``/v23.0/{node}/messages`` = ``/{node}/messages``), and with
and without a trailing slash as one (SMSGlobal and Graph serve both forms from one handler).
"""

from __future__ import annotations

import re
from functools import cache

import yaml

from sandbox.app import create_app
from sandbox.settings import Settings
from tests.fuzz.harness import TARGETS

Operation = tuple[str, str]  # (METHOD, normalised path)

OPERATIONS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
# Not operations: HEAD/OPTIONS mirror GET or are aiohttp's; "*" routes are catch-alls that answer every
# method a path does not serve with the provider's 404/405 (SMSGlobal, Graph's unknown edges).
SKIPPED_METHODS = {"HEAD", "OPTIONS", "*"}
INBOX_UI = ("/_sandbox/inbox", "/_sandbox/inbox/static/")  # the page and its assets: HTML/JS/CSS, not an API

# Routes that cannot be described for schemathesis, each with why. Keep this short.
ALLOWED_UNDESCRIBED: dict[Operation, str] = {
    ("GET", "/_sandbox/inbox/events"): "server-sent events: the stream never ends by design, so every call would "
                                       "hit the fuzz harness's hang timeout; tests/ui drives it with a real reader",
}


def _normalised(path: str) -> str:
    path = re.sub(r"^/(v\d+\.\d+|\{version\})(?=/)", "", path)  # Graph's version prefix
    path = re.sub(r"\{[^}]*\}", "{}", path)
    return path.rstrip("/") or "/"


def owner(path: str) -> str:
    """The fuzz target (harness.TARGETS) whose description must hold a path."""
    for prefix, name in (("/_sandbox", "control"), ("/openapi/", "maac"), ("/rest/", "modica"), ("/v2/", "smsglobal")):
        if path.startswith(prefix):
            return name
    return "meta"


@cache
def described() -> dict[str, set[Operation]]:
    found: dict[str, set[Operation]] = {}
    for name, target in TARGETS.items():
        assert target.spec is not None
        spec = yaml.safe_load(target.spec.read_text(encoding="utf-8"))
        found[name] = {(method.upper(), _normalised(path))
                       for path, item in spec["paths"].items() for method in item if method.upper() in OPERATIONS}
    return found


def served() -> dict[Operation, str]:
    """Each routed operation, normalised, -> one of the paths the router has for it (for messages)."""
    app = create_app(Settings(seed="coverage"))
    routes: dict[Operation, str] = {}
    for route in app.router.routes():
        resource = route.resource
        if route.method in SKIPPED_METHODS or resource is None:
            continue
        if resource.canonical.rstrip("/") == INBOX_UI[0] or resource.canonical.startswith(INBOX_UI[1]):
            continue
        routes.setdefault((route.method, _normalised(resource.canonical)), resource.canonical)
    return routes


def _listed(operations: set[Operation]) -> str:
    return "\n".join(f"  {method} {path}" for method, path in sorted(operations, key=lambda op: (op[1], op[0])))


def test_every_route_is_in_its_providers_openapi_description() -> None:
    routes = served()
    missing = {(m, routes[(m, p)]) for m, p in routes if (m, p) not in described()[owner(p)] and (m, p) not in ALLOWED_UNDESCRIBED}
    assert not missing, f"routes no OpenAPI description covers (so schemathesis never fuzzes them):\n{_listed(missing)}"


def test_every_described_operation_is_a_route() -> None:
    routes = served()
    stale = {op for ops in described().values() for op in ops if op not in routes}
    assert not stale, f"described operations the sandbox does not serve:\n{_listed(stale)}"


def test_allowed_undescribed_routes_still_exist_and_are_undescribed() -> None:
    routes, every = served(), set().union(*described().values())
    assert all(op in routes and op not in every for op in ALLOWED_UNDESCRIBED), ALLOWED_UNDESCRIBED


def test_normalising_joins_graph_versions_and_trailing_slashes() -> None:
    assert _normalised("/v23.0/{phone_number_id}/messages") == _normalised("/{node}/messages") == "/{}/messages"
    assert _normalised("/{version}/upload:{session}") == "/upload:{}"
    assert _normalised("/v2/sms/{id}/") == "/v2/sms/{}"
