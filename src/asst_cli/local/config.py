"""The local backend's own settings, read through the one resolver (settings.py) in its order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

DEFAULT_IDLE_TIMEOUT = 900
OPENAI_MODEL_URL = "https://api.openai.com/v1"
FROM_OPENAI_KEY = "default (OPENAI_API_KEY without OPENAI_BASE_URL)"
KEYS = ("data_dir", "idle_timeout", "model_base_url", "model_api_key", "model_map")


@dataclass(frozen=True)
class LocalSettings:
    """What the local backend needs to start its server: where, for how long, which model."""

    data_dir: Path
    idle_timeout: int
    model_base_url: str | None
    model_api_key: str | None = field(repr=False)
    model_map: str | None
    # Chosen because OPENAI_API_KEY was the only setting: the user is told once (announce.py).
    announce: bool = False


def _idle_timeout(value: Any, source: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise UsageError(
            f"idle_timeout must be a whole number of seconds >= 1 (from {source})",
            f"the default is {DEFAULT_IDLE_TIMEOUT}",
        )
    return number


def _absolute(value: Any) -> Path:
    # The server runs in its data dir, so a path relative to here must be made absolute.
    return Path(str(value)).expanduser().absolute()


def local_settings(
    first: Callable[[str], tuple[Any, str]], env: Mapping[str, str], sources: dict[str, str]
) -> LocalSettings:
    """The local backend's settings from the resolver's layers (``first``: the highest-ranked
    value of a key and where it came from); their sources are added to ``sources``."""
    if sources.get("endpoint"):
        raise UsageError(
            f"an endpoint (from {sources['endpoint']}) does not apply to backend local, "
            "which starts its own server",
            "remove the endpoint, or choose another backend with --backend",
        )
    found: dict[str, Any] = {}
    for key in KEYS:
        found[key], sources[key] = first(key)
    base, key = found["model_base_url"], found["model_api_key"]
    openai_key = env.get("OPENAI_API_KEY")
    if not base and not key and openai_key and not env.get("OPENAI_BASE_URL"):
        # The user's OpenAI key still buys chat completions, which the local engine runs on.
        base, key = OPENAI_MODEL_URL, openai_key
        sources["model_base_url"] = sources["model_api_key"] = "default (OPENAI_API_KEY)"
    data_dir = found["data_dir"]
    if not data_dir:
        from platformdirs import user_data_dir

        data_dir, sources["data_dir"] = user_data_dir("asst", appauthor=False), "default"
    idle = found["idle_timeout"]
    return LocalSettings(
        data_dir=_absolute(data_dir),
        idle_timeout=DEFAULT_IDLE_TIMEOUT
        if idle is None
        else _idle_timeout(idle, sources["idle_timeout"]),
        model_base_url=str(base) if base else None,
        model_api_key=str(key) if key else None,
        model_map=str(_absolute(found["model_map"])) if found["model_map"] else None,
        announce=sources["backend"] == FROM_OPENAI_KEY,
    )
