"""Start-up cost of asst: whole-process wall time of `asst --help` and of one TAB completion.

Each figure is the median of several runs, paired in the same run with `python -c pass` (the
interpreter's own floor). Run: python bench/startup.py [--runs N]; results go to
bench/RESULTS-startup.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 0.15


def _asst() -> list[str]:
    found = shutil.which("asst", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "asst_cli"]


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASST_", "OPENAI_", "AZURE_"))}
    completion_env = {
        **env,
        "_ASST_COMPLETE": "complete_bash",
        "COMP_WORDS": "asst assistants li",
        "COMP_CWORD": "2",
    }
    timed([*_asst(), "--help"], env, 2)  # warm the bytecode cache
    floor = timed([sys.executable, "-c", "pass"], env, runs)
    rows = [
        ("python -c pass", floor),
        ("asst --help", timed([*_asst(), "--help"], env, runs)),
        ("asst TAB completion", timed(_asst(), completion_env, runs)),
    ]
    lines = [
        "# Start-up",
        "",
        f"Median of {runs} runs, whole process, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}. Target: asst --help <= {TARGET} s.",
        "",
        "| command | seconds | vs python -c pass |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {value:.3f} | {value / floor:.1f}x |" for name, value in rows]
    text = "\n".join(lines) + "\n"
    (HERE / "RESULTS-startup.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
