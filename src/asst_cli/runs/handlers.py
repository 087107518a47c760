"""Function tools answered by local commands.

Each call runs its command with the call as JSON on stdin and the same values in ASST_TOOL_*
variables; the command's stdout is the tool output. The model's arguments never reach a command
line or a shell: commands are split once, from the user's own configuration, and run without one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import render
from ..errors import AsstError, ExitCode, UsageError

if TYPE_CHECKING:
    from concurrent.futures import Future

DEFAULT_TIMEOUT = 60.0
# How often the main thread looks up from waiting on tools (for Ctrl-C and SIGTERM), in seconds.
SIGNAL_CHECK = 0.1
MAX_OUTPUT = 512 * 1024  # what one tool output may hold; more is cut with a note


@dataclass
class ToolConfig:
    """Which command answers which function, with what limits."""

    commands: dict[str, list[str]] = field(default_factory=dict)
    fallback: list[str] | None = None
    timeout: float = DEFAULT_TIMEOUT
    abort_on_error: bool = False
    # Per function: the credential variables its command may still see (see toolenv).
    passed_env: dict[str, list[str]] = field(default_factory=dict)

    def command_for(self, name: str) -> list[str] | None:
        return self.commands.get(name) or self.fallback

    def empty(self) -> bool:
        return not self.commands and not self.fallback


def split_command(command: str, where: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"{where}: cannot parse the command: {exc}") from None
    if not argv:
        raise UsageError(f"{where}: the command is empty")
    return argv


def from_flags(
    tools: list[str] | None, handler: str | None, timeout: float, abort: bool
) -> ToolConfig:
    """The config from --tool NAME=COMMAND, --tool-handler, --tool-timeout and --tool-errors."""
    config = ToolConfig(timeout=timeout, abort_on_error=abort)
    for pair in tools or []:
        name, sep, command = pair.partition("=")
        if not sep or not name:
            raise UsageError(
                f"--tool expects NAME=COMMAND, got '{pair}'",
                "e.g. --tool get_weather=./weather.sh",
            )
        config.commands[name] = split_command(command, f"--tool {name}")
    if handler:
        config.fallback = split_command(handler, "--tool-handler")
    return config


def add_definition_commands(
    config: ToolConfig, commands: dict[str, list[str]], passed_env: dict[str, list[str]]
) -> None:
    """Commands declared in a definition file; flags given for the same name win."""
    for name, argv in commands.items():
        config.commands.setdefault(name, list(argv))
    config.passed_env.update(passed_env)


@dataclass
class CallResult:
    call_id: str
    output: str
    failed: bool = False
    timed_out: bool = False


def _environment(call: dict[str, Any], passed: list[str]) -> dict[str, str]:
    from .toolenv import tool_environment

    return tool_environment(os.environ, call, passed)


def _failure(call: dict[str, Any], reason: str) -> CallResult:
    render.progress(f"Tool {call['name']} ({call['call_id']}) failed: {reason}")
    return CallResult(call["call_id"], f"Error: the tool failed: {reason}", failed=True)


class _Running:
    """The tool commands running now, each in a process group of its own, so that a timeout,
    Ctrl-C or SIGTERM ends a command with everything it started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[str]] = set()
        self._ended = False

    def start(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
        pipe = subprocess.PIPE
        process = subprocess.Popen(
            argv, stdin=pipe, stdout=pipe, stderr=pipe, text=True, env=env, start_new_session=True
        )
        with self._lock:
            self._processes.add(process)
            ended = self._ended
        # The command may run before Popen returns (a loaded machine): a stop handled in
        # between found nothing to end, so the command is ended here.
        if ended:
            end_group(process)
        return process

    def done(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._processes.discard(process)

    def end_all(self) -> None:
        with self._lock:
            self._ended = True
            running = list(self._processes)
        for process in running:
            end_group(process)


def end_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process's whole group (its children too); it is reaped by its reader."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)


def _run_one(
    argv: list[str], call: dict[str, Any], timeout: float, running: _Running, passed: list[str]
) -> CallResult:
    try:
        process = running.start(argv, _environment(call, passed))
    except OSError as exc:
        return _failure(call, f"cannot run {argv[0]}: {exc.strerror}")
    try:
        output, errors = process.communicate(json.dumps(call), timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(process)
        process.communicate()
        result = _failure(call, f"no answer within {timeout:g} s")
        result.timed_out = True
        return result
    finally:
        running.done(process)
    if process.returncode != 0:
        detail = (errors.strip().splitlines() or [""])[-1]
        status = process.returncode
        return _failure(call, f"exit status {status}" + (f": {detail}" if detail else ""))
    if len(output) > MAX_OUTPUT:
        output = output[:MAX_OUTPUT] + "\n[output cut at 512 KiB]"
    return CallResult(call["call_id"], output)


def pending_calls(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The function calls a requires_action run waits for, in the shape handlers receive."""
    action = run.get("required_action") or {}
    calls = (action.get("submit_tool_outputs") or {}).get("tool_calls") or []
    return [
        {
            "name": call.get("function", {}).get("name", ""),
            "arguments": call.get("function", {}).get("arguments", ""),
            "call_id": call.get("id", ""),
            "thread_id": run.get("thread_id", ""),
            "run_id": run.get("id", ""),
        }
        for call in calls
    ]


def answer(
    config: ToolConfig, run: dict[str, Any], time_left: float | None
) -> list[dict[str, str]] | None:
    """Tool outputs for every pending call, or None if some call has no command."""
    calls = pending_calls(run)
    argvs = [config.command_for(call["name"]) for call in calls]
    if not calls or any(argv is None for argv in argvs):
        return None
    from concurrent.futures import ThreadPoolExecutor

    capped = time_left is not None and time_left < config.timeout
    timeout = config.timeout if time_left is None else max(0.05, min(config.timeout, time_left))
    running = _Running()
    pool = ThreadPoolExecutor(max_workers=min(8, len(calls)))
    try:
        futures = [
            pool.submit(
                _run_one, argv, call, timeout, running, config.passed_env.get(call["name"], [])
            )
            for argv, call in zip(argvs, calls, strict=True)
            if argv is not None
        ]
        results = [_result(future) for future in futures]
    except BaseException:  # Ctrl-C or SIGTERM: end every command now, wait for none
        running.end_all()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    failed = [r for r in results if r.failed]
    if capped and any(r.timed_out for r in failed):
        raise DeadlineReached
    if failed and config.abort_on_error:
        raise ToolAbort(f"{len(failed)} tool call(s) failed and --tool-errors is abort")
    return [{"tool_call_id": r.call_id, "output": r.output} for r in results]


def _result(future: Future[CallResult]) -> CallResult:
    """The call's result, waited for in short steps: Python runs a signal's handler in the main
    thread only, and a Ctrl-C the kernel gave to a reader thread would wait for the tool."""
    from concurrent.futures import TimeoutError as NotYet  # not the builtin before 3.11

    while True:
        with contextlib.suppress(NotYet):
            return future.result(timeout=SIGNAL_CHECK)


class DeadlineReached(Exception):
    """The command's deadline ran out while tool commands were still working."""


class ToolAbort(AsstError):
    """A tool failed under ``--tool-errors abort``: the run is cancelled and asst exits 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "the run was cancelled", ExitCode.ERROR)
