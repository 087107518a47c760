"""What every benchmark shares: whole-process timing with peak memory, paired medians, the
engine on loopback, the peers' own virtual environment, and the rows of RESULTS.md."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"
PEER_OPENAI = "2.34.0"
API_KEY = "sk-bench"
START_TIMEOUT = 30.0  # seconds for `asst serve` to listen


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    code: int
    end: float  # time.monotonic() when the process had exited


def bin_dir() -> Path:
    return Path(sys.executable).parent


def asst() -> list[str]:
    found = shutil.which("asst", path=str(bin_dir()))
    return [found] if found else [sys.executable, "-m", "asst_cli"]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would steer asst or the SDKs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASST_", "OPENAI_", "AZURE_"))}
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run(
    argv: Sequence[str],
    env: dict[str, str],
    stdout: IO[Any] | int = subprocess.DEVNULL,
    cwd: Path | None = None,
) -> Sample:
    """One whole process: wall time, peak resident memory (its own, from wait4) and exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(list(argv), env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    end = time.monotonic()
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        message = errors.decode(errors="replace").strip()
        print(f"  ! {' '.join(argv)} exited {process.returncode}: {message}", file=sys.stderr)
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode, end)


def paired(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    """Median seconds of each command, run in turns (a, b, c, b, c, a, ...) so that a slower
    moment of the machine falls on all of them alike; one warm-up run each first."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for name in names:
        run(*commands[name])
    for turn in range(runs):
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(run(*commands[name]).seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def python_of_peer() -> Path:
    """The peers' interpreter: a venv under bench/.peers with openai 2.34 (its legacy CLI)."""
    venv = PEERS / f"openai-{PEER_OPENAI}"
    python = venv / "bin" / "python"
    marker = venv / "installed"
    if not marker.exists():
        print(f"Creating {venv} (openai=={PEER_OPENAI}) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"openai=={PEER_OPENAI}"],
            check=True,
        )
        marker.write_text(PEER_OPENAI + "\n")
    return python


class Engine:
    """The project's engine on 127.0.0.1 (a free port), in its own process, logging requests."""

    def __init__(self, log: Path, url: str, thread: str, process: subprocess.Popen[str]) -> None:
        self.log = log
        self.url = url
        self.thread = thread
        self.process = process

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(OPENAI_BASE_URL=f"{self.url}/v1", OPENAI_API_KEY=API_KEY, **extra)

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def forget(self) -> None:
        """Start the request log afresh."""
        self.log.unlink(missing_ok=True)


@contextmanager
def engine(work: Path, *options: str) -> Iterator[Engine]:
    log = work / f"engine-{time.monotonic_ns()}.jsonl"
    argv = [sys.executable, str(HERE / "engine_probe.py"), "--log", str(log), *options]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=clean_env())
    try:
        assert process.stdout is not None
        url, _, thread = process.stdout.readline().strip().partition(" ")
        if not url:
            raise RuntimeError("the engine did not start")
        yield Engine(log, url, thread, process)
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def served(work: Path, *options: str, model_url: str | None = None) -> Iterator[tuple[int, str]]:
    """`asst serve` on a free loopback port in a fresh data dir under ``work``, a key
    (API_KEY) required, its model at ``model_url`` if given: its pid and base URL."""
    data_dir = work / f"serve-{time.monotonic_ns()}"
    data_dir.mkdir(parents=True)
    keys = data_dir / "keys"
    keys.write_text(API_KEY + "\n")
    argv = [*asst(), "serve", "--port", "0", "--data-dir", str(data_dir),
            "--api-key-file", str(keys), "--log-level", "warning", *options]  # fmt: skip
    model = {"ASST_MODEL_BASE_URL": model_url, "ASST_MODEL_API_KEY": "sk-fake"} if model_url else {}
    process = subprocess.Popen(argv, env=clean_env(**model))
    try:
        info = _wait_for(data_dir / "server.json", process)
        yield int(info["pid"]), str(info["url"])
    finally:
        process.terminate()
        process.wait(30)


def _wait_for(info: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT
    while not info.exists():
        if process.poll() is not None:
            raise RuntimeError(f"asst serve exited {process.returncode} before listening")
        if time.monotonic() > deadline:
            raise RuntimeError(f"asst serve wrote no {info} within {START_TIMEOUT:.0f} s")
        time.sleep(0.02)
    found: dict[str, Any] = json.loads(info.read_text())
    return found


@dataclass
class Row:
    figure: str
    value: str
    peer: str = ""
    peer_value: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Section:
    title: str
    setup: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.setup, ""]
        lines += [
            "| figure | asst | peer | peer's | ratio | target | met |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            met = {True: "yes", False: "**no**", None: ""}[row.met]
            lines.append(
                f"| {row.figure} | {row.value} | {row.peer} | {row.peer_value} | {row.ratio} "
                f"| {row.target} | {met} |"
            )
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:.2f}x" if theirs else ""


def write_section(heading: str, section: str) -> None:
    """Replace the section under ``heading`` in RESULTS.md with ``section`` (or append it)."""
    results = HERE / "RESULTS.md"
    text = results.read_text()
    if heading in text:
        before, _, rest = text.partition(heading)
        following = rest.find("\n## ")
        text = before + section + (rest[following + 1 :] if following >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text)
