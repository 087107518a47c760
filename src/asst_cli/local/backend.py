"""The local backend as the rest of asst sees it: where requests go, what 'auth status' shows."""

from __future__ import annotations

import contextlib
from typing import Any

from .. import configfile, render
from .config import OPENAI_MODEL_URL, LocalSettings
from .server import Running, ensure, key_path, model_fingerprint, recorded, started_with

NOTE = "local-default"
ANNOUNCEMENT = (
    "Note: api.openai.com no longer serves assistants, so with only OPENAI_API_KEY set asst runs "
    "its local engine (a background 'asst serve') with OpenAI's chat completions as the model; "
    "choose a backend with --backend or ASST_BACKEND. This note is shown once."
)
MODEL_DIFFERS = (
    "Note: the local server (pid {pid}) was started with another model configuration, which "
    "it keeps; to use this one, stop it with 'asst serve stop' and run the command again."
)
NO_MODEL = "none (set ASST_MODEL_BASE_URL, e.g. http://localhost:11434/v1)"


def announce(local: LocalSettings) -> None:
    """Say once per config dir why asst chose the local engine, when the user did not."""
    if not local.announce or configfile.told(NOTE):
        return
    render.progress(ANNOUNCEMENT)
    # An unwritable config dir: the note shows again next time, which is harmless.
    with contextlib.suppress(OSError):
        configfile.remember_told(NOTE)


def connect(local: LocalSettings) -> tuple[str, str]:
    """The base URL of the local server (started if need be) and its key."""
    announce(local)
    running, key = ensure(local)
    configured = local.model_base_url or local.model_api_key or local.model_map
    if configured and started_with(local.data_dir) != model_fingerprint(local):
        # Silently answering with another model than the one asked for would mislead.
        render.progress(MODEL_DIFFERS.format(pid=running.pid))
    return f"{running.url}/v1", key


def _model(local: LocalSettings) -> str:
    """Where the server sends model calls (its key is never shown)."""
    if local.model_base_url:
        return local.model_base_url
    if local.model_api_key:
        return OPENAI_MODEL_URL  # the server's default for a key without a URL
    return f"as the model map says ({local.model_map})" if local.model_map else NO_MODEL


def describe(local: LocalSettings) -> dict[str, Any]:
    """What 'auth status' shows of the local backend; starts nothing and sends nothing."""
    running: Running | None = recorded(local.data_dir)
    return {
        "endpoint": f"{running.url}/v1" if running else None,
        "data_dir": str(local.data_dir),
        "server": f"running (pid {running.pid})" if running else "not running",
        "model": _model(local),
        "idle_timeout": local.idle_timeout,
        "credential": str(key_path(local.data_dir)),
    }
