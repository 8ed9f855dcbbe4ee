"""jsonbody.loads: every unusable request body is one json.JSONDecodeError."""

from __future__ import annotations

import json

import pytest

from sandbox.core import jsonbody


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{nope", "Expecting property name"),
        (b"{\"a\": \"\xff\"}", "not UTF-8"),
        (b"[" * 100 + b"]" * 100, "nest deeper than 64"),
    ],
)
def test_unusable_bodies_raise_json_decode_error(raw, words):
    with pytest.raises(json.JSONDecodeError, match=words):
        jsonbody.loads(raw)


def test_ordinary_bodies_parse():
    assert jsonbody.loads(b'{"a": [1, {"b": "\\u00e9"}]}') == {"a": [1, {"b": "é"}]}
