"""The profiles file: ``config.yaml`` in ``$ASST_CONFIG_DIR`` or the platform's config directory.

It may hold secrets, so it is always written with mode 0600, atomically (a temporary file in the
same directory renamed into place): an interrupted write never leaves a truncated file.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import UsageError

PROFILE_KEYS = (
    "backend",
    "endpoint",
    "api_version",
    "api_key",
    "token",
    "token_command",
    "max_retries",
    "output",
    "data_dir",
    "idle_timeout",
    "model_base_url",
    "model_api_key",
    "model_map",
)
SECRET_KEYS = frozenset({"api_key", "token", "model_api_key"})
DEFAULT_PROFILE = "default"


def config_dir() -> Path:
    explicit = os.environ.get("ASST_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    from platformdirs import user_config_dir

    return Path(user_config_dir("asst", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.yaml"


def _warn_if_readable(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"Warning: {path} is readable by other users and may hold secrets; "
            f"fix it with 'chmod 600 {path}'",
            file=sys.stderr,
        )


def load() -> dict[str, Any]:
    """The whole file as a dict; an absent file is an empty config, a broken one an error."""
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "check its permissions") from exc
    _warn_if_readable(path)
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise UsageError(f"{where}: invalid YAML", "fix or remove the file") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("profiles", {}), dict):
        raise UsageError(f"{path}: expected a mapping with 'profiles'", "fix or remove the file")
    return data


def save(data: dict[str, Any]) -> Path:
    path = config_path()
    _write_private(path, data)
    return path


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write YAML atomically with mode 0600 (a temporary file renamed into place)."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False, allow_unicode=True)
        Path(tmp).chmod(0o600)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_profile_name(data: dict[str, Any]) -> str:
    name = data.get("current_profile")
    return name if isinstance(name, str) and name else DEFAULT_PROFILE


def profile(data: dict[str, Any], name: str) -> dict[str, Any]:
    found = data.get("profiles", {}).get(name)
    return found if isinstance(found, dict) else {}


def check_key(key: str) -> str:
    normalized = key.replace("-", "_")
    if normalized not in PROFILE_KEYS:
        raise UsageError(f"unknown setting '{key}'", f"settings are: {', '.join(PROFILE_KEYS)}")
    return normalized


def _state_path() -> Path:
    # Kept apart from config.yaml: asst writes it on every run, and never touches the user's file.
    return config_dir() / "state.yaml"


def load_state() -> dict[str, Any]:
    """What asst keeps between runs (state.yaml); empty when missing or unreadable."""
    import yaml

    try:
        data = yaml.safe_load(_state_path().read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(data: dict[str, Any]) -> None:
    _write_private(_state_path(), data)


def last_run(where: str) -> dict[str, str] | None:
    """The thread and assistant the last ``asst run`` at this backend and endpoint used (for
    ``--continue``): ``{"thread": ID, "assistant": ID}``, or None."""
    runs = load_state().get("last_run", {})
    found = runs.get(where) if isinstance(runs, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("thread"), str):
        return None
    return {key: value for key, value in found.items() if isinstance(value, str)}


def remember_run(where: str, thread_id: str, assistant_id: str | None) -> None:
    """Records the run for ``last_run``; the state file's other keys stay as they are."""
    data = load_state()
    if not isinstance(data.get("last_run"), dict):
        data["last_run"] = {}
    remembered = {"thread": thread_id}
    if assistant_id:
        remembered["assistant"] = assistant_id
    data["last_run"][where] = remembered
    save_state(data)


def told(note: str) -> bool:
    """Whether a once-only note (e.g. why asst chose a backend) was already shown."""
    notes = load_state().get("told", [])
    return isinstance(notes, list) and note in notes


def remember_told(note: str) -> None:
    data = load_state()
    notes = data.get("told")
    data["told"] = [*(notes if isinstance(notes, list) else []), note]
    save_state(data)
