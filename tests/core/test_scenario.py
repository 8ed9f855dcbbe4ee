"""Scenario files: errors name file, line and rule; matching; every shipped scenario loads and is used."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox.core.errors import ScenarioError
from sandbox.core.scenario import ScenarioEngine, SendFacts, load_scenario, parse_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def facts(to: str = "15550200001", **kw: str) -> SendFacts:
    base = {"provider": "meta", "channel": "whatsapp", "business": "1", "user": to, "type": "text", "text": ""}
    return SendFacts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "f.yaml: the scenario file is empty"),
        ("version: [1\n", "f.yaml:2: not valid YAML"),
        ("- 1\n", "f.yaml:1: a scenario is a mapping"),
        ("name: x\n", "f.yaml:1: (top level): 'version' is a required property"),
        ("version: 1\nrules:\n  - name: a\n    match: {to: '1'}\n    timeline:\n      - {after: -1, status: sent}\n",
         "f.yaml:6: rules.0.timeline.0.after: -1 is less than the minimum of 0"),
        ("version: 1\nrules:\n  - {name: a, match: {}}\n  - {name: a, match: {}}\n", "f.yaml:4: rules.1: duplicate rule name 'a'"),
        ("version: 1\nrules:\n  - name: a\n    match: {colour: red}\n", "f.yaml:4: rules.0.match: Additional properties are not allowed"),
    ],
)
def test_errors_name_file_line_and_rule(text, expected):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "f.yaml")
    assert str(exc.value).startswith(expected)


def test_missing_file_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario("/nonexistent/scenario.yaml")


def engine(text: str) -> ScenarioEngine:
    return ScenarioEngine(parse_scenario(text), random.Random(0))


def test_first_matching_rule_wins():
    e = engine("version: 1\nrules:\n  - {name: a, match: {to: '1555*'}}\n  - {name: b, match: {to: '15550200001'}}\n")
    assert e.decide(facts()).rule == "a"


def test_a_rule_naming_the_number_exactly_still_waits_its_turn_behind_earlier_rules():
    text = """version: 1
rules:
  - {name: exact-first, match: {to: '+15550200002'}}
  - {name: any-image, match: {type: image}}
  - {name: exact-later, match: {to: ['+15550200001', '15550200003']}}
  - {name: anyone, match: {}}
"""
    e = engine(text)
    assert e.decide(facts("15550200002", type="image")).rule == "exact-first"
    assert e.decide(facts("15550200001", type="image")).rule == "any-image"
    assert e.decide(facts("15550200001")).rule == "exact-later"
    assert e.decide(facts("15550200003")).rule == "exact-later"
    assert e.decide(facts("15550200004")).rule == "anyone"


@pytest.mark.parametrize(
    ("pattern", "to", "hit"),
    [("1555*", "15550200001", True), ("1555*", "4415550200001", False), ("+1555020000?", "15550200007", True),
     ("1555020000[12]", "15550200003", False), (["44*", "+1555*"], "15550200001", True)],
)
def test_to_patterns_are_shell_wildcards_on_the_whole_number(pattern, to, hit):
    e = engine(f"version: 1\nrules:\n  - name: r\n    match: {{to: {pattern!r}}}\n")
    assert (e.decide(facts(to)).rule == "r") is hit


@pytest.mark.parametrize(
    ("match", "fact_kw", "hit"),
    [
        ("{type: image}", {"type": "image"}, True),
        ("{type: [image, video]}", {"type": "text"}, False),
        ("{channel: sms}", {"channel": "whatsapp"}, False),
        ("{contains: ORDER}", {"text": "your order 5"}, True),
        ("{template: hello_world}", {"template": "hello_world", "type": "template"}, True),
        ("{interactive_type: list}", {"type": "interactive", "interactive_type": "button"}, False),
        ("{provider: smsglobal}", {}, False),
    ],
)
def test_match_keys(match, fact_kw, hit):
    e = engine(f"version: 1\nrules:\n  - name: r\n    match: {match}\n")
    assert (e.decide(facts(**fact_kw)).rule == "r") is hit


def test_no_rule_gives_the_default_timeline():
    outcome = engine("version: 1\n").decide(facts())
    assert outcome.rule == "default" and [s.status for s in outcome.timeline] == ["sent", "delivered", "read"]


def test_personas_are_stable_per_number():
    e = engine("version: 1\n")
    assert e.persona("15550209999") == e.persona("15550209999")
    assert e.persona("15550209999").user_id.startswith("US.")


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads(path):
    assert load_scenario(path).name
