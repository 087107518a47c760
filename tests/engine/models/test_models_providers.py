"""Which provider and model name an assistant's model resolves to, and one-line config errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asst_engine.models.chat import ChatCompletionsModel
from asst_engine.models.providers import (
    ModelConfig,
    ModelConfigError,
    Provider,
    load,
    resolve,
)

MAP = """\
gpt-4o:
  base_url: http://localhost:11434/v1/
  model: llama3.1
  images: true
  api_key_env: OLLAMA_KEY
gpt-4o-mini: {model: qwen2.5}
"gpt-4.1*": {model: phi4, timeout: 30}
"*": {base_url: http://localhost:8000/v1, model: served-model, token_limit: max_completion_tokens}
"""


class Recorded:
    """Stands in for the chat model so tests see which provider each model was made for."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def stream(self, request: Any, cancel: Any) -> Any:
        return iter(())


def mapped(tmp_path: Path, text: str = MAP, **environ: str) -> ModelConfig:
    path = tmp_path / "models.yaml"
    path.write_text(text)
    return load(environ, path, factory=Recorded)


def where(config: ModelConfig, name: str) -> tuple[Provider, str, bool]:
    found = resolve(config, name)
    assert isinstance(found.model, Recorded)
    return found.model.provider, found.name, found.images


LOCAL = Provider("http://vllm:8000/v1", "none", "max_tokens", 600.0)


def test_the_default_provider_serves_every_model_under_its_own_name() -> None:
    config = load({"ASST_MODEL_BASE_URL": "http://vllm:8000/v1/"}, factory=Recorded)
    assert where(config, "gpt-4o") == (LOCAL, "gpt-4o", False)


def test_a_key_alone_means_the_openai_api() -> None:
    config = load({"ASST_MODEL_API_KEY": "sk-real"}, factory=Recorded)
    provider = Provider("https://api.openai.com/v1", "sk-real", "max_completion_tokens", 600.0)
    assert where(config, "gpt-4o") == (provider, "gpt-4o", False)


def test_the_map(tmp_path: Path) -> None:
    config = mapped(tmp_path, ASST_MODEL_BASE_URL="http://vllm:8000/v1", OLLAMA_KEY="ollama-key")
    ollama = Provider("http://localhost:11434/v1", "ollama-key", "max_tokens", 600.0)
    assert where(config, "gpt-4o") == (ollama, "llama3.1", True)
    assert where(config, "gpt-4o-mini") == (LOCAL, "qwen2.5", False)
    assert where(config, "gpt-4.1-nano") == (
        Provider("http://vllm:8000/v1", "none", "max_tokens", 30.0),
        "phi4",
        False,
    )
    served = Provider("http://localhost:8000/v1", "none", "max_completion_tokens", 600.0)
    assert where(config, "o3") == (served, "served-model", False)


def test_the_map_file_can_come_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text('{"*": {"base_url": "http://vllm:8000/v1"}}')
    config = load({"ASST_MODEL_MAP": str(tmp_path / "m.json")}, factory=Recorded)
    assert where(config, "gpt-4o") == (LOCAL, "gpt-4o", False)


def test_one_model_per_provider_and_the_real_one_by_default() -> None:
    config = load({"ASST_MODEL_BASE_URL": "http://vllm:8000/v1"})
    first, second = resolve(config, "a").model, resolve(config, "b").model
    assert first is second
    assert isinstance(first, ChatCompletionsModel)
    assert (first.base_url, first.token_limit, first.timeout) == (
        "http://vllm:8000/v1",
        "max_tokens",
        600.0,
    )


def test_secrets_stay_out_of_the_repr() -> None:
    assert "sk-real" not in repr(load({"ASST_MODEL_API_KEY": "sk-real"}))


def test_no_provider_at_all() -> None:
    with pytest.raises(ModelConfigError) as raised:
        resolve(load({}), "gpt-4o")
    assert str(raised.value) == (
        "No model provider for model 'gpt-4o': set ASST_MODEL_BASE_URL (and ASST_MODEL_API_KEY),"
        " or map the model in a model map (ASST_MODEL_MAP)."
    )


def test_a_model_the_map_does_not_know(tmp_path: Path) -> None:
    config = mapped(tmp_path, "a: {base_url: http://x/v1}\nb*: {base_url: http://y/v1}\n")
    with pytest.raises(ModelConfigError) as raised:
        resolve(config, "gpt-4o")
    assert str(raised.value) == (
        f"Model 'gpt-4o' is not in the model map {tmp_path / 'models.yaml'} (a, b*) and no default"
        " provider is set: add it, a '*' entry, or set ASST_MODEL_BASE_URL."
    )


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        (
            "[1, 2]",
            {},
            "expected a mapping of model names to entries, like 'gpt-4o: {base_url: http://localhost:11434/v1, model: llama3.1}'.",
        ),
        (
            "a: [",
            {},
            "not valid YAML or JSON (line 1): expected the node content, but found '<stream end>'.",
        ),
        ("a: 3", {}, "entry 'a': expected a mapping like {model: llama3.1}."),
        (
            "a: {baseurl: x}",
            {},
            "entry 'a': unknown key 'baseurl' (known: base_url, model, api_key_env, images, token_limit, timeout).",
        ),
        (
            "a: {base_url: localhost:1}",
            {},
            "entry 'a': base_url: 'localhost:1' is not an http:// or https:// URL.",
        ),
        ("a: {model: x}", {}, "entry 'a': no base_url, and ASST_MODEL_BASE_URL is not set."),
        (
            "a: {base_url: http://x/v1, api_key_env: NOPE}",
            {},
            "entry 'a': its API key variable NOPE is not set.",
        ),
        (
            "a: {base_url: https://api.openai.com/v1}",
            {},
            "entry 'a': the OpenAI API needs a key: add api_key_env.",
        ),
        (
            "a: {base_url: http://x/v1, model: ''}",
            {},
            "entry 'a': model must be a non-empty string.",
        ),
        (
            "a: {base_url: http://x/v1, images: 'yes'}",
            {},
            "entry 'a': images must be true or false.",
        ),
        (
            "a: {base_url: http://x/v1, token_limit: tokens}",
            {},
            "entry 'a': token_limit must be one of max_tokens, max_completion_tokens.",
        ),
        (
            "a: {base_url: http://x/v1, timeout: 0}",
            {},
            "entry 'a': timeout must be a positive number of seconds.",
        ),
    ],
)
def test_map_errors(tmp_path: Path, text: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ModelConfigError) as raised:
        mapped(tmp_path, text, **environ)
    assert str(raised.value) == f"Model map {tmp_path / 'models.yaml'}: {message}"


def test_a_missing_map_file(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError) as raised:
        load({"ASST_MODEL_MAP": str(tmp_path / "nope.yaml")})
    assert str(raised.value) == (
        f"Model map {tmp_path / 'nope.yaml'}: cannot read it (No such file or directory); fix ASST_MODEL_MAP or --model-map."
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"ASST_MODEL_BASE_URL": "https://api.openai.com/v1"},
            "ASST_MODEL_API_KEY is not set: the OpenAI API needs a key.",
        ),
        (
            {"ASST_MODEL_BASE_URL": "ftp://x"},
            "ASST_MODEL_BASE_URL: 'ftp://x' is not an http:// or https:// URL.",
        ),
    ],
)
def test_environment_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ModelConfigError) as raised:
        load(environ)
    assert str(raised.value) == message


def test_loading_the_configuration_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from asst_engine.models import providers\n"
        "config = providers.load({'ASST_MODEL_BASE_URL': 'http://x/v1'})\n"
        "providers.resolve(config, 'gpt-4o')\n"
        "print(sorted(m for m in sys.modules if m == 'openai' or m.startswith('openai.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
