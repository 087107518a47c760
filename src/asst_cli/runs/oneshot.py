"""`asst run`: one message to an assistant, from nothing to a started (and followed) run.

Everything is checked before the first request: the message, attachments, the definition file,
the run flags and where the thread comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import api, configfile, paths, render
from ..apply import identity
from ..definitions import assistants, threads
from ..errors import UsageError
from . import handlers, outcome, start_options


@dataclass
class Request:
    """Which assistant, which thread, what to say: the one-shot's own flags."""

    message: str | None
    assistant: str | None = None
    file: str | None = None
    thread: str | None = None
    resume: bool = False
    attach: list[str] | None = None


@dataclass
class Plan:
    """A checked request: nothing has been sent yet."""

    draft: threads.Draft
    run_body: dict[str, Any]
    thread: str | None
    definition: assistants.Assistant | None


def _thread(request: Request) -> str | None:
    if request.thread and request.resume:
        raise UsageError("--thread and --continue both given", "use one of them")
    if not request.resume:
        return request.thread
    return last_thread("drop --continue, or pass --thread ID")


def last_thread(fix: str, wanted: str = "to continue") -> str:
    """The thread this profile used last (what ``--continue`` continues); ``fix`` says what
    to do when there is none."""
    profile = api.current_settings().profile
    found = configfile.last_thread(profile)
    if found is None:
        raise UsageError(f"no earlier thread {wanted} for profile '{profile}'", fix)
    return found


def plan(
    request: Request, options: start_options.RunOptions, tool_config: handlers.ToolConfig
) -> Plan:
    """Check everything; the definition's tool commands join ``tool_config``."""
    if (request.assistant is None) == (request.file is None):
        raise UsageError(
            "name the assistant with --assistant ID or -f FILE (one of them)",
            'e.g. asst run --assistant asst_abc123 "Hello"',
        )
    definition = assistants.load_assistant(request.file) if request.file else None
    if definition is not None:
        identity.identity_of(definition.body)
        handlers.add_definition_commands(tool_config, definition.commands, definition.passed_env)
    draft = threads.message_draft("user", request.message, None, request.attach, None)
    body = start_options.run_body(request.assistant or "from-definition", options)
    return Plan(draft, body, _thread(request), definition)


def start(plan: Plan) -> tuple[str, dict[str, Any]]:
    """Send what the plan needs up to the run itself: returns the run's path and body."""
    body = dict(plan.run_body)
    if plan.definition is not None:
        body["assistant_id"] = identity.ensure_assistant(plan.definition.body)["id"]
    message = plan.draft.ready()
    if plan.thread is None:
        return paths.THREAD_RUNS, {**body, "thread": {"messages": [message]}}
    api.post(paths.messages(plan.thread), message)
    return paths.runs(plan.thread), body


def remember(run: dict[str, Any]) -> None:
    thread_id = run.get("thread_id")
    if isinstance(thread_id, str) and thread_id:
        configfile.remember_thread(api.current_settings().profile, thread_id)


def run(
    plan_: Plan,
    follow: outcome.Follow,
    wait: bool,
    stream: bool,
    choice: render.Choice,
) -> None:
    """Start the run, then print it (no --wait) or follow it and print the reply."""
    path, body = start(plan_)
    if stream:
        outcome.stream(path, body, follow, choice, seen=remember)
        return
    created: dict[str, Any] = api.post(path, body)
    remember(created)
    if not wait:
        outcome.print_run(created, choice)
        return
    final = outcome.wait_for(created, follow)
    outcome.finish_reply(str(created["thread_id"]), final, follow, choice)
