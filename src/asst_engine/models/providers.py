"""Which provider serves an assistant's ``model``, and under which name.

The default provider comes from the environment:

- ``ASST_MODEL_BASE_URL``: an OpenAI-compatible ``/v1`` URL (Ollama ``http://localhost:11434/v1``,
  vLLM, llama.cpp server, LM Studio, Azure OpenAI ``https://<resource>.openai.azure.com/openai/v1``);
  unset, the OpenAI API when ``ASST_MODEL_API_KEY`` is set.
- ``ASST_MODEL_API_KEY``: its key; servers that take none may go without.

Without a model map every assistant model goes to the default provider under its own name. A
model map (YAML or JSON, named by ``ASST_MODEL_MAP`` or ``asst serve --model-map FILE``) sends
models elsewhere or renames them::

    gpt-4o:                          # an assistant's model name (exact)
      base_url: http://localhost:11434/v1
      model: llama3.1                # the provider's name for it; default: the same name
      api_key_env: OLLAMA_API_KEY    # the variable holding the key (keys never go in the file)
      images: false                  # whether it takes image input (default false)
      token_limit: max_tokens        # or max_completion_tokens (default for the OpenAI API)
      timeout: 600                   # seconds to wait for the provider
    gpt-4o-mini: {model: qwen2.5}    # no base_url: the default provider
    "gpt-4.1*": {model: llama3.1}    # a glob pattern
    "*": {base_url: http://localhost:8000/v1, model: served-model}

Exact names win, then patterns in file order, then ``*``. Errors are one line naming the file,
the entry and the fix.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asst_engine.models.base import Model

OPENAI_URL = "https://api.openai.com/v1"
KEYS = ("base_url", "model", "api_key_env", "images", "token_limit", "timeout")
TOKEN_LIMITS = ("max_tokens", "max_completion_tokens")
# Sent to servers that take no key: the SDK refuses to run without one.
NO_KEY = "none"
_LOCK = threading.Lock()


class ModelConfigError(ValueError):
    """A one-line message: what is wrong and how to fix it."""


@dataclass(frozen=True)
class Provider:
    base_url: str
    api_key: str = field(repr=False)
    token_limit: str = "max_tokens"
    timeout: float = 600.0


@dataclass(frozen=True)
class Route:
    pattern: str
    provider: Provider | None  # None: the default provider
    model: str | None  # None: the assistant's model name
    images: bool = False


@dataclass(frozen=True)
class Resolved:
    model: Model
    name: str  # the provider's model name
    images: bool


def _chat(provider: Provider) -> Model:
    from asst_engine.models.chat import ChatCompletionsModel

    return ChatCompletionsModel(
        provider.base_url,
        provider.api_key,
        timeout=provider.timeout,
        token_limit=provider.token_limit,
    )


@dataclass(frozen=True)
class ModelConfig:
    default: Provider | None
    routes: tuple[Route, ...] = ()
    source: str = ""  # the model map's path, for messages
    factory: Callable[[Provider], Model] = field(default=_chat, repr=False)
    _models: dict[Provider, Model] = field(default_factory=dict, repr=False, compare=False)

    def model_for(self, provider: Provider) -> Model:
        """One ``Model`` per provider, so its connections are shared by every run."""
        with _LOCK:
            if provider not in self._models:
                self._models[provider] = self.factory(provider)
            return self._models[provider]


def load(
    environ: Mapping[str, str],
    map_file: str | Path | None = None,
    factory: Callable[[Provider], Model] | None = None,
) -> ModelConfig:
    """The configuration from ``environ`` and the model map (``map_file`` or ASST_MODEL_MAP)."""
    default = _default(environ)
    path = map_file or environ.get("ASST_MODEL_MAP") or None
    routes = _read_map(Path(path), environ, default) if path else ()
    source = str(path) if path else ""
    if factory is None:
        return ModelConfig(default, routes, source)
    return ModelConfig(default, routes, source, factory)


def resolve(config: ModelConfig, name: str) -> Resolved:
    """The ``Model`` and provider model name for an assistant's ``model``."""
    route = _route(config.routes, name)
    provider = route.provider if route and route.provider else config.default
    if provider is None:
        raise ModelConfigError(_unknown(config, name))
    target = route.model if route and route.model else name
    return Resolved(config.model_for(provider), target, bool(route and route.images))


def _route(routes: tuple[Route, ...], name: str) -> Route | None:
    exact = [route for route in routes if route.pattern == name]
    patterns = [r for r in routes if r.pattern != "*" and fnmatch.fnmatchcase(name, r.pattern)]
    fallback = [route for route in routes if route.pattern == "*"]
    found = exact + patterns + fallback
    return found[0] if found else None


def _unknown(config: ModelConfig, name: str) -> str:
    if config.source:
        known = ", ".join(route.pattern for route in config.routes) or "no entries"
        return (
            f"Model '{name}' is not in the model map {config.source} ({known}) and no default "
            "provider is set: add it, a '*' entry, or set ASST_MODEL_BASE_URL."
        )
    return (
        f"No model provider for model '{name}': set ASST_MODEL_BASE_URL (and ASST_MODEL_API_KEY),"
        " or map the model in a model map (ASST_MODEL_MAP)."
    )


def _default(environ: Mapping[str, str]) -> Provider | None:
    base_url = environ.get("ASST_MODEL_BASE_URL") or None
    key = environ.get("ASST_MODEL_API_KEY") or None
    if base_url is None and key is None:
        return None
    url = _url(base_url or OPENAI_URL, "ASST_MODEL_BASE_URL")
    if key is None and _is_openai(url):
        raise ModelConfigError("ASST_MODEL_API_KEY is not set: the OpenAI API needs a key.")
    return Provider(url, key or NO_KEY, _token_limit(url))


def _is_openai(url: str) -> bool:
    return url.startswith("https://api.openai.com/")


def _token_limit(url: str) -> str:
    return "max_completion_tokens" if _is_openai(url) else "max_tokens"


def _url(value: str, where: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ModelConfigError(f"{where}: {value!r} is not an http:// or https:// URL.")
    return value.rstrip("/")


def _read_map(
    path: Path, environ: Mapping[str, str], default: Provider | None
) -> tuple[Route, ...]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ModelConfigError(
            f"Model map {path}: cannot read it ({error.strerror}); "
            "fix ASST_MODEL_MAP or --model-map."
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "unreadable"
        raise ModelConfigError(
            f"Model map {path}: not valid YAML or JSON{where}: {problem}."
        ) from None
    if not isinstance(data, dict) or not data:
        raise ModelConfigError(
            f"Model map {path}: expected a mapping of model names to entries, like "
            "'gpt-4o: {base_url: http://localhost:11434/v1, model: llama3.1}'."
        )
    return tuple(
        _entry(f"Model map {path}: entry '{k}'", str(k), v, environ, default)
        for k, v in data.items()
    )


def _entry(
    where: str, pattern: str, value: Any, environ: Mapping[str, str], default: Provider | None
) -> Route:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ModelConfigError(f"{where}: expected a mapping like {{model: llama3.1}}.")
    unknown = sorted(str(key) for key in value if key not in KEYS)
    if unknown:
        raise ModelConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(KEYS)}).")
    model = _text(where, value, "model")
    images = value.get("images", False)
    if not isinstance(images, bool):
        raise ModelConfigError(f"{where}: images must be true or false.")
    if "base_url" not in value and "api_key_env" not in value:
        if default is None:
            raise ModelConfigError(f"{where}: no base_url, and ASST_MODEL_BASE_URL is not set.")
        provider = (
            _options(where, value, default) if {"timeout", "token_limit"} & set(value) else None
        )
        return Route(pattern, provider, model, images)
    return Route(pattern, _provider(where, value, environ, default), model, images)


def _provider(
    where: str, value: dict[str, Any], environ: Mapping[str, str], default: Provider | None
) -> Provider:
    raw_url = _text(where, value, "base_url")
    if raw_url is None and default is None:
        raise ModelConfigError(f"{where}: no base_url, and ASST_MODEL_BASE_URL is not set.")
    url = _url(raw_url, f"{where}: base_url") if raw_url else default.base_url  # type: ignore[union-attr]
    variable = _text(where, value, "api_key_env")
    key = environ.get(variable) if variable else None
    if variable and not key:
        raise ModelConfigError(f"{where}: its API key variable {variable} is not set.")
    if key is None and _is_openai(url):
        raise ModelConfigError(f"{where}: the OpenAI API needs a key: add api_key_env.")
    base = Provider(url, key or NO_KEY, _token_limit(url))
    return _options(where, value, base)


def _options(where: str, value: dict[str, Any], base: Provider) -> Provider:
    limit = value.get("token_limit", base.token_limit)
    if limit not in TOKEN_LIMITS:
        raise ModelConfigError(f"{where}: token_limit must be one of {', '.join(TOKEN_LIMITS)}.")
    timeout = value.get("timeout", base.timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ModelConfigError(f"{where}: timeout must be a positive number of seconds.")
    return Provider(base.base_url, base.api_key, limit, float(timeout))


def _text(where: str, value: dict[str, Any], key: str) -> str | None:
    found = value.get(key)
    if found is not None and (not isinstance(found, str) or not found):
        raise ModelConfigError(f"{where}: {key} must be a non-empty string.")
    return found
