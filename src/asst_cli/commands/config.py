"""asst config: profiles in the config file (backend, endpoint, credential, defaults)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .. import api, configfile, render, settings
from ..errors import UsageError
from ..options import group, output_choice

app = group("Manage profiles: named sets of backend, endpoint and credential settings.")
Key = Annotated[str, typer.Argument(metavar="KEY", help=", ".join(configfile.PROFILE_KEYS))]
Reveal = Annotated[bool, typer.Option("--reveal", help="Show secrets instead of masking them")]
LIST_COLUMNS = (
    render.Column("PROFILE", "name"),
    render.Column("CURRENT", lambda p: "*" if p.get("current") else ""),
    render.Column("BACKEND", "settings.backend"),
    render.Column("ENDPOINT", "settings.endpoint"),
)


def mask(key: str, value: Any, reveal: bool = False) -> Any:
    """Secrets show only their last four characters."""
    if reveal or key not in configfile.SECRET_KEYS or not isinstance(value, str):
        return value
    return "****" + value[-4:] if len(value) > 8 else "****"


def _target(data: dict[str, Any]) -> str:
    """The profile a config command acts on: --profile / ASST_PROFILE, else the current one."""
    named = api.named_profile()
    return named or configfile.current_profile_name(data)


def _checked_value(key: str, value: str) -> Any:
    if key == "backend" and value not in settings.BACKENDS:
        raise UsageError(
            f"unknown backend '{value}'", f"use one of: {', '.join(settings.BACKENDS)}"
        )
    problem = render.format_problem(value) if key == "output" else None
    if problem:
        raise UsageError(f"output: {problem}")
    if key == "max_retries":
        if not value.isdigit():
            raise UsageError(f"max_retries must be a whole number >= 0, got '{value}'")
        return int(value)
    return value


@app.command("set")
def set_(
    key: Key,
    value: Annotated[str, typer.Argument(help="The value; '-' reads it from stdin (for secrets)")],
) -> None:
    """Set a value in the current profile (or the one named by --profile).

    Example: asst --profile work config set endpoint https://res.services.ai.azure.com/api/projects/p
    """
    name = configfile.check_key(key)
    if value == "-":
        value = sys.stdin.readline().strip()
    data = configfile.load()
    profiles = data.setdefault("profiles", {})
    target = _target(data)
    profiles.setdefault(target, {})[name] = _checked_value(name, value)
    data.setdefault("current_profile", target)
    path = configfile.save(data)
    render.progress(f"Set {name} in profile '{target}' ({path}).")


@app.command()
def get(key: Key, reveal: Reveal = False) -> None:
    """Print one value of the current profile (secrets masked unless --reveal).

    Example: asst config get endpoint
    """
    name = configfile.check_key(key)
    data = configfile.load()
    target = _target(data)
    value = configfile.profile(data, target).get(name)
    if value is None:
        raise UsageError(
            f"'{name}' is not set in profile '{target}'",
            f"set it with 'asst config set {name} VALUE'",
        )
    render.text(f"{mask(name, value, reveal)}\n")


@app.command()
def unset(key: Key) -> None:
    """Remove a value from the current profile.

    Example: asst config unset api_key
    """
    name = configfile.check_key(key)
    data = configfile.load()
    target = _target(data)
    profile = configfile.profile(data, target)
    if name not in profile:
        raise UsageError(f"'{name}' is not set in profile '{target}'")
    del profile[name]
    configfile.save(data)
    render.progress(f"Removed {name} from profile '{target}'.")


@app.command("list")
@output_choice
def list_(choice: render.Choice, reveal: Reveal = False) -> None:
    """List profiles and their settings (secrets masked).

    Example: asst config list -o yaml
    """
    data = configfile.load()
    current = configfile.current_profile_name(data)
    rows = [
        {
            "name": name,
            "current": name == current,
            "settings": {k: mask(k, v, reveal) for k, v in (values or {}).items()},
        }
        for name, values in data.get("profiles", {}).items()
    ]
    render.emit_list(
        rows,
        LIST_COLUMNS,
        choice,
        "No profiles; create one with 'asst config set'.",
    )


@app.command()
def use(profile: Annotated[str, typer.Argument(help="Profile name")]) -> None:
    """Make a profile the current one.

    Example: asst config use work
    """
    data = configfile.load()
    if profile not in data.get("profiles", {}):
        raise UsageError(
            f"no profile named '{profile}'",
            f"create it with 'asst --profile {profile} config set endpoint URL'",
        )
    data["current_profile"] = profile
    configfile.save(data)
    render.progress(f"Now using profile '{profile}'.")


@app.command()
def path() -> None:
    """Print the config file's path ($ASST_CONFIG_DIR/config.yaml or the platform default).

    Example: asst config path
    """
    render.text(f"{configfile.config_path()}\n")
