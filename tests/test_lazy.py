"""What keeps asst quick to start: commands imported when used, the SDK without its typed models.

The figures are in bench/RESULTS.md; these tests keep the mechanisms honest.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from asst_cli.app import Root, app


def _probe(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


MODULES_AFTER = (
    "import sys\n"
    "from asst_cli.app import run\n"
    "run({args!r})\n"
    "print(' '.join(sorted(m for m in sys.modules if m.startswith('asst_cli.commands.'))))\n"
)


@pytest.mark.parametrize("name", list(Root.lazy))
def test_the_listed_help_is_the_commands_own(name: str) -> None:
    loaded = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    listed = Root.lazy[name].help
    assert loaded.help is not None
    assert loaded.help.split("\n\n")[0].replace("\n", " ") == listed
    assert typer.core.TyperCommand(name, help=listed).get_short_help_str(60) == (
        loaded.get_short_help_str(60)
    )


def test_help_imports_no_command_module() -> None:
    loaded = _probe(MODULES_AFTER.format(args=["--help"])).splitlines()[-1].split()
    assert loaded == ["asst_cli.commands.completion"]


def test_a_command_imports_its_own_group_only() -> None:
    loaded = _probe(MODULES_AFTER.format(args=["config", "path"])).splitlines()[-1].split()
    assert loaded == ["asst_cli.commands.completion", "asst_cli.commands.config"]


def test_the_sdk_is_used_without_its_typed_models() -> None:
    code = (
        "import sys\n"
        "from asst_cli.sdk import clients\n"
        "OpenAI, Azure = clients()\n"
        "OpenAI(api_key='k', base_url='http://127.0.0.1:9/v1')\n"
        "print(len([m for m in sys.modules if m.startswith('openai.types.')]))\n"
        # The deferred packages still work for anyone who reads them:
        "import openai\n"
        "from openai.types import Batch\n"
        "assert openai.OpenAI is OpenAI and openai.AzureOpenAI is Azure\n"
        "assert Batch.__name__ == 'Batch' and openai.APIError is openai._exceptions.APIError\n"
        # as after an import, a package names its subpackages (the SDK's own code reads them)
        "from openai.resources.chat.completions import completions\n"
        "assert completions.validate_response_format(None) is None\n"
    )
    assert int(_probe(code)) < 40  # the whole of openai.types is ~470 modules


def test_help_imports_neither_the_engine_nor_the_local_server() -> None:
    code = (
        "import sys\n"
        "from asst_cli.app import run\n"
        "run(['--help'])\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('asst_engine', "
        "'asst_cli.local')))))\n"
    )
    # The local backend's settings only: what starts a server is imported when a request is due.
    assert _probe(code).splitlines()[-1].split() == ["asst_cli.local", "asst_cli.local.config"]
