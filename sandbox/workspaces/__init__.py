"""Workspaces: many complete, isolated sandboxes inside one server (issue 15).

A workspace is one ``Runtime`` (clock, ids, journal, scenario, providers, media, webhooks) built by
``build_runtime``; the default workspace is the app's own runtime and nothing here changes it. The
gateway picks the runtime of each request (``keys.SERVED_BY``):

- by path prefix: ``/w/{name}/...`` in front of any provider or control path (``routing.py``);
- by credentials: an unprefixed request carrying a workspace's token, MAC key or Basic user
  (``credentials.py``, from each provider's ``WorkspaceHooks``: its ``workspace.py``).

Nothing here names a provider: each one's part (credentials, webhook fields, its 404 for an unknown
workspace) is in its spec (``ProviderSpec.workspace``), and the modules loop over the providers tuple.

``registry.py`` holds the live workspaces (create, delete, idle TTL, cap, persistence with
``--data-dir``); ``control.py`` serves ``/_sandbox/workspaces``.
"""
