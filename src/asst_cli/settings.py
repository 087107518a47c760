"""Which backend requests go to, and with which credential: the one resolver.

Precedence, highest first: command-line flag > ``ASST_*`` environment > the SDK's usual variables >
the active profile in the config file. A profile named explicitly (``--profile`` or
``ASST_PROFILE``) ranks above the SDK's variables, because naming it is a deliberate choice.
Every environment variable asst reads is named in this module.

With no backend configured anywhere, asst uses its local engine (``local``: a background
``asst serve``, see local/); so it does when the only setting is ``OPENAI_API_KEY``, which then
names the local engine's model, since api.openai.com no longer serves assistants.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import configfile
from .errors import AsstError, ExitCode, UsageError
from .local.config import FROM_OPENAI_KEY, LocalSettings, local_settings

BACKENDS = ("openai", "azure", "foundry", "local")
DEFAULT_API_VERSIONS = {"azure": "2024-05-01-preview", "foundry": "v1"}
DEFAULT_OPENAI_BASE = "https://api.openai.com/v1"
DEFAULT_MAX_RETRIES = 2

ASST_ENV = {
    "profile": "ASST_PROFILE",
    "backend": "ASST_BACKEND",
    "endpoint": "ASST_ENDPOINT",
    "api_version": "ASST_API_VERSION",
    "api_key": "ASST_API_KEY",
    "token": "ASST_TOKEN",
    "token_command": "ASST_TOKEN_COMMAND",
    "max_retries": "ASST_MAX_RETRIES",
    "output": "ASST_OUTPUT",
    "data_dir": "ASST_DATA_DIR",
    "idle_timeout": "ASST_IDLE_TIMEOUT",
    "model_base_url": "ASST_MODEL_BASE_URL",
    "model_api_key": "ASST_MODEL_API_KEY",
    "model_map": "ASST_MODEL_MAP",
}
# The SDKs' own variables, per backend; asst reads them so existing set-ups keep working.
SDK_ENV = {
    "openai": {"endpoint": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY"},
    "azure": {
        "endpoint": "AZURE_OPENAI_ENDPOINT",
        "api_key": "AZURE_OPENAI_API_KEY",
        "api_version": "OPENAI_API_VERSION",
        "token": "AZURE_OPENAI_AD_TOKEN",
    },
    "foundry": {"endpoint": "AZURE_AI_PROJECT_ENDPOINT"},
}
FIX_HINT = (
    "set ASST_ENDPOINT (or AZURE_OPENAI_ENDPOINT, AZURE_AI_PROJECT_ENDPOINT), "
    "or run 'asst config set endpoint URL'"
)
NOTHING_CONFIGURED = "default (no backend is configured)"
LOCAL_UNUSED = frozenset({"endpoint", "api_version", "api_key", "token", "token_command"})


@dataclass
class GlobalOptions:
    """What the root command's flags said; None means 'not given'."""

    profile: str | None = None
    backend: str | None = None
    endpoint: str | None = None
    api_version: str | None = None
    max_retries: int | None = None
    debug: bool = False
    data_dir: str | None = None


@dataclass
class Settings:
    backend: str
    endpoint: str
    api_version: str | None
    api_key: str | None
    token: str | None
    token_command: str | None
    max_retries: int
    profile: str
    sources: dict[str, str] = field(default_factory=dict)
    local: LocalSettings | None = None  # for backend local only


@dataclass
class _Layer:
    label: str
    values: Mapping[str, Any]


def named_profile_env(env: Mapping[str, str] | None = None) -> str | None:
    return (os.environ if env is None else env).get(ASST_ENV["profile"]) or None


def infer_backend(endpoint: str) -> str:
    """The dialect an endpoint URL speaks, from its shape."""
    lowered = endpoint.lower()
    if "/api/projects/" in lowered or ".services.ai.azure.com" in lowered:
        return "foundry"
    if ".openai.azure.com" in lowered or ".cognitiveservices.azure.com" in lowered:
        return "azure"
    return "openai"


def _env_layer(env: Mapping[str, str]) -> _Layer:
    values = {key: env[name] for key, name in ASST_ENV.items() if env.get(name)}
    return _Layer("environment (ASST_*)", values)


def _sdk_backend(env: Mapping[str, str]) -> str | None:
    """The backend the SDK's variables point at; two at once is an error, never a guess."""
    found: dict[str, list[str]] = {}
    for backend, names in SDK_ENV.items():
        for key in ("api_key", "endpoint"):
            name = names.get(key)
            if name and env.get(name):
                found.setdefault(backend, []).append(name)
    if len(found) > 1:
        backends = " and ".join(found)
        variables = ", ".join(name for names in found.values() for name in names)
        raise UsageError(
            f"ambiguous backend: the {backends} SDK variables are both set ({variables})",
            "choose one with --backend or ASST_BACKEND",
        )
    return next(iter(found), None)


def _sdk_layer(env: Mapping[str, str], backend: str) -> _Layer:
    names = SDK_ENV.get(backend, {})
    values = {key: env[name] for key, name in names.items() if env.get(name)}
    return _Layer(f"environment ({backend} SDK variables)", values)


def _first(layers: list[_Layer], key: str) -> tuple[Any, str]:
    for layer in layers:
        value = layer.values.get(key)
        if value not in (None, ""):
            return value, layer.label
    return None, ""


def _check_backend(value: str, source: str) -> str:
    if value not in BACKENDS:
        raise UsageError(
            f"unknown backend '{value}' (from {source})", f"use one of: {', '.join(BACKENDS)}"
        )
    return value


def _choose_backend(
    top: list[_Layer], profile_layer: _Layer, env: Mapping[str, str], named: bool
) -> tuple[str, str]:
    explicit, source = _first(top, "backend")
    if explicit:
        return _check_backend(str(explicit), source), source
    endpoint, source = _first(top, "endpoint")
    if endpoint:
        return infer_backend(str(endpoint)), f"inferred from the endpoint ({source})"
    ordered = [profile_layer] if named else []
    for layer in ordered:
        if layer.values.get("backend"):
            return _check_backend(str(layer.values["backend"]), layer.label), layer.label
        if layer.values.get("endpoint"):
            return infer_backend(str(layer.values["endpoint"])), f"inferred ({layer.label})"
    sdk = _sdk_backend(env)
    # OPENAI_API_KEY alone no longer reaches an Assistants service: it names the local
    # engine's model instead (local/config.py).
    only_key = sdk == "openai" and not env.get(SDK_ENV["openai"]["endpoint"])
    if only_key and not profile_layer.values.get("endpoint"):
        return "local", FROM_OPENAI_KEY
    if sdk:
        return sdk, f"inferred from the {sdk} SDK variables"
    if profile_layer.values.get("backend"):
        value = str(profile_layer.values["backend"])
        return _check_backend(value, profile_layer.label), profile_layer.label
    if profile_layer.values.get("endpoint"):
        endpoint = str(profile_layer.values["endpoint"])
        return infer_backend(endpoint), f"inferred ({profile_layer.label})"
    return "local", NOTHING_CONFIGURED


def _check_endpoint(value: str, source: str) -> str:
    """The endpoint as given, if it is an http(s) URL with a host; the SDK would otherwise fail
    on the first request with an error that names neither the endpoint nor where it came from."""
    hint = "give a URL such as https://HOST/v1"
    odd = next((c for c in value if c.isspace() or not c.isprintable()), None)
    if odd is not None:
        what = "a space" if odd == " " else f"the character {unicodedata.name(odd, repr(odd))}"
        raise UsageError(f"the endpoint (from {source}) contains {what}", hint)
    shown = value if len(value) <= 60 else value[:57] + "..."
    problem = ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- reading it checks the port
    except ValueError as exc:
        problem = f"is not a URL ({exc})"
    else:
        if "://" not in value:
            problem = "has no scheme"
        elif parts.scheme.lower() not in ("http", "https"):
            problem = f"has the scheme '{parts.scheme}', not http or https"
        elif not parts.hostname:
            problem = "has no host"
        elif not _resolvable(parts.hostname):
            problem = "has a host name with an empty label or one over 63 characters"
    if problem:
        raise UsageError(f"the endpoint '{shown}' (from {source}) {problem}", hint)
    return value


def _resolvable(host: str) -> bool:
    """Whether a name lookup can be asked for ``host``: it fails on the first request otherwise,
    with a codec error that names neither the endpoint nor its source."""
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def _max_retries(value: Any, source: str) -> int:
    if value is None:
        return DEFAULT_MAX_RETRIES
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise UsageError(f"max_retries must be a whole number >= 0 (from {source})")
    return number


def _profile_format(profile: _Layer) -> None:
    """The profile's output format becomes the default after -o and ASST_OUTPUT."""
    from . import render

    value = profile.values.get("output")
    problem = render.format_problem(str(value)) if value else None
    if problem:
        raise UsageError(f"output in {profile.label}: {problem}", "fix it with 'asst config set'")
    render.remember_profile_format(str(value) if value else None)


def resolve(options: GlobalOptions, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve the backend, endpoint, api-version and credential from every source."""
    env = os.environ if env is None else env
    flags = _Layer("command line", {k: v for k, v in vars(options).items() if k != "debug"})
    asst_env = _env_layer(env)
    data = configfile.load()
    named_profile, _ = _first([flags, asst_env], "profile")
    profile_name = str(named_profile or configfile.current_profile_name(data))
    if named_profile and profile_name not in data.get("profiles", {}):
        raise UsageError(
            f"no profile named '{profile_name}'", "list profiles with 'asst config list'"
        )
    profile_layer = _Layer(f"profile '{profile_name}'", configfile.profile(data, profile_name))
    top = [flags, asst_env]
    backend, backend_source = _choose_backend(top, profile_layer, env, bool(named_profile))
    sdk = _sdk_layer(env, backend)
    layers = [*top, profile_layer, sdk] if named_profile else [*top, sdk, profile_layer]
    sources = {"backend": backend_source}
    resolved: dict[str, Any] = {}
    for key in ("endpoint", "api_version", "api_key", "token", "token_command", "max_retries"):
        resolved[key], sources[key] = _first(layers, key)
    max_retries = _max_retries(resolved["max_retries"], sources["max_retries"])
    _profile_format(profile_layer)
    if backend == "local":
        local = local_settings(lambda key: _first(layers, key), env, sources)
        # Only what applies: a key or token set for another backend is not used here.
        shown = {k: v for k, v in sources.items() if v and k not in LOCAL_UNUSED}
        return Settings(
            backend, "", None, None, None, None, max_retries, profile_name, shown, local
        )
    endpoint = resolved["endpoint"] or (DEFAULT_OPENAI_BASE if backend == "openai" else None)
    if not endpoint:
        raise AsstError(f"no endpoint is configured for backend {backend}", FIX_HINT, ExitCode.AUTH)
    if not resolved["endpoint"]:
        sources["endpoint"] = "default"
    api_version = resolved["api_version"] or DEFAULT_API_VERSIONS.get(backend)
    if api_version and not resolved["api_version"]:
        sources["api_version"] = "default"
    return Settings(
        backend=backend,
        endpoint=_check_endpoint(str(endpoint), sources["endpoint"]).rstrip("/"),
        api_version=str(api_version) if api_version else None,
        api_key=resolved["api_key"],
        token=resolved["token"],
        token_command=resolved["token_command"],
        max_retries=max_retries,
        profile=profile_name,
        sources={k: v for k, v in sources.items() if v},
    )
