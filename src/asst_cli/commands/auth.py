"""asst auth: show how asst will reach the backend, and check that it can."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import api, client, errors, paths, render
from ..errors import AsstError
from ..options import Output, Query, group
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
def status(
    check: Annotated[
        bool, typer.Option("--check", help="Make one cheap request to prove access")
    ] = False,
    output: Output = None,
    query: Query = None,
) -> None:
    """Print the resolved backend, endpoint, api-version and auth method (secrets masked).

    Example: asst auth status --check
    """
    current = api.current_settings()
    result: dict[str, Any] = {
        "backend": current.backend,
        "endpoint": current.endpoint,
        "api_version": current.api_version,
        "auth": client.auth_method(current),
        "credential": _credential(current),
        "profile": current.profile,
        "sources": current.sources,
    }
    failure = _check(result) if check else None
    columns = COLUMNS if check else COLUMNS[:-1]
    render.emit(result, columns, render.Choice(output, query))
    if failure is not None:
        raise failure


def _check(result: dict[str, Any]) -> AsstError | None:
    """One cheap request; its outcome joins ``result``, and a failure is returned to be raised
    after what was resolved is printed (the resolution is what someone debugging needs)."""
    try:
        api.page(paths.ASSISTANTS, {"limit": 1})
    except Exception as exc:
        failure = errors.known(exc)
        result["check"] = f"failed: {failure.message}"
        return failure
    result["check"] = "ok"
    return None
