"""The code_interpreter sandbox's own cost (issue 12: the first Python call of a thread <= 1 s,
later calls <= 100 ms of overhead), measured in-process through `Sandbox.execute`.

First call: a new thread's `print(1)`, so bubblewrap, the interpreter's start and the runner's
greeting, each thread fresh (matplotlib's font list is made once per machine, before timing, and
reported apart). Later calls: `pass` on a warm thread, the round trip through the protocol. Then,
for scale, the quickstart's sine plot on a fresh thread (imports numpy and matplotlib) and again
on the warm one.

python bench/sandbox.py [--runs 7] [--calls 50] [--write]   (--write replaces its section in
bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import write_section

from asst_engine.tools.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
TITLE = "## code_interpreter sandbox: the first call of a thread and the cost of each later call"
TARGET_FIRST = 1.0
TARGET_LATER = 0.1
SINE = (
    "import numpy as np\nimport matplotlib.pyplot as plt\nx = np.linspace(0, 2 * np.pi, 200)\n"
    "plt.plot(x, np.sin(x))\nplt.show()"
)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(runs: int, calls: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="asst-bench-sandbox-"))
    sandbox = Sandbox(root)
    try:
        figures: dict[str, float] = {}
        figures["prepare"] = timed(lambda: sandbox.execute("warmup", "pass"))
        sandbox.end("warmup")
        first = [timed(lambda n=n: sandbox.execute(f"first_{n}", "print(1)")) for n in range(runs)]
        later = [timed(lambda: sandbox.execute("first_0", "pass")) for _ in range(calls)]
        plots = [timed(lambda n=n: sandbox.execute(f"plot_{n}", SINE)) for n in range(runs)]
        again = [timed(lambda: sandbox.execute("plot_0", SINE)) for _ in range(runs)]
        figures["first"] = statistics.median(first)
        figures["later"] = statistics.median(later)
        figures["later_max"] = max(later)
        figures["plot_first"] = statistics.median(plots)
        figures["plot_again"] = statistics.median(again)
        return figures
    finally:
        sandbox.close()


def markdown(figures: dict[str, float], runs: int, calls: int) -> str:
    def met(value: float, target: float) -> str:
        return "yes" if value <= target else "no"

    first, later = figures["first"], figures["later"]
    rows = [
        f"| first call of a thread (`print(1)`), median of {runs} threads | {first:.3f} s "
        f"| <= {TARGET_FIRST:g} s | {met(first, TARGET_FIRST)} |",
        f"| a later call (`pass`), median of {calls} | {later * 1000:.1f} ms (slowest "
        f"{figures['later_max'] * 1000:.1f} ms) | <= {TARGET_LATER * 1000:g} ms "
        f"| {met(later, TARGET_LATER)} |",
        f"| the sine plot on a fresh thread (imports numpy, matplotlib) | "
        f"{figures['plot_first']:.3f} s |  |  |",
        f"| the same plot again on that thread | {figures['plot_again']:.3f} s |  |  |",
        f"| once per machine: matplotlib's font list, then a first call | "
        f"{figures['prepare']:.3f} s |  |  |",
    ]
    return "\n".join(
        [
            TITLE,
            "",
            f"`python bench/sandbox.py --runs {runs} --calls {calls}` on "
            f"{time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores, Python "
            f"{platform.python_version()}, bubblewrap, run as "
            f"{'root: each thread its own user' if os.geteuid() == 0 else 'a user'}). "
            "In-process `Sandbox.execute` wall time.",
            "",
            "| figure | value | target | met |",
            "|---|---|---|---|",
            *rows,
            "",
            "The first call is bubblewrap making its namespaces and mounts and the interpreter "
            "starting; the runner imports only the standard library, and numpy, pandas and "
            "matplotlib load when the code imports them (the plot rows). matplotlib's font list "
            "is made once per machine (`asst serve` keeps it in the user's cache dir), in a "
            "sandbox, and read by every process after; without it each thread's first plot "
            "would spend ~2 s listing fonts. A later call is one JSON line each way over pipes "
            "and a scan of /mnt/data for the files it wrote.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh threads per figure (median)")
    parser.add_argument("--calls", type=int, default=50, help="later calls on one thread")
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    args = parser.parse_args()
    section = markdown(measure(args.runs, args.calls), args.runs, args.calls)
    print(section)
    if args.write:
        write_section(TITLE, section)
        print(f"Wrote {HERE / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
