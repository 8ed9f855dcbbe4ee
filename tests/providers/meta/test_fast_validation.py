"""The accept-fast path (compiled schemas) must never accept a body the explaining validator rejects,
and must really take the common sends (else it is dead weight)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.providers.meta.messages import fast_validation, schemas
from sandbox.providers.meta.messages.validation import SendValidator
from tests.fuzz.harness import json_paths
from tests.providers.meta.test_validation import DOCUMENTED

VALIDATOR = SendValidator()


def fast_accepts(body: dict[str, Any]) -> bool:
    return VALIDATOR.accepts_fast(body)


@pytest.mark.parametrize("kind", [*schemas.SEND_SCHEMA_BY_TYPE, fast_validation.STATUS])
def test_every_schema_translates_and_compiles(kind: str | None):
    assert callable(fast_validation.compiled(kind))


@pytest.mark.parametrize("negation", ["not", "if", "oneOf"])
def test_custom_keyword_where_deferring_would_loosen_the_check_is_refused(negation: str):
    inner = {"x-unique-by": "title"}
    schema = {"type": "object", negation: [inner] if negation == "oneOf" else inner}
    with pytest.raises(fast_validation.UnsoundSchema):
        fast_validation.standard_schema(schema)


def test_exactly_one_of_is_checked_on_the_fast_path():
    image = {"messaging_product": "whatsapp", "to": "16505551234", "type": "image"}
    assert fast_accepts({**image, "image": {"id": "1"}})
    assert not fast_accepts({**image, "image": {"id": "1", "link": "https://x.test/a.png"}})
    assert not fast_accepts({**image, "image": {}})


@pytest.mark.parametrize(
    "name",
    [
        "text",
        "template_text",
        "template_named_parameters",
        "image_id",
        "image_link",
        "interactive_cta_url",
        "mark_as_read",
    ],
)
def test_common_documented_sends_take_the_fast_path(name: str):
    assert name in DOCUMENTED, sorted(DOCUMENTED)
    assert fast_accepts(DOCUMENTED[name])


def test_a_rule_the_fast_path_cannot_state_defers_to_the_slow_path():
    body = copy.deepcopy(DOCUMENTED["location"])
    body["location"]["latitude"] = "91"  # a numeric string out of range: only x-number-range knows
    assert not fast_accepts(body)
    error = VALIDATOR.first_violation(body)
    assert error is not None and error.code == 131009


def test_every_documented_body_is_accepted_by_both_paths():
    for name, body in DOCUMENTED.items():
        assert VALIDATOR.first_violation(body) is None, name


# ------------------------------------------------------ soundness on mutated documented bodies --

ODD_VALUES = st.sampled_from(
    [
        None,
        "",
        " ",
        "x" * 5000,
        "91",
        "-181",
        "1e3",
        0,
        -1,
        1.5,
        10**20,
        True,
        False,
        [],
        {},
        [{}],
        {"a": 1},
        "\n\tline",
        "9" * 40,
        "HELLO",
        "https://x.test/a.png",
        "en_US",
    ]
)


def _mutate(body: dict[str, Any], path: tuple, action: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    parent: Any = body
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif action == "add_key" and isinstance(parent[last], dict):
        parent[last]["unexpected"] = value
    return body


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_never_accepts_what_the_slow_path_rejects(data: st.DataObject):
    body = DOCUMENTED[data.draw(st.sampled_from(sorted(DOCUMENTED)))]
    path = data.draw(st.sampled_from(json_paths(body)[1:]))
    action = data.draw(st.sampled_from(["replace", "delete", "duplicate", "add_key"]))
    mutated = _mutate(body, path, action, data.draw(ODD_VALUES))
    if fast_accepts(mutated):
        assert VALIDATOR.first_violation(mutated) is None, (path, action, mutated)


def test_a_null_type_is_not_taken_for_a_mark_as_read():
    body = {"messaging_product": "whatsapp", "to": "16505551234", "type": None, "text": {"body": "hi"}}
    assert not fast_accepts(body)
    assert VALIDATOR.first_violation(body) is not None
