"""Scenarios that extend another (README "Extending a scenario"): what is merged how, where errors
point, how the base is found; and unknown top-level keys refused with file:line."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox.core.errors import ScenarioError
from sandbox.core.scenario import ScenarioEngine, check_reasons
from sandbox.scenarios import load_scenario, parse_scenario
from tests.core.test_scenario import facts

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelled_top_level_key_is_refused_with_its_line_and_the_key_meant():
    text = "version: 1\nname: x\n\nrulez:\n  - {name: a, match: {}}\n"
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "mine.yaml")
    message = str(exc.value)
    assert message.startswith("mine.yaml:4: (top level): Additional properties are not allowed ('rulez' was unexpected)")
    assert "(did you mean 'rules'?)" in message


def test_extends_default_by_name_brings_its_templates_magic_numbers_and_businesses(tmp_path):
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: default\n")
    scenario = load_scenario(mine, (SCENARIOS,))
    default = load_scenario(SCENARIOS / "default.yaml")
    assert scenario.name == "mine"
    assert scenario.section("meta")["templates"] == default.section("meta")["templates"]
    assert scenario.section("meta")["businesses"] == default.section("meta")["businesses"]
    assert scenario.magic_numbers() == default.magic_numbers()
    assert scenario.section("smsglobal") == default.section("smsglobal")


def test_my_rules_come_first_and_replace_the_bases_rule_of_the_same_name(tmp_path):
    write(tmp_path, "base.yaml", "version: 1\nrules:\n  - {name: a, match: {to: '1'}}\n  - {name: b, match: {to: '2'}}\n")
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: base\nrules:\n"
                 "  - {name: b, match: {to: '3'}}\n  - {name: c, match: {to: '*'}}\n")
    rules = load_scenario(mine).rules
    assert [(r["name"], r["match"]["to"]) for r in rules] == [("b", "3"), ("c", "*"), ("a", "1")]


def test_businesses_templates_and_personas_merge_by_their_key(tmp_path):
    write(tmp_path, "base.yaml", """version: 1
meta:
  businesses:
    - {phone_number_id: "1", waba_id: "9", display_phone_number: "+1 1", verified_name: Base One}
    - {phone_number_id: "2", waba_id: "9", display_phone_number: "+1 2"}
  templates:
    - {name: t, language: en_US, category: UTILITY, components: [{type: BODY, text: base}]}
    - {name: t, language: es, category: UTILITY, components: [{type: BODY, text: base es}]}
personas:
  - {number: "+15550300001", name: Base Person}
""")
    mine = write(tmp_path, "mine.yaml", """version: 1
extends: ./base.yaml
meta:
  businesses:
    - {phone_number_id: "3", waba_id: "9", display_phone_number: "+1 3"}
    - {phone_number_id: "1", waba_id: "9", display_phone_number: "+1 1", verified_name: Mine One}
  templates:
    - {name: t, language: en_US, category: UTILITY, components: [{type: BODY, text: mine}]}
personas:
  - {number: "15550300001", name: My Person}
  - {number: "+15550300002", name: Other}
""")
    scenario = load_scenario(mine)
    meta = scenario.section("meta")
    assert [(b["phone_number_id"], b.get("verified_name")) for b in meta["businesses"]] == [
        ("1", "Mine One"), ("2", None), ("3", None)]
    assert [(t["language"], t["components"][0]["text"]) for t in meta["templates"]] == [("en_US", "mine"), ("es", "base es")]
    assert [p["name"] for p in scenario.raw["personas"]] == ["My Person", "Other"]


def test_other_sections_merge_key_by_key_and_name_is_never_inherited(tmp_path):
    write(tmp_path, "base.yaml", "version: 1\nname: base\ndescription: the base\nseed: 5\n"
          "meta: {limits: {'*': {throughput: 10}}, validate_templates: false}\n"
          "default: {timeline: [{after: 1, status: delivered}]}\n")
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: base\nmeta: {limits: {'1': {throughput: 1}}}\n")
    scenario = load_scenario(mine)
    assert scenario.name == "mine" and scenario.description == ""
    assert scenario.raw["seed"] == 5 and scenario.raw["default"]["timeline"][0]["status"] == "delivered"
    assert scenario.section("meta") == {"limits": {"1": {"throughput": 1}, "*": {"throughput": 10}},
                                        "validate_templates": False}


def test_the_extended_scenarios_rules_decide_when_mine_do_not_match(tmp_path):
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: default\nrules:\n"
                 "  - {name: mine, match: {to: '+1555030*'}, timeline: [{after: 1, status: failed, error: blocked}]}\n")
    engine = ScenarioEngine(load_scenario(mine, (SCENARIOS,)), random.Random(0))
    assert engine.decide(facts("15550300001")).rule == "mine"
    assert engine.decide(facts("15550200003")).rule == "failed-131026"


def test_an_error_in_an_inherited_rule_names_the_base_file_and_its_line(tmp_path):
    base = write(tmp_path, "base.yaml", "version: 1\nrules:\n  - name: bad\n    match: {to: '1'}\n"
                 "    timeline:\n      - {after: 1, status: failed, error: undeliverabel}\n")
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: base\nrules:\n  - {name: first, match: {to: '2'}}\n")
    with pytest.raises(ScenarioError) as exc:
        check_reasons(load_scenario(mine), {"meta": frozenset({"undeliverable"})})
    assert str(exc.value).startswith(f"{base}:6: rules.1.timeline.0.error: rule 'bad': unknown failure reason 'undeliverabel'")


def test_a_schema_error_in_the_base_names_the_base_file(tmp_path):
    base = write(tmp_path, "base.yaml", "version: 1\nrulez: []\n")
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: base\n")
    with pytest.raises(ScenarioError, match=f"^{base}:2: \\(top level\\)"):
        load_scenario(mine)


def test_an_unknown_base_names_where_it_looked(tmp_path):
    mine = write(tmp_path, "mine.yaml", "version: 1\n\nextends: defualt\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(mine, (SCENARIOS,))
    assert str(exc.value).startswith(f"{mine}:3: extends: no scenario 'defualt' (looked for {tmp_path}/defualt.yaml, ")


def test_a_cycle_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "version: 1\nextends: b\n")
    write(tmp_path, "b.yaml", "version: 1\nextends: a\n")
    with pytest.raises(ScenarioError, match="'a' extends itself \\(a.yaml -> b.yaml -> a.yaml\\)"):
        load_scenario(tmp_path / "a.yaml")


def test_my_own_default_yaml_can_extend_the_bundled_default(tmp_path):
    mine = write(tmp_path, "default.yaml", "version: 1\nname: my-default\nextends: default\n")
    scenario = load_scenario(mine, (tmp_path, SCENARIOS))
    assert scenario.name == "my-default" and scenario.magic_numbers()


def test_inline_yaml_finds_its_base_in_the_library():
    scenario = parse_scenario("version: 1\nextends: india-shop\n", "<inline>", (SCENARIOS,))
    assert scenario.section("meta")["businesses"][0]["phone_number_id"] == "100000000000091"


@pytest.mark.parametrize("base", ["/etc/passwd", "../secrets.yaml", "sub/base"])
def test_inline_yaml_extends_by_name_only(base):
    # The control API loads inline YAML without auth: no file outside the scenario folders.
    with pytest.raises(ScenarioError, match="an inline scenario extends a scenario by name"):
        parse_scenario(f"version: 1\nextends: {base}\n", "<inline>", (SCENARIOS,))


def test_the_core_alone_leaves_provider_sections_to_the_providers(tmp_path):
    """The core's own format (no ProviderSpec) knows no section: it accepts any top-level key and merges a
    provider's lists as plain values; the whole format checks them and merges Meta's by its spec's keys."""
    from sandbox.core import scenario as core

    write(tmp_path, "base.yaml", "version: 1\nmeta:\n  businesses:\n"
          "    - {phone_number_id: '1', waba_id: '9', display_phone_number: '+1 1'}\n")
    mine = write(tmp_path, "mine.yaml", "version: 1\nextends: base\nextra: 1\nmeta:\n  businesses:\n"
                 "    - {phone_number_id: '2', waba_id: '9', display_phone_number: '+1 2'}\n")
    alone = core.load_scenario(mine)
    assert [b["phone_number_id"] for b in alone.section("meta")["businesses"]] == ["2"]
    with pytest.raises(ScenarioError, match="'extra' was unexpected"):
        load_scenario(mine)
    mine.write_text(mine.read_text().replace("extra: 1\n", ""))
    assert [b["phone_number_id"] for b in load_scenario(mine).section("meta")["businesses"]] == ["1", "2"]
