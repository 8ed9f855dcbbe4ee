"""Scenario files: errors name file, line and rule; matching; every shipped scenario loads and is used."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox.core.errors import ScenarioError
from sandbox.core.scenario import (
    NEUTRAL_REASONS,
    ScenarioEngine,
    SendFacts,
    check_reasons,
    load_scenario,
    parse_scenario,
    pick_target,
)

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


# --- failure reasons: a typo in `error: <reason>` is refused at load ---------------------------------

def provider_reasons() -> dict[str, frozenset[str] | None]:
    from sandbox.providers.maac.service import MaacProvider
    from sandbox.providers.meta.service import MetaProvider
    from sandbox.providers.modica.service import ModicaProvider
    from sandbox.providers.smsglobal.service import SmsglobalProvider

    providers = (MetaProvider, SmsglobalProvider, MaacProvider, ModicaProvider)
    return {p.name: p.failure_reasons for p in providers}


def check(text: str) -> None:
    check_reasons(parse_scenario(text, "f.yaml"), provider_reasons())


def test_unknown_error_reason_names_file_line_rule_and_the_known_reasons():
    text = "version: 1\nrules:\n  - name: vip\n    match: {to: '1555*'}\n    timeline:\n      - {after: 1, status: sent}\n" \
           "      - {after: 2, status: failed, error: blockd}\n"
    with pytest.raises(ScenarioError) as exc:
        check(text)
    message = str(exc.value)
    assert message.startswith("f.yaml:7: rules.0.timeline.1.error: rule 'vip': unknown failure reason 'blockd' "
                              "(did you mean 'blocked'?); known to the providers: ")
    assert "not_whatsapp_user" in message and "target_reception_issue" in message and "{code: 131026}" in message


def test_a_reason_must_be_known_to_a_provider_the_rule_names():
    pinned = "version: 1\nrules:\n  - name: m\n    match: {provider: maac}\n    timeline: [{after: 1, status: failed, error: phone_off}]\n"
    with pytest.raises(ScenarioError, match=r"f.yaml:5: .*'phone_off'; known to maac: blocked, "):
        check(pinned)
    check(pinned.replace("provider: maac", "provider: [maac, modica]"))  # Modica maps it (an expired DLR)


def test_reasons_in_object_form_one_of_and_default_are_checked():
    for text in (
        "version: 1\ndefault:\n  timeline: [{after: 1, status: failed, error: {reason: undeliverabel}}]\n",
        "version: 1\nrules:\n  - name: coin\n    match: {}\n    one_of:\n      - {weight: 1}\n"
        "      - {weight: 1, timeline: [{after: 1, status: failed, error: expird}]}\n",
    ):
        with pytest.raises(ScenarioError, match="unknown failure reason"):
            check(text)


def test_numeric_error_codes_are_not_checked():
    check("version: 1\ndefault:\n  timeline: [{after: 1, status: failed, error: {code: 999999, details: anything}}]\n")


def test_every_provider_declares_its_reasons_and_meta_maps_every_neutral_one():
    from sandbox.providers.meta.service import REASON_CODES

    assert set(REASON_CODES) == NEUTRAL_REASONS
    assert all(provider_reasons().values())


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_uses_known_reasons(path):
    check_reasons(load_scenario(path), provider_reasons())


def test_the_start_up_scenario_is_checked_for_unknown_reasons(tmp_path):
    from sandbox.runtime import build_runtime
    from sandbox.settings import Settings

    bad = tmp_path / "typo.yaml"
    bad.write_text("version: 1\ndefault:\n  timeline: [{after: 1, status: failed, error: undeliverabel}]\n")
    with pytest.raises(ScenarioError, match=rf"^{bad}:3: default.timeline.0.error: rule 'default': unknown failure reason"):
        build_runtime(Settings(scenario=str(bad)))


@pytest.mark.parametrize(("which", "expected"), [("first", "a"), ("last", "c"), (1, "b"), ("2", "c"), ("9", None),
                                                 ("c", "c"), ("²", None)])
def test_pick_target_takes_first_last_an_ascii_index_or_an_id(which, expected):
    items = [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    found = pick_target(items, which, "id")
    assert (found["id"] if found else None) == expected
