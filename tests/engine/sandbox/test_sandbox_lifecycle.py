"""Sessions end when idle, and without isolation the tool is refused unless allowed."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from asst_engine.tools.sandbox import Limits, Sandbox, SandboxUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_idle_session_ends_and_its_files_go(sandbox_root: Path, font_cache: Path) -> None:
    clock = Clock()
    sandbox = Sandbox(sandbox_root, idle_seconds=600, clock=clock, font_cache=font_cache)
    try:
        sandbox.execute("thread_idle", "kept = 1\nopen('/mnt/data/note.txt', 'w').write('n')")
        clock.now += 599
        assert sandbox.sweep() == []
        clock.now += 1
        assert sandbox.sweep() == ["thread_idle"]
        assert not (sandbox_root / "threads" / "thread_idle").exists()
        fresh = sandbox.execute("thread_idle", "import os\n('kept' in globals(), os.listdir('.'))")
        assert fresh.logs == "(False, [])\n"
    finally:
        sandbox.close()


def test_folders_left_by_an_earlier_server_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "threads" / "thread_stale" / "data"
    stale.mkdir(parents=True)
    (stale / "old.csv").write_text("old")
    sandbox = Sandbox(tmp_path, bwrap=MISSING, unsafe_without_sandbox=True)
    try:
        assert sandbox.execute("thread_stale", "import os\nos.listdir('.')").logs == "[]\n"
    finally:
        sandbox.close()


def test_a_session_outlives_the_thread_that_started_it(
    sandbox_root: Path, font_cache: Path
) -> None:
    sandbox = Sandbox(sandbox_root, font_cache=font_cache)
    try:
        worker = threading.Thread(target=sandbox.execute, args=("thread_worker", "kept = 7"))
        worker.start()
        worker.join()
        assert sandbox.execute("thread_worker", "kept").logs == "7\n"
    finally:
        sandbox.close()


MISSING = str(Path("/nonexistent/bwrap"))


def test_without_isolation_the_tool_is_refused(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, bwrap=MISSING)
    with pytest.raises(SandboxUnavailable) as refused:
        sandbox.execute("thread_refused", "print(1)")
    assert str(refused.value) == (
        "code_interpreter is refused: bubblewrap (/nonexistent/bwrap) is not installed. The "
        "model's code runs only inside bubblewrap (no network, no view of the host's files); "
        "install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) "
        "and allow user namespaces, or start the server with --unsafe-code-without-sandbox to run "
        "the code as a plain process of the server's user."
    )
    assert (sandbox.isolated, sandbox.refusal) == (False, str(refused.value))


def test_the_unsafe_flag_runs_code_without_isolation(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path, bwrap=MISSING, unsafe_without_sandbox=True)
    try:
        sandbox.execute("thread_unsafe", "x = 20\nopen('made.txt', 'w').write('m')")
        done = sandbox.execute("thread_unsafe", "x * 2")
        assert (done.logs, sandbox.isolated, sandbox.refusal) == ("40\n", False, None)
        assert (tmp_path / "threads" / "thread_unsafe" / "data" / "made.txt").read_text() == "m"
    finally:
        sandbox.close()


def test_the_cpu_limit_ends_the_process_and_the_next_call_starts_fresh(
    sandbox_root: Path, font_cache: Path
) -> None:
    sandbox = Sandbox(sandbox_root, limits=Limits(cpu_seconds=1), font_cache=font_cache)
    try:
        ended = sandbox.execute("thread_cpu", "state = 1\nwhile True:\n    pass", timeout=30)
        assert (ended.timed_out, ended.error) == (
            False,
            "Execution stopped: the Python process ended (killed by SIGXCPU: the CPU time "
            "limit). The Python process was restarted, so the variables and imports of earlier "
            "calls are gone; files in /mnt/data remain.",
        )
        assert sandbox.execute("thread_cpu", "'state' in globals()").logs == "False\n"
    finally:
        sandbox.close()


def test_the_font_list_is_made_once_for_every_data_dir(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "matplotlib"
    first = Sandbox(tmp_path / "one", font_cache=cache)
    second = Sandbox(tmp_path / "two", font_cache=cache)
    try:
        assert first.execute("thread_one", "1").logs == "1\n"
        (made,) = cache.iterdir()
        assert made.name.startswith("fontlist-")
        # Made aside and renamed into place: no half-made folder is left beside it.
        assert [path.name for path in cache.parent.iterdir()] == ["matplotlib"]
        written = made.stat().st_mtime_ns
        done = second.execute("thread_two", "import matplotlib.font_manager\n2")
        assert (done.logs, done.error) == ("2\n", None)
        assert (list(cache.iterdir()), made.stat().st_mtime_ns) == ([made], written)
        assert not (tmp_path / "two" / "matplotlib").exists()
    finally:
        first.close()
        second.close()


def test_a_font_cache_that_cannot_be_written_still_runs_code(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    sandbox = Sandbox(tmp_path / "root", font_cache=blocked / "matplotlib")
    try:
        done = sandbox.execute("thread_blocked", "import matplotlib.font_manager\n3")
        assert (done.logs, done.error) == ("3\n", None)  # no fontconfig complaint in the output
        # The list is kept in the sandbox's own folder instead.
        made = (tmp_path / "root" / "matplotlib").iterdir()
        assert [path.name[:9] for path in made] == ["fontlist-"]
    finally:
        sandbox.close()


RUN_ONE_CELL = """
import sys
from pathlib import Path
from asst_engine.tools.sandbox import Sandbox
sandbox = Sandbox(Path(sys.argv[1]), font_cache=Path(sys.argv[2]))
try:
    done = sandbox.execute("thread_path", "6 * 7")
    print(done.error, done.logs.strip())
finally:
    sandbox.close()
"""


def test_a_server_started_through_a_roundabout_path_runs_code(
    tmp_path: Path, font_cache: Path
) -> None:
    # A relative path up from a folder the sandbox does not have, as `cd bench &&
    # ../.venv/bin/python ...` names it: Python keeps the ".." in sys.executable then.
    roundabout = "../" * len(tmp_path.parts[1:]) + sys.executable.lstrip("/")
    argv = [roundabout, "-c", RUN_ONE_CELL, str(tmp_path / "root"), str(font_cache)]
    done = subprocess.run(
        argv, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "None 42\n", "")
