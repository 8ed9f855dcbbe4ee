"""Workspace names and the ``/w/{name}`` path prefix."""

from __future__ import annotations

import re

from sandbox.core.errors import ControlError

PATH_PREFIX = "/w/"  # a Graph node id is numeric, no provider path starts with /w/: nothing real is shadowed
NAME = re.compile(r"[A-Za-z0-9_-]{1,63}")
ROUTE_VARIABLE = "_workspace"  # the name in a prefixed request's match_info (routing.WorkspaceResource)


def check_name(name: object) -> str:
    """A name that fits in a path segment and a folder name as it is; else 400."""
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise ControlError(f"'name' must be 1 to 63 letters, digits, '_' or '-' (it becomes a path segment "
                           f"/w/{{name}}/ and a folder name), got {name!r}")
    return name


def mount_of(name: str) -> str:
    return f"{PATH_PREFIX}{name}"


def split(path: str) -> tuple[str, str]:
    """``/w/ci-1/v2/sms`` -> (``ci-1``, ``/v2/sms``); the caller checked the prefix."""
    name, slash, rest = path[len(PATH_PREFIX):].partition("/")
    return name, slash + rest
