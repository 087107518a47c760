"""asst auth: show how asst will reach the backend, and check that it can."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, client, errors, paths, render
from ..errors import AsstError
from ..options import group, output_choice
from ..settings import Settings

app = group("Inspect the resolved backend and credential.")
COLUMNS = (
    render.Column("backend", "backend"),
    render.Column("endpoint", "endpoint"),
    render.Column("api-version", "api_version"),
    render.Column("auth", "auth"),
    render.Column("credential", "credential"),
    render.Column("profile", "profile"),
    render.Column("check", "check"),
)
# The local backend: no api-version; its server, data dir and model instead.
LOCAL_COLUMNS = (
    *COLUMNS[:2],
    render.Column("server", "server"),
    render.Column("data-dir", "data_dir"),
    render.Column("idle-timeout", "idle_timeout"),
    render.Column("model", "model"),
    *COLUMNS[3:],
)


def _credential(current: Settings) -> str | None:
    uses_key = current.api_key and current.backend != "foundry"
    secret = current.api_key if uses_key else current.token
    if secret:
        return "****" + secret[-4:] if len(secret) > 8 else "****"
    return _program(current.token_command) if current.token_command else None


def _program(command: str) -> str:
    """A token command's program alone: its arguments may hold a secret (a client secret)."""
    words = command.split()
    return words[0] + (" …" if len(words) > 1 else "")


@app.command()
@output_choice
def status(
    check: Annotated[
        bool, typer.Option("--check", help="Make one cheap request to prove access")
    ] = False,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Print the resolved backend, endpoint, api-version and auth method (secrets masked).

    With the local backend: the server's URL and pid when it runs, the data dir, and the model
    provider's base URL (never its key).

    Example: asst auth status --check
    """
    current = api.current_settings()
    # First: with the local backend the request may start the server described below.
    outcome, failure = _check() if check else ("", None)
    result: dict[str, Any] = {
        "backend": current.backend,
        "endpoint": current.endpoint,
        "api_version": current.api_version,
        "auth": client.auth_method(current),
        "credential": _credential(current),
        "profile": current.profile,
        "sources": current.sources,
    }
    columns: tuple[render.Column, ...] = COLUMNS
    if current.local is not None:
        from ..local.backend import describe

        result.update(describe(current.local))
        columns = LOCAL_COLUMNS
    if check:
        result["check"] = outcome
    render.emit(result, columns if check else columns[:-1], choice)
    if failure is not None:
        raise failure


def _check() -> tuple[str, AsstError | None]:
    """One cheap request: its outcome to show, and a failure to raise after what was resolved
    is printed (the resolution is what someone debugging needs)."""
    try:
        api.page(paths.ASSISTANTS, {"limit": 1})
    except Exception as exc:
        failure = errors.known(exc)
        return f"failed: {failure.message}", failure
    return "ok", None
