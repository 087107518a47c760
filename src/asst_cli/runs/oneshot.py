"""`asst run`: one message to an assistant, from nothing to a started (and followed) run.

Everything is checked before the first request: the message, attachments, the definition file,
the run flags and where the thread comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import api, configfile, ledger, paths, render
from ..apply import identity
from ..definitions import assistants, threads
from ..errors import UsageError
from . import handlers, outcome, start_options

# Run fields the create-and-run request lacks: a run with them starts on a thread made first.
CREATE_THREAD_FIRST = frozenset({"additional_instructions"})


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


def _continued(request: Request) -> dict[str, str] | None:
    """What ``--continue`` continues: the last run's thread and assistant at this backend and
    endpoint (whichever profile named them)."""
    if request.thread and request.resume:
        raise UsageError("--thread and --continue both given", "use one of them")
    if not request.resume:
        return None
    return last_run("drop --continue, or pass --thread ID")


def last_run(fix: str, wanted: str = "to continue") -> dict[str, str]:
    """The thread and assistant of the last run at this backend and endpoint (what
    ``--continue`` continues); ``fix`` says what to do when there is none."""
    current = api.current_settings()
    found = configfile.last_run(ledger.where(current))
    if found is None:
        raise UsageError(
            f"no earlier thread {wanted} at {current.endpoint} ({current.backend})", fix
        )
    return found


def refuse_unfollowed(follow: outcome.Follow, followed: bool) -> None:
    """Without --wait or --stream asst prints the run and ends: flags for following it would
    do nothing, so they are refused before any request."""
    flag = None if followed else follow.given_flag()
    if flag is not None:
        raise UsageError(
            f"{flag} applies only to a run asst follows", "add --wait (or --stream), or drop it"
        )


def plan(
    request: Request, options: start_options.RunOptions, tool_config: handlers.ToolConfig
) -> Plan:
    """Check everything; the definition's tool commands join ``tool_config``."""
    if request.assistant is not None and request.file is not None:
        raise UsageError(
            "--assistant and -f both given", "name the assistant one way: --assistant ID or -f FILE"
        )
    continued = _continued(request)
    if continued and request.assistant is None and request.file is None:
        request.assistant = continued.get("assistant")
    if request.assistant is None and request.file is None:
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
    thread = continued["thread"] if continued else request.thread
    return Plan(draft, body, thread, definition)


def start(plan: Plan) -> tuple[str, dict[str, Any]]:
    """Send what the plan needs up to the run itself: returns the run's path and body."""
    body = dict(plan.run_body)
    if plan.definition is not None:
        body["assistant_id"] = identity.ensure_assistant(plan.definition.body)["id"]
    message = plan.draft.ready()
    if plan.thread is None and not CREATE_THREAD_FIRST.intersection(body):
        return paths.THREAD_RUNS, {**body, "thread": {"messages": [message]}}
    if plan.thread is None:
        # The one-request create-and-run takes no additional_instructions in any dialect:
        # the thread (with the message) comes first, then a run on it.
        thread = api.post(paths.THREADS, {"messages": [message]})
        return paths.runs(str(thread["id"])), body
    api.post(paths.messages(plan.thread), message)
    return paths.runs(plan.thread), body


def remember(run: dict[str, Any]) -> None:
    """-c continues this run's thread with its assistant, at this backend and endpoint."""
    thread_id, assistant_id = run.get("thread_id"), run.get("assistant_id")
    if isinstance(thread_id, str) and thread_id:
        where = ledger.where(api.current_settings())
        configfile.remember_run(where, thread_id, str(assistant_id) if assistant_id else None)


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
