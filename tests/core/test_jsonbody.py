"""jsonbody: every unusable request body is one json.JSONDecodeError; the orjson fast path reads and
writes exactly what the standard library would."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# orjson is the fast path; the standard library is the authority on what is accepted and written.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_dumps_ascii_writes_exactly_what_the_standard_library_writes(value):
    assert jsonbody.dumps_ascii(value) == json.dumps(value, separators=(",", ":")).encode("ascii")


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES | st.floats(allow_nan=True, allow_infinity=True), st.booleans())
def test_loads_accepts_and_reads_what_the_standard_library_reads(value, as_bytes):
    text = json.dumps(value, ensure_ascii=False)  # lone surrogates, NaN, huge integers included
    raw = text.encode("utf-8", "surrogatepass") if as_bytes else text
    try:
        expected = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        with pytest.raises(json.JSONDecodeError):
            jsonbody.loads(raw)
        return
    got = jsonbody.loads(raw)
    assert json.dumps(got) == json.dumps(expected)  # NaN != NaN, so compare as written


def test_non_string_keys_are_written_as_the_standard_library_writes_them():
    assert jsonbody.dumps_ascii({1: "a", "é": "\x7f"}) == b'{"1":"a","\\u00e9":"\\u007f"}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [(' [1, {"a": 2}]', [1, {"a": 2}]), ('{"b": null}', {"b": None}), ("[not json", "[not json"),
     ("plain", "plain"), (7, 7), (None, None), ("[" * 100 + "]" * 100, "[" * 100 + "]" * 100)],
)
def test_loads_if_json_decodes_only_strings_holding_an_object_or_array(value, expected):
    assert jsonbody.loads_if_json(value) == expected
