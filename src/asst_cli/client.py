"""Builds the SDK client for the resolved backend: where requests go and how they authenticate.

Only this module knows how each backend is addressed; everything above it sends the same paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import AsstError, ExitCode
from .settings import Settings

if TYPE_CHECKING:
    from openai import OpenAI

BETA_HEADERS = {"OpenAI-Beta": "assistants=v2"}
SCOPES = {
    "azure": "https://cognitiveservices.azure.com/.default",
    "foundry": "https://ai.azure.com/.default",
}
TOKEN_COMMAND_TIMEOUT = 60.0
_REFRESH_MARGIN = 300


def auth_method(settings: Settings) -> str:
    """How requests authenticate, as shown by 'asst auth status'."""
    if settings.backend == "local":
        return "bearer api key (generated, in the data dir)"
    if settings.api_key and settings.backend != "foundry":
        return "api-key header" if settings.backend == "azure" else "bearer api key"
    if settings.token:
        return "bearer token (static)"
    if settings.token_command:
        return "bearer token (token command)"
    if settings.backend == "openai":
        return "none"
    return "Entra ID (DefaultAzureCredential)"


def run_token_command(command: str) -> str:
    """Run the configured token command without a shell and return its first output line."""
    import shlex
    import subprocess

    argv = shlex.split(command)
    hint = "check ASST_TOKEN_COMMAND or the profile's token_command"
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=TOKEN_COMMAND_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AsstError(f"token command failed: {exc}", hint, ExitCode.AUTH) from exc
    token = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    if done.returncode != 0 or not token:
        detail = (done.stderr.strip().splitlines() or ["no token printed"])[-1]
        raise AsstError(f"token command exited {done.returncode}: {detail}", hint, ExitCode.AUTH)
    return token


def _entra_provider(scope: str, debug: bool) -> Callable[[], str]:
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise AsstError(
            "Entra ID sign-in needs the azure extra",
            "install it with \"pip install 'asst-cli[azure]'\", or set ASST_TOKEN or "
            "ASST_TOKEN_COMMAND",
            ExitCode.AUTH,
        ) from exc
    import logging

    # azure-identity logs every credential it tried, as warnings over many lines; asst's own
    # one-line error says what failed, and --debug shows the rest.
    logging.getLogger("azure").setLevel(logging.DEBUG if debug else logging.CRITICAL)
    credential = DefaultAzureCredential()
    cache: dict[str, Any] = {}

    def provide() -> str:
        if cache.get("expires_on", 0) - _REFRESH_MARGIN < time.time():
            try:
                token = credential.get_token(scope)
            except Exception as exc:  # azure-identity raises many types; all mean "no token"
                raise AsstError(
                    f"Entra ID sign-in failed: {str(exc).splitlines()[0]}",
                    "run 'az login', or set ASST_TOKEN or ASST_TOKEN_COMMAND",
                    ExitCode.AUTH,
                ) from exc
            cache.update(token=token.token, expires_on=token.expires_on)
        return str(cache["token"])

    return provide


def _token_provider(settings: Settings, debug: bool) -> Callable[[], str]:
    if settings.token:
        token = settings.token
        return lambda: token
    if settings.token_command:
        command = settings.token_command
        cached: list[str] = []

        def from_command() -> str:
            if not cached:
                cached.append(run_token_command(command))
            return cached[0]

        return from_command
    return _entra_provider(SCOPES[settings.backend], debug)


def _missing_key(settings: Settings) -> AsstError:
    return AsstError(
        f"no API key for backend {settings.backend}",
        "set OPENAI_API_KEY or ASST_API_KEY, or run 'asst config set api_key KEY'",
        ExitCode.AUTH,
    )


def build(settings: Settings, debug: bool = False) -> OpenAI:
    """The SDK client for these settings (imports the SDK: call only when a request is due).

    ``debug``: let the credential libraries log (Entra ID sign-in is otherwise quiet)."""
    from .sdk import clients, http_client

    sdk_client, sdk_azure_client = clients()
    common: dict[str, Any] = {
        "max_retries": settings.max_retries,
        "default_headers": BETA_HEADERS,
        "http_client": http_client(),
    }
    if settings.backend == "azure":
        azure: dict[str, Any] = {"api_key": settings.api_key}
        if not settings.api_key:
            azure = {"azure_ad_token_provider": _token_provider(settings, debug)}
        return sdk_azure_client(
            azure_endpoint=settings.endpoint, api_version=settings.api_version, **azure, **common
        )
    if settings.local is not None:
        from .local.backend import connect

        url, local_key = connect(settings.local)
        return sdk_client(api_key=local_key, base_url=url, **common)
    if settings.backend == "foundry":
        return sdk_client(
            api_key=_token_provider(settings, debug),
            base_url=settings.endpoint,
            default_query={"api-version": settings.api_version},
            **common,
        )
    key = settings.api_key or settings.token
    if not key and settings.token_command:
        key = run_token_command(settings.token_command)
    if not key:
        raise _missing_key(settings)
    return sdk_client(api_key=key, base_url=settings.endpoint, **common)
