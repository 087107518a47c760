"""The quickstart's walk-through (examples/quickstart/README.md), its exact commands, with the
fake model scripted to write the quickstart's code: in-process against an engine as ``asst serve``
builds it (background worker, model responder, code_interpreter sandbox, on loopback), and as
``asst`` processes on the local backend, which starts and reuses its own ``asst serve``."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_cli import polling, render
from asst_engine import Engine
from asst_engine.models import providers
from asst_engine.models.responder import ModelResponder
from asst_engine.runs.worker import WorkerDriver
from asst_engine.testing.fake_model import FakeModel
from asst_engine.testing.fake_quickstart import PLOT_CODE, PLOTTED
from asst_engine.testing.server import EngineServer, serve
from asst_engine.tools.sandbox import Sandbox

from harness import ROOT, Result, Runner
from pngs import blue_curve

EXAMPLE = ROOT / "examples" / "quickstart"
START = 1767225600
FOLLOWED_UP = (
    "Here is the code I used to generate the sine wave:\n\n"
    f"```python\n{PLOT_CODE}\n```\n\n"
    # The check ran in the same session: the first call's variables are still there.
    "The session still holds the data: x: 400 points, y from -1.00 to 1.00\n"
)


class Clock:
    """The engine's clock, fixed: the transcript's times are known."""

    def now(self) -> int:
        return START

    def peek(self) -> int:
        return START


def commands() -> list[list[str]]:
    """The README's commands, as its ``$ asst ...`` lines write them."""
    text = (EXAMPLE / "README.md").read_text()
    lines = re.findall(r"^\$ asst (.+)$", text, re.MULTILINE)
    return [re.findall(r'"[^"]*"|\S+', line) for line in lines]


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, font_cache: Path) -> Iterator[Engine]:
    # The CLI defers the SDK's package inits (sdk.py) and the engine's worker threads import
    # it too: in one process, the SDK is loaded whole first, so no thread finds it half-made.
    importlib.import_module("openai.lib.azure")
    assert importlib.import_module("openai").OpenAIError
    with FakeModel() as fake:
        config = providers.load({"ASST_MODEL_BASE_URL": fake.url}, None)
        sandbox = Sandbox(tmp_path / "sandbox", timeout=60, font_cache=font_cache)
        responder = ModelResponder(config, sandbox=sandbox)
        built = Engine(clock=Clock(), driver=WorkerDriver(4), responder=responder, poll_after_ms=50)
        server: EngineServer = serve("127.0.0.1", 0, built)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-quickstart")
        monkeypatch.setenv("ASST_OUTPUT", "text")  # what a terminal shows, without Markdown
        # The engine works in real time (a sandbox, a model): waits are real, 50 ms apart.
        monkeypatch.setattr(polling, "CLOCK", polling.SystemClock())
        try:
            yield built
        finally:
            server.stop()
            built.close()
            sandbox.close()


def test_the_readme_has_the_four_commands() -> None:
    assert commands() == [
        [
            "run",
            "--wait",
            "--download-dir",
            "out",
            "-f",
            "data-viz.yaml",
            '"Create a visualization of a sinewave"',
        ],
        ["threads", "show", "--steps"],
        ["run", "--wait", "-c", '"Show me the code you used to generate the sinewave"'],
        [
            "run",
            "--wait",
            "--download-dir",
            "sales",
            "-c",
            "--attach",
            "sales.csv:code_interpreter",
            '"Chart the sales in sales.csv by month and save the totals as a CSV file"',
        ],
    ]


def test_the_walk_through_plots_a_sine_wave_and_shows_its_code(
    engine: Engine, cli: Runner, tmp_path: Path
) -> None:
    _copy_example(tmp_path)
    plot, show, follow_up, data = ([a.strip('"') for a in c] for c in commands())
    first = cli(*plot)
    assert (first.exit_code, first.stderr) == (0, ""), first.stderr
    (made,) = [f for f in engine.store.files.list() if f["purpose"] == "assistants_output"]
    assert first.stdout == _replied(made["id"])
    _check_sine_wave((tmp_path / "out" / "image-1.png").read_bytes())

    shown = cli(*show)
    (run,) = engine.store.runs.list(engine.store.threads.list()[0]["id"])
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert shown.stdout == _shown(START, START, run["id"], made["id"])

    again = cli(*follow_up)
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout == FOLLOWED_UP

    charted = cli(*data)
    outputs = [f for f in engine.store.files.list() if f["purpose"] == "assistants_output"]
    (totals,) = [f for f in outputs if f["filename"] == "totals.csv"]
    (chart,) = [f for f in outputs if f["id"] not in (made["id"], totals["id"])]
    assert (charted.exit_code, charted.stderr) == (0, "")
    assert charted.stdout == _summed(chart["id"], totals["id"])
    _check_sales(tmp_path / "sales")


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The local backend's environment: a data dir, XDG dirs and the fake model, all under
    tmp; the background server the first command starts is stopped at the end. The cache dir
    stays the test process's own (conftest.py): it holds only matplotlib's font list."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("ASST_BACKEND", "local")
    monkeypatch.setenv("ASST_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ASST_OUTPUT", "text")
    for name in ("CONFIG", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / f"xdg-{name.lower()}"))
    with FakeModel() as fake:
        monkeypatch.setenv("ASST_MODEL_BASE_URL", fake.url)
        try:
            yield data_dir
        finally:
            if (data_dir / "server.json").exists():
                stopped = asst("serve", "stop", "--data-dir", str(data_dir))
                assert stopped.exit_code == 0, stopped.stderr


def asst(*args: str) -> Result:
    """``asst`` as a user runs it: its own process, in the test's directory and environment."""
    done = subprocess.run(
        [sys.executable, "-m", "asst_cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def test_the_walk_through_runs_on_the_local_backend(local: Path, tmp_path: Path) -> None:
    _copy_example(tmp_path)
    plot, show, follow_up, data = ([a.strip('"') for a in c] for c in commands())
    first = asst(*plot)
    assert (first.exit_code, first.stderr) == (0, ""), first.stderr
    # The ids and times the outputs name, from the messages (one more process, not four).
    question, answer = asst("threads", "show", "-o", "json").json()
    made = answer["content"][0]["image_file"]["file_id"]
    assert first.stdout == _replied(made)
    _check_sine_wave((tmp_path / "out" / "image-1.png").read_bytes())

    shown = asst(*show)
    assert (shown.exit_code, shown.stderr) == (0, "")
    when = (question["created_at"], answer["created_at"])
    assert shown.stdout == _shown(*when, answer["run_id"], made)

    again = asst(*follow_up)
    assert (again.exit_code, again.stdout, again.stderr) == (0, FOLLOWED_UP, "")

    charted = asst(*data)
    *_, summed = asst("threads", "show", "-o", "json").json()
    chart = summed["content"][0]["image_file"]["file_id"]
    totals = summed["content"][1]["text"]["annotations"][0]["file_path"]["file_id"]
    assert (charted.exit_code, charted.stdout, charted.stderr) == (0, _summed(chart, totals), "")
    _check_sales(tmp_path / "sales")
    assert json.loads((local / "server.json").read_text())["pid"] > 0


def _copy_example(folder: Path) -> None:
    for name in ("data-viz.yaml", "sales.csv"):
        shutil.copy(EXAMPLE / name, folder / name)


def _summed(image_id: str, totals_id: str) -> str:
    """What the last command prints: the chart, the reply, the files saved under sales/."""
    return (
        "[image 1]\n\nHere are the sales of sales.csv summed by month, charted above. "
        # The Markdown link to the sandbox file, as a text output shows a file_path annotation.
        "The totals are also in totals.csv[2].\n\n"
        f"[1] image image-1.png ({image_id}), saved to sales/image-1.png\n"
        f"[2] totals.csv ({totals_id}), saved to sales/totals.csv\n"
    )


def _check_sales(folder: Path) -> None:
    """The totals the code wrote, and a real chart of them: not blank, wider than tall."""
    assert (folder / "totals.csv").read_text() == "month,sales\nJan,200\nFeb,235\nMar,290\n"
    chart = blue_curve((folder / "image-1.png").read_bytes())
    assert 600 < chart.width < 900 and chart.height < chart.width and chart.colours > 10


def _replied(image_id: str) -> str:
    """What ``asst run --wait --download-dir out`` prints for the plot, on a text output."""
    return (
        f"[image 1]\n\n{PLOTTED}\n\n[1] image image-1.png ({image_id}), saved to out/image-1.png\n"
    )


def _shown(asked: int, answered: int, run_id: str, image_id: str) -> str:
    """What ``asst threads show --steps`` prints: the question, the code run, the reply."""
    return (
        f"── user · {render.human_time(asked)} ──\nCreate a visualization of a sinewave\n\n"
        f"── tool call · {run_id} ──\n"
        f"▸ code_interpreter ran:\n\n```python\n{PLOT_CODE}\n```\n\nimage: {image_id}\n\n"
        f"── assistant · {render.human_time(answered)} · {run_id} ──\n[image 1]\n\n{PLOTTED}\n"
        f"[1] image image-1.png ({image_id}), "
        f"download with 'asst files download {image_id}'\n\n"
    )


def _check_sine_wave(png: bytes) -> None:
    """A real chart of a sine: wide, many colours, a blue curve across the plot, centred."""
    curve = blue_curve(png)
    # figsize=(8, 4), trimmed to the chart
    assert 600 < curve.width < 900 and 1.5 * curve.height < curve.width
    assert curve.colours > 10  # not blank
    assert curve.span > curve.width * 0.6
    assert abs(curve.middle - curve.height / 2) < curve.height * 0.1
