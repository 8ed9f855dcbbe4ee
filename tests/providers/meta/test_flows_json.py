"""Flow JSON checks (flow_json.check): the validation_errors an upload answers.

Sources: meta-openapi-v23.yaml "Upload Flow JSON Asset" example (INVALID_PROPERTY / JSON_SCHEMA_ERROR,
'The property "initial-text" cannot be specified at "$root/screens/0/..."', 1-based inclusive columns);
Meta's Flow JSON reference (version, screens; screen id letters and underscores, SUCCESS reserved;
SingleColumnLayout; a terminal screen; data_api_version needs routing_model; from 3.0 no data_channel_uri).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pywa_async.types.flows import CompleteAction, FlowJSON, Footer, Layout, Screen, TextHeading

from sandbox.providers.meta.flows.flow_json import check


def screen(screen_id: str = "WELCOME", **extra: Any) -> dict[str, Any]:
    return {"id": screen_id, "terminal": True, "layout": {"type": "SingleColumnLayout", "children": []}, **extra}


def errors(doc: Any) -> list[tuple[str, str]]:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc, indent=2).encode()
    return [(e["error"], e["message"]) for e in check(raw).validation_errors]


def test_a_flow_json_built_with_pywa_has_no_errors():
    flow = FlowJSON(version="7.3", screens=[Screen(id="WELCOME", title="Hi", terminal=True, layout=Layout(children=[
        TextHeading(text="Hello"), Footer(label="Done", on_click_action=CompleteAction(payload={"a": "b"}))]))])
    report = check(flow.to_json().encode())
    assert (report.validation_errors, report.json_version) == ([], "7.3")


def test_a_missing_version_is_required_at_root():
    assert errors({"screens": [screen()]}) == [("REQUIRED_PROPERTY_MISSING", 'The property "version" is required at "$root".')]


@pytest.mark.parametrize("version", ["1.0", "latest", 7.3])
def test_a_version_that_is_not_a_flow_json_version_is_invalid(version):
    assert [e for e, _ in errors({"version": version, "screens": [screen()]})] == ["INVALID_PROPERTY_VALUE"]


def test_an_unknown_top_level_property_cannot_be_specified():
    assert errors({"version": "7.3", "screens": [screen()], "theme": "dark"}) == [
        ("INVALID_PROPERTY", 'The property "theme" cannot be specified at "$root".')]


@pytest.mark.parametrize("screen_id", ["SCREEN_1", "SUCCESS", ""])
def test_a_screen_id_with_digits_empty_or_reserved_is_invalid(screen_id):
    assert [e for e, _ in errors({"version": "7.3", "screens": [screen(screen_id)]})] == ["INVALID_PROPERTY_VALUE"]


def test_two_screens_with_one_id_are_invalid():
    found = errors({"version": "7.3", "screens": [screen(), screen()]})
    assert found == [("INVALID_PROPERTY_VALUE", 'Screen id "WELCOME" is used by more than one screen.')]


def test_a_flow_without_a_terminal_screen_is_an_error():
    found = errors({"version": "7.3", "screens": [screen(terminal=False)]})
    assert [e for e, _ in found] == ["MISSING_TERMINAL_SCREEN"]


def test_a_layout_other_than_single_column_is_invalid():
    found = errors({"version": "7.3", "screens": [screen(layout={"type": "Grid", "children": []})]})
    assert found == [("INVALID_PROPERTY_VALUE", "Invalid value found for property 'type': expected SingleColumnLayout.")]


def test_data_api_version_needs_a_routing_model():
    found = errors({"version": "7.3", "data_api_version": "3.0", "screens": [screen()]})
    assert found == [("REQUIRED_PROPERTY_MISSING", 'The property "routing_model" is required at "$root".')]


def test_data_channel_uri_cannot_be_specified_from_flow_json_3():
    found = errors({"version": "3.0", "data_channel_uri": "https://example.com", "screens": [screen()]})
    assert [e for e, _ in found] == ["INVALID_PROPERTY"]
    assert errors({"version": "2.1", "data_channel_uri": "https://example.com", "screens": [screen()]}) == []


def test_an_unknown_property_points_at_its_name_with_inclusive_columns():
    raw = b'{\n  "version": "7.3",\n  "screens": [],\n    "initial-text": 1\n}'
    error = next(e for e in check(raw).validation_errors if e["error"] == "INVALID_PROPERTY")
    assert (error["line_start"], error["line_end"], error["column_start"], error["column_end"]) == (4, 4, 5, 18)
    assert error["pointers"] == [{"line_start": 4, "line_end": 4, "column_start": 5, "column_end": 18, "path": "initial-text"}]


def test_a_nested_value_points_at_the_value_with_a_dotted_path():
    raw = json.dumps({"version": "7.3", "screens": [screen(layout={"type": "Grid", "children": []})]}, indent=2).encode()
    error = check(raw).validation_errors[0]
    assert error["pointers"][0]["path"] == "screens[0].layout.type"
    line = raw.decode().splitlines()[error["line_start"] - 1]
    assert line[error["column_start"] - 1 : error["column_end"]] == '"Grid"'


def test_text_that_is_not_json_is_one_invalid_json_error_at_its_position():
    found = check(b'{\n  "version": "7.3",\n  "screens": [,]\n}').validation_errors
    assert [(e["error"], e["line_start"], e["column_start"]) for e in found] == [("INVALID_JSON", 3, 15)]


def test_a_json_array_is_not_a_flow():
    assert [e for e, _ in errors([screen()])] == ["INVALID_PROPERTY_VALUE"]
