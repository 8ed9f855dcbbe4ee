"""Scenario files: who the businesses and users are, and what happens to each message.

A rule matches a send by provider, channel, recipient pattern, message type or content; the first
matching rule wins and gives the outcome: a synchronous rejection, or a timeline of statuses and the
user's scripted behaviour. Randomness only where a rule asks for it (``one_of``), from the seeded
generator. See README "Scenario format".
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import random
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from sandbox.core.errors import ScenarioError
from sandbox.core.params import whole_number
from sandbox.core.scenario_schema import CORE_SCHEMA, scenario_schema
from sandbox.core.status_order import NEUTRAL

if TYPE_CHECKING:
    from faker import Faker

# Used when a scenario has no `default`: sent, delivered and read within a few seconds.
DEFAULT_TIMELINE: list[dict[str, Any]] = [
    {"after": 0.2, "status": "sent"},
    {"after": 1.0, "status": "delivered"},
    {"after": 3.0, "status": "read"},
]
# The neutral failure reasons of timeline `error:` (README "Scenario format"). Each provider declares
# the reasons it knows as ``failure_reasons`` (these or some of them, plus its own words); any other
# reason is refused at load (``check_reasons``) and by the control API, since a typo would otherwise
# pass as the provider's generic failure.
NEUTRAL_REASONS = frozenset({
    "undeliverable", "not_whatsapp_user", "blocked", "ecosystem_engagement", "window_closed", "experiment",
    "marketing_opt_out", "media_error", "receiver_incapable", "invalid_parameter", "internal",
})


@dataclass(frozen=True)
class ErrorSpec:
    code: int | None = None
    reason: str | None = None
    details: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> ErrorSpec | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            return cls(reason=raw)
        return cls(code=raw.get("code"), reason=raw.get("reason"), details=raw.get("details"))


@dataclass(frozen=True)
class Step:
    after: float
    status: str
    error: ErrorSpec | None = None


@dataclass(frozen=True)
class UserAction:
    after: float
    kind: str  # reply | tap | pick | submit_address | submit_flow | location | react | media
    value: Any


@dataclass(frozen=True)
class Outcome:
    """What happens to a send. The engine builds one per rule and hands the same object to every send
    the rule matches: never mutate it (or its lists)."""

    rule: str
    reject: dict[str, Any] | None = None
    timeline: list[Step] = field(default_factory=list)
    user: list[UserAction] = field(default_factory=list)
    window: str = "tracked"  # tracked | open | closed: the 24-hour customer-service window
    capabilities: dict[str, bool] = field(default_factory=dict)

    def supports(self, capability: str) -> bool:
        return self.capabilities.get(capability, True)


@dataclass(frozen=True)
class SendFacts:
    """What the scenario can match on, extracted by the provider from a send."""

    provider: str
    channel: str
    business: str
    user: str  # digits
    type: str
    interactive_type: str | None = None
    template: str | None = None
    text: str = ""


@dataclass
class Persona:
    number: str  # digits
    name: str
    user_id: str
    username: str | None = None
    language: str = "en_US"


@dataclass(frozen=True)
class Origin:
    source: str
    path: tuple[Any, ...]
    lines: dict[tuple[Any, ...], int]


@dataclass
class Scenario:
    name: str
    description: str
    raw: dict[str, Any]
    source: str
    # maps a path in ``raw`` -> its line in the file (empty for a scenario restored from --data-dir)
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict, repr=False, compare=False)
    # maps a path in ``raw`` -> where that part came from, when ``extends:`` brought it from another file
    # or moved it within this one (README "Scenario format")
    origins: dict[tuple[Any, ...], Origin] = field(default_factory=dict, repr=False, compare=False)

    def origin(self, path: tuple[Any, ...]) -> Origin:
        """The file, path and line table that ``path`` of ``raw`` was written at."""
        for n in range(len(path), 0, -1):
            found = self.origins.get(path[:n])
            if found is not None:
                return Origin(found.source, found.path + path[n:], found.lines)
        return Origin(self.source, path, self.lines)

    def where(self, path: tuple[Any, ...]) -> str:
        """``file:line`` of ``path`` in ``raw``, for error messages."""
        found = self.origin(path)
        return f"{found.source}:{_nearest_line(found.path, found.lines)}"

    @property
    def rules(self) -> list[dict[str, Any]]:
        return list(self.raw.get("rules", []))

    def section(self, provider: str) -> dict[str, Any]:
        return dict(self.raw.get(provider) or {})

    def magic_numbers(self) -> list[dict[str, Any]]:
        rows = []
        for rule in self.rules:
            to = rule.get("match", {}).get("to")
            if rule.get("magic") and to:
                rows.append({"number": to, "rule": rule["name"], "description": rule.get("description", "")})
        return rows


# --- loading ------------------------------------------------------------------------------------

# libyaml's parser when PyYAML was built with it (about 10x faster on large scenarios); same node marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


KeyOf = Callable[[dict[str, Any]], Any]  # the key an item of a list is known by, for ``extends:``


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: the scenario cache keys on it
class ScenarioFormat:
    """What a scenario is read with: the whole JSON Schema, and the lists that ``extends:`` merges item by
    item (maps a path in the scenario -> the key of an item). ``CORE_FORMAT`` is the core's alone: provider
    sections go unchecked and merge key by key; ``scenario_format`` adds the providers' (the runtime's, from
    its ProviderSpecs)."""

    schema: dict[str, Any]
    keyed: Mapping[tuple[str, ...], KeyOf]
    validator: Draft202012Validator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "validator", Draft202012Validator(self.schema))  # built once, not per file


_CORE_KEYED: dict[tuple[str, ...], KeyOf] = {("personas",): lambda p: str(p.get("number", "")).lstrip("+")}
CORE_FORMAT = ScenarioFormat(CORE_SCHEMA, _CORE_KEYED)


def scenario_format(sections: Mapping[str, dict[str, Any]], *, rule_fields: Mapping[str, Any] | None = None,
                    keyed: Mapping[str, Mapping[tuple[str, ...], KeyOf]] | None = None) -> ScenarioFormat:
    """The core's format with each provider's section schema (maps its name -> the schema), the fields
    providers add to a rule, and each provider's ``extends:`` merge keys (paths within its section)."""
    merged = dict(_CORE_KEYED)
    for name, paths in (keyed or {}).items():
        merged.update({(name, *path): key for path, key in paths.items()})
    return ScenarioFormat(scenario_schema(sections, rule_fields), merged)


def load_scenario(path: str | Path, library: Sequence[Path] = (), *, fmt: ScenarioFormat = CORE_FORMAT,
                  _chain: tuple[Path, ...] = ()) -> Scenario:
    """A scenario file. ``library``: folders where ``extends: <name>`` looks after the file's own folder.
    ``fmt``: the runtime's (every provider's section checked); by default the core's."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read scenario file: {exc.strerror}") from exc
    return parse_scenario(text, str(p), library, fmt=fmt, folder=p.parent, _chain=(*_chain, p.resolve()))


def parse_scenario(
    text: str, source: str = "<scenario>", library: Sequence[Path] = (), *, fmt: ScenarioFormat = CORE_FORMAT,
    folder: Path | None = None, _chain: tuple[Path, ...] = (),
) -> Scenario:
    """A scenario from its text. ``folder`` is the file's folder, where a relative ``extends:`` path
    points; without one (inline YAML) ``extends:`` may only name a scenario of the ``library`` folders.
    ``fmt`` as ``load_scenario``'s."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ScenarioError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if node is None:
        raise ScenarioError(f"{source}: the scenario file is empty")
    lines: dict[tuple[Any, ...], int] = {}
    key_lines: dict[tuple[Any, ...], int] = {}
    data = _to_python(node, (), lines, key_lines)
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}:1: a scenario is a mapping with at least `version: 1`")
    errors = sorted(fmt.validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ScenarioError(_schema_problem(errors[0], source, lines, key_lines))
    _check_rules(data, source, lines)
    _check_timelines(data, source, lines)
    scenario = Scenario(
        name=str(data.get("name") or Path(source).stem),
        description=str(data.get("description", "")),
        raw=data,
        source=source,
        lines=lines,
    )
    if "extends" in data:
        where = f"{source}:{lines.get(('extends',), 1)}: extends"
        base_path = _resolve_base(str(data["extends"]), folder, library, _chain, where)
        base = load_scenario(base_path, library, fmt=fmt, _chain=_chain or (Path(source).resolve(),))
        scenario.raw, scenario.origins = extend(scenario, base, fmt.keyed)
    return scenario


def _schema_problem(err: ValidationError, source: str, lines: dict[tuple[Any, ...], int],
                    key_lines: dict[tuple[Any, ...], int]) -> str:
    path = tuple(err.absolute_path)
    line = _nearest_line(path, lines)
    dotted = ".".join(str(p) for p in path) or "(top level)"
    hint = ""
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        # Point at the unknown key itself (a mapping's own line is where it starts) and suggest the
        # key that was probably meant: `rulez:` -> rules.
        known = list(err.schema.get("properties") or {})
        unknown = [k for k in err.instance if k not in known]
        if unknown:
            line = key_lines.get((*path, unknown[0]), line)
            close = difflib.get_close_matches(str(unknown[0]), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            hint += f"; known keys here: {', '.join(known)}"
    return f"{source}:{line}: {dotted}: {err.message}{hint}"


def _resolve_base(name: str, folder: Path | None, library: Sequence[Path], chain: tuple[Path, ...],
                  where: str) -> Path:
    """The file ``extends: name`` means: a path (has a slash or a .yaml/.yml suffix) relative to the
    extending file's folder, else ``<name>.yaml`` in that folder and then in each library folder. A
    candidate already in the chain is skipped, so a user's own default.yaml can extend the bundled one."""
    is_path = "/" in name or "\\" in name or name.endswith((".yaml", ".yml"))
    if is_path and folder is None:
        # Inline YAML comes over the control API, which has no auth: it may name scenarios of the
        # folders the sandbox was given, never a file elsewhere on the machine.
        raise ScenarioError(f"{where}: an inline scenario extends a scenario by name (e.g. default), not by path")
    folders = [f for f in (folder, *library) if f is not None] or [Path.cwd()]
    candidates = [folders[0] / name] if is_path else [f / f"{name}.yaml" for f in folders]
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve() not in chain:
            return candidate
    looped = [c for c in candidates if c.is_file()]
    if looped:
        trail = " -> ".join(p.name for p in (*chain, looped[0].resolve()))
        raise ScenarioError(f"{where}: '{name}' extends itself ({trail})")
    raise ScenarioError(f"{where}: no scenario '{name}' (looked for {', '.join(str(c) for c in candidates)})")


def _to_python(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
               key_lines: dict[tuple[Any, ...], int]) -> Any:
    """The node as Python data; ``lines`` maps each path -> its value's line, ``key_lines`` each mapping
    key's path -> the key's own line (they differ for a block mapping or list under a key)."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            key_lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines, key_lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, (*path, i), lines, key_lines) for i, child in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _nearest_line(path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _check_rules(data: dict[str, Any], source: str, lines: dict[tuple[Any, ...], int]) -> None:
    names: set[str] = set()
    for i, rule in enumerate(data.get("rules", [])):
        line = lines.get(("rules", i), 1)
        if rule["name"] in names:
            raise ScenarioError(f"{source}:{line}: rules.{i}: duplicate rule name '{rule['name']}'")
        names.add(rule["name"])
        if "one_of" in rule and any(k in rule for k in ("reject", "timeline", "user")):
            raise ScenarioError(f"{source}:{line}: rules.{i}: use either one_of or reject/timeline/user, not both")


def _check_timelines(data: dict[str, Any], source: str, lines: dict[tuple[Any, ...], int]) -> None:
    """Steps run in ``after`` order, whatever order the file lists them in; in that order a timeline must
    not move a message backwards (``delivered`` before ``sent``) or go on after ``failed``: the core would
    drop such a step (core/status_order.py), so the scenario says what it means instead."""
    for path, outcome, name, _ in _outcomes(data):
        steps = sorted(enumerate(outcome.get("timeline") or []), key=lambda item: float(item[1]["after"]))
        for (_, before), (k, step) in zip(steps, steps[1:], strict=False):
            refusal = NEUTRAL.refusal(before["status"], step["status"])
            if refusal is not None:
                where = f"{source}:{_nearest_line((*path, 'timeline', k), lines)}"
                raise ScenarioError(
                    f"{where}: {'.'.join(map(str, (*path, 'timeline', k)))}: rule '{name}': '{step['status']}' "
                    f"after {step['after']:g} s follows '{before['status']}' at {before['after']:g} s: {refusal}; "
                    "steps run in `after` order, so give each status a later time than the one before it")


def check_reasons(scenario: Scenario, known: Mapping[str, Collection[str] | None]) -> None:
    """Every neutral ``error:`` reason is one that a provider the rule can match knows. ``known`` maps a
    provider -> its ``failure_reasons`` (``None``: it takes any reason). Raises ScenarioError naming
    the file, line, rule and the reasons known there."""
    for path, reason, rule, named in _error_reasons(scenario.raw):
        providers = [p for p in named if p in known] or list(known)
        if any(known[p] is None or reason in (known[p] or ()) for p in providers):
            continue
        allowed = set().union(*(known[p] or () for p in providers))
        who = " and ".join(providers) if named and len(providers) < len(known) else "the providers"
        where = f"{scenario.where(path)}: {'.'.join(map(str, path))}"
        raise ScenarioError(f"{where}: rule '{rule}': {unknown_reason(reason, allowed, who)}; "
                            "or give a provider code, e.g. error: {code: 131026}")


def unknown_reason(reason: Any, known: Collection[str], who: str) -> str:
    """How the scenario loader and the control API word an unknown failure reason."""
    close = difflib.get_close_matches(str(reason), known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown failure reason '{reason}'{hint}; known to {who}: {', '.join(sorted(known))}"


def _outcomes(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], dict[str, Any], str, list[str]]]:
    """(path, outcome, rule name, providers the rule names) of every outcome: rules, their ``one_of``
    options and ``default``."""
    outcomes: list[tuple[tuple[Any, ...], dict[str, Any], str, list[str]]] = []
    for i, rule in enumerate(raw.get("rules", [])):
        named = rule.get("match", {}).get("provider")
        providers = _as_list(named) if named else []
        options: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
            (("rules", i, "one_of", j), o) for j, o in enumerate(rule.get("one_of") or [])] or [(("rules", i), rule)]
        outcomes += [(path, outcome, rule["name"], providers) for path, outcome in options]
    outcomes.append((("default",), raw.get("default") or {}, "default", []))
    return outcomes


def _error_reasons(raw: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any, str, list[str]]]:
    """(path of the ``error``, its reason, rule name, providers the rule names) for every timeline step
    with a reason, in rules, their ``one_of`` options and ``default``."""
    for path, outcome, name, providers in _outcomes(raw):
        for k, step in enumerate(outcome.get("timeline") or []):
            error = step.get("error")
            reason = error.get("reason") if isinstance(error, dict) else error
            if reason is not None:
                yield (*path, "timeline", k, "error"), reason, name, providers


# --- extends ------------------------------------------------------------------------------------
# How a scenario builds on another (README "Scenario format", "Extending a scenario"):
# - rules: this file's rules first (first match wins, so they take precedence), then the base's rules
#   whose names this file does not use;
# - the keyed lists (ScenarioFormat.keyed: personas by number; a provider's own, e.g. Meta's businesses by
#   phone_number_id and templates by name, language and waba_id): the base's entries in their order, each
#   replaced by this file's entry with the same key, then this file's other entries;
# - any other mapping (the provider sections and their sub-sections) key by key, this file's value
#   winning; any other list or value: this file's if it has one, else the base's;
# - name and description are never inherited.
_NOT_INHERITED = ("name", "description", "extends")


def extend(scenario: Scenario, base: Scenario, keyed: Mapping[tuple[str, ...], KeyOf] = _CORE_KEYED,
           ) -> tuple[dict[str, Any], dict[tuple[Any, ...], Origin]]:
    """``scenario.raw`` merged over ``base.raw``, and where each moved or inherited part came from.
    ``keyed``: the lists merged item by item (``ScenarioFormat.keyed``)."""
    origins: dict[tuple[Any, ...], Origin] = {}
    mine = {k: v for k, v in base.raw.items() if k not in _NOT_INHERITED}

    def merged(path: tuple[Any, ...], ours: Any, theirs: Any) -> Any:
        if path == ("rules",):
            names = {rule["name"] for rule in ours}
            kept = [(j, rule) for j, rule in enumerate(theirs) if rule["name"] not in names]
            for n, (j, _) in enumerate(kept):
                origins[("rules", len(ours) + n)] = base.origin(("rules", j))
            return [*ours, *(rule for _, rule in kept)]
        if path in keyed and isinstance(ours, list) and isinstance(theirs, list):
            return by_key(path, keyed[path], ours, theirs)
        if isinstance(ours, dict) and isinstance(theirs, dict):
            out = dict(ours)
            for key, value in theirs.items():
                if key in ours:
                    out[key] = merged((*path, key), ours[key], value)
                else:
                    out[key] = value
                    origins[(*path, key)] = base.origin((*path, key))
            return out
        return ours

    def by_key(path: tuple[Any, ...], key: Callable[[dict[str, Any]], Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
        by_key = {key(item): i for i, item in enumerate(ours)}
        out: list[Any] = []
        for j, item in enumerate(theirs):
            i = by_key.pop(key(item), None)
            origins[(*path, len(out))] = base.origin((*path, j)) if i is None else scenario.origin((*path, i))
            out.append(item if i is None else ours[i])
        for i in by_key.values():
            origins[(*path, len(out))] = scenario.origin((*path, i))
            out.append(ours[i])
        return out

    for key, value in scenario.raw.items():
        mine[key] = merged((key,), value, base.raw[key]) if key in base.raw and key not in _NOT_INHERITED else value
    for key in base.raw:
        if key not in scenario.raw and key not in _NOT_INHERITED:
            origins[(key,)] = base.origin((key,))
    return mine, origins


# --- deciding -----------------------------------------------------------------------------------


class ScenarioEngine:
    """Decides outcomes and answers persona questions for one loaded scenario."""

    def __init__(self, scenario: Scenario, rng: random.Random) -> None:
        self.scenario = scenario
        self._rng = rng
        self._fakers: dict[str | None, Faker] = {}  # maps locale (None: default) -> Faker, built on first use
        self._personas: dict[str, Persona] = {}  # maps user digits -> Persona (declared or generated)
        self._numbers: dict[str, str] = {}  # maps user_id (BSUID) -> user digits, for every persona above
        self._rules = [_Rule(index, raw) for index, raw in enumerate(scenario.rules)]
        self._general = [rule for rule in self._rules if rule.exact_to is None]  # may match any user
        self._by_user: dict[str, list[_Rule]] = {}  # maps user digits -> the rules naming exactly them
        for rule in self._rules:
            for digits in rule.exact_to or ():
                self._by_user.setdefault(digits, []).append(rule)
        self._default = self._outcome("default", scenario.raw.get("default") or {"timeline": DEFAULT_TIMELINE})
        for raw in scenario.raw.get("personas", []):
            digits = raw["number"].lstrip("+")
            self._keep(Persona(
                number=digits,
                name=raw.get("name") or self._fake_name(digits),
                user_id=raw.get("user_id") or self._bsuid(digits),
                username=raw.get("username"),
                language=raw.get("language", "en_US"),
            ))

    def decide(self, facts: SendFacts) -> Outcome:
        named = self._by_user.get(facts.user)
        candidates = self._general if named is None else sorted([*named, *self._general], key=lambda r: r.index)
        for rule in candidates:
            if rule.matches(facts):
                return rule.outcome(self._rng)
        return self._default

    @staticmethod
    def _outcome(name: str, spec: dict[str, Any]) -> Outcome:
        timeline = spec.get("timeline")
        if timeline is None and not spec.get("reject"):
            timeline = DEFAULT_TIMELINE
        steps = [Step(float(s["after"]), s["status"], ErrorSpec.parse(s.get("error"))) for s in timeline or []]
        actions = []
        for a in spec.get("user", []):
            kind = next(k for k in a if k != "after")
            actions.append(UserAction(float(a["after"]), kind, a[kind]))
        return Outcome(
            rule=name,
            reject=spec.get("reject"),
            timeline=sorted(steps, key=lambda s: s.after),
            user=sorted(actions, key=lambda a: a.after),
            window=spec.get("window", "tracked"),
            capabilities=dict(spec.get("capabilities", {})),
        )

    def persona(self, digits: str) -> Persona:
        digits = digits.lstrip("+")
        found = self._personas.get(digits)
        if found is None:
            found = Persona(number=digits, name=self._fake_name(digits), user_id=self._bsuid(digits))
            if len(self._personas) < 100_000:
                self._keep(found)
        return found

    def number_of(self, user_id: str) -> str | None:
        """The digits of the user a BSUID belongs to: a declared persona's, or one the sandbox has
        already named (answered in a send or a webhook). ``None`` for a BSUID it never handed out."""
        return self._numbers.get(user_id)

    def _keep(self, persona: Persona) -> None:
        self._personas[persona.number] = persona
        self._numbers[persona.user_id] = persona.number

    def faker_for(self, key: str, locale: str | None = None) -> Faker:
        """A Faker seeded by ``key``: the same user always 'types' the same values (in ``locale``)."""
        fake = self._fakers.get(locale)
        if fake is None:  # building a Faker takes 15-50 ms: one per locale, kept
            fake = self._fakers[locale] = _new_faker(locale)
        fake.seed_instance(_stable_int(key))
        return fake

    def _fake_name(self, digits: str) -> str:
        return str(self.faker_for(digits).name())

    @staticmethod
    def _bsuid(digits: str) -> str:
        from sandbox.core.numbers import region_of

        return f"{region_of(digits) or 'US'}.{_stable_int('bsuid:' + digits) % 10**20:020d}"


def pick_target(items: list[dict[str, Any]], which: Any, id_key: str) -> dict[str, Any] | None:
    """The button or row a scripted ``tap``/``pick`` names: first | last | <index> | <id>."""
    if not items:
        return None
    if which in ("first", None):
        return items[0]
    if which == "last":
        return items[-1]
    index = which if isinstance(which, int) else whole_number(which) if isinstance(which, str) else None
    if index is not None:
        return items[index] if 0 <= index < len(items) else None
    return next((i for i in items if i.get(id_key) == which), None)


def _new_faker(locale: str | None) -> Faker:
    # Imported here, not at the top: faker costs ~65 ms to import and build, a sixth of the start-up
    # budget, and most runs name no unknown user. `serve` warms it in a thread once it is listening.
    from faker import Faker

    return Faker(locale)


def _stable_int(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class _Rule:
    """One scenario rule, compiled once per loaded scenario: its match as sets and one regex, and its
    outcome (or one per ``one_of`` option) built on first use, since every send is decided by it."""

    FIELDS = ("provider", "channel", "type", "interactive_type", "template")

    def __init__(self, index: int, raw: dict[str, Any]) -> None:
        self.index, self.raw = index, raw
        match = raw.get("match", {})
        self.checks = [(key, frozenset(_as_list(match[key]))) for key in self.FIELDS if key in match]
        patterns = [p.lstrip("+") for p in _as_list(match["to"])] if "to" in match else None
        self.exact_to = None if patterns is None or any(_WILDCARD.search(p) for p in patterns) else frozenset(patterns)
        self.to = None if patterns is None else re.compile("|".join(fnmatch.translate(p) for p in patterns) or "(?!)")
        self.contains = match["contains"].lower() if "contains" in match else None
        self._outcomes: dict[int, Outcome] = {}  # maps one_of option index (0 without one_of) -> outcome

    def matches(self, facts: SendFacts) -> bool:
        for key, allowed in self.checks:
            if (getattr(facts, key) or "") not in allowed:
                return False
        if self.to is not None and self.to.match(facts.user) is None:
            return False
        return self.contains is None or self.contains in facts.text.lower()

    def outcome(self, rng: random.Random) -> Outcome:
        options = self.raw.get("one_of")
        pick = 0
        if options:  # choosing by index draws from the generator exactly as choosing the option would
            pick = rng.choices(range(len(options)), weights=[o["weight"] for o in options], k=1)[0]
        found = self._outcomes.get(pick)
        if found is None:
            found = self._outcomes[pick] = ScenarioEngine._outcome(self.raw["name"], options[pick] if options else self.raw)
        return found


_WILDCARD = re.compile(r"[*?\[]")
