"""The control API's description (``openapi.yaml``) with the parts that list providers made from their specs.

The file names no provider: where the description lists them it holds a marker (``x-sandbox-...``, listed
at the top of the file) that ``build`` replaces with what the specs say, so a provider added to the tuple
(sandbox/providers/all.py) appears in the enums, the default and the workspace webhook targets without an
edit here. The validator (validation.py) compiles the built document and ``GET /_sandbox/openapi.yaml``
serves it: one document, enforced and published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from sandbox.core.provider import ProviderSpec

SOURCE = Path(__file__).parent / "openapi.yaml"
URI = {"type": "string", "format": "uri"}


def load(specs: Sequence[ProviderSpec[Any]], source: Path = SOURCE) -> dict[str, Any]:
    """The description for these providers: ``source`` parsed, its markers replaced."""
    # libyaml's loader when PyYAML has it: the pure-Python one took ~80 ms of every start for this file
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(source.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe
    return build(document, specs)


def text(document: dict[str, Any]) -> str:
    """The document as YAML, in its own key order (what ``GET /_sandbox/openapi.yaml`` answers)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)


def build(node: Any, specs: Sequence[ProviderSpec[Any]]) -> Any:
    """``node`` with every marker replaced (a new tree; ``node`` is not changed)."""
    if isinstance(node, list):
        return [build(item, specs) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        marker = MARKERS.get(key)
        if marker is None:
            out[key] = build(value, specs)
        else:
            name, make = marker
            out[name] = make(value, specs)
    return out


def _names(specs: Iterable[ProviderSpec[Any]]) -> list[str]:
    return [spec.name for spec in specs]


def _enum(which: str, specs: Sequence[ProviderSpec[Any]]) -> list[str]:
    _expect(which, "providers", "x-sandbox-enum")
    return _names(specs)


def _default(which: str, specs: Sequence[ProviderSpec[Any]]) -> str:
    _expect(which, "first-provider", "x-sandbox-default")
    return specs[0].name


def _description(template: str, specs: Sequence[ProviderSpec[Any]]) -> str:
    names = _names(specs)
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return template.replace("{providers}", listed)


def _webhook_targets(which: str, specs: Sequence[ProviderSpec[Any]]) -> dict[str, Any]:
    """Maps provider -> the schema of its entry in a workspace's ``webhooks``: one URL where the provider
    has one callback field; one URL for all of them or an object naming each where it has several
    (``WorkspaceHooks.webhook_fields``; sandbox/workspaces/credentials.py reads it so)."""
    _expect(which, "webhook-targets", "x-sandbox-properties")
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.workspace is None:
            continue  # it takes no part in workspaces
        fields = spec.workspace.webhook_fields
        if len(fields) <= 1:
            out[spec.name] = dict(URI)
        else:
            named = {"type": "object", "additionalProperties": False, "properties": {f: dict(URI) for f in fields}}
            out[spec.name] = {"oneOf": [dict(URI), named]}
    return out


def _expect(value: str, known: str, marker: str) -> None:
    if value != known:  # a typo in openapi.yaml: fail at import, never serve a half-built description
        raise ValueError(f"openapi.yaml: {marker}: {value!r} is not one of: {known}")


# maps marker -> (the key it becomes, what makes its value from the marker's value and the specs)
MARKERS: Mapping[str, tuple[str, Callable[[Any, Sequence[ProviderSpec[Any]]], Any]]] = MappingProxyType({
    "x-sandbox-enum": ("enum", _enum),
    "x-sandbox-default": ("default", _default),
    "x-sandbox-description": ("description", _description),
    "x-sandbox-properties": ("properties", _webhook_targets),
})
