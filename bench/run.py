"""Run every benchmark and write bench/RESULTS.md: python bench/run.py [--runs N] [--only NAME].

Whole-process timings against the project's engine on 127.0.0.1 (started here, a free port),
each figure paired in the same run with its peer: the legacy CLI and SDK of openai 2.34,
installed into bench/.peers/ on first use. Not run by CI (it takes minutes).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import calls
import downloads
import history
import knowledge
import listing
import quickstart
import serve
import startup
import uploads
import waits
from common import HERE, PEER_OPENAI, Section

SECTIONS = {
    "startup": startup.measure,
    "calls": calls.measure,
    "waits": waits.measure,
    "listing": listing.measure,
    "uploads": uploads.measure,
    "downloads": downloads.measure,
    "knowledge": knowledge.measure,
    "history": history.measure,
    "quickstart": quickstart.measure,
    "serve": serve.measure,
}


def header(runs: int) -> str:
    from importlib.metadata import version

    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"`python bench/run.py --runs {runs}` on {time.strftime('%Y-%m-%d')}: "
            f"{os.cpu_count()} cores, Linux {platform.release()}, Python "
            f"{platform.python_version()}, asst {version('asst-cli')} with openai "
            f"{version('openai')}; peers: openai {PEER_OPENAI} (its legacy `openai` CLI and SDK) "
            "in bench/.peers/. Every figure is a whole process (start-up included) against the "
            "project's engine on 127.0.0.1, started by the benchmark. Ratios are asst / peer: "
            "below 1 asst is faster or smaller.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these")
    args = parser.parse_args()
    chosen = args.only or list(SECTIONS)
    work = Path(tempfile.mkdtemp(prefix="asst-bench-"))
    try:
        sections: list[Section] = []
        for name in chosen:
            print(f"== {name}", file=sys.stderr)
            sections.append(SECTIONS[name](work, args.runs))
            print(sections[-1].markdown(), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = header(args.runs) + "\n" + "\n".join(s.markdown() for s in sections)
    if args.only:
        print(text)
        return
    (HERE / "RESULTS.md").write_text(text)
    print(f"Wrote {HERE / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
