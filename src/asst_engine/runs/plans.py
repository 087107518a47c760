"""What the engine keeps about a run in flight, apart from the stored run: the responder's
events still to take, the cancel signal, token counts and the function calls awaited."""

from __future__ import annotations

import base64
import mimetypes
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import (
    Answered,
    EarlierSearch,
    Failed,
    SearchFiles,
    Turn,
    TurnEvent,
)
from asst_engine.tools import code_inputs, file_search, run_search, runnable, sources


@dataclass
class RunPlan:
    """What the engine knows about a run in flight that clients must not see."""

    events: Iterator[TurnEvent]
    cancel: threading.Event = field(default_factory=threading.Event)
    # Token counts summed over the run's model calls, and the prompt of the current call.
    prompt_tokens: int = 0
    completion_tokens: int = 0
    round_prompt: int = 0
    # (call id, function name, arguments) of the calls the run is waiting on, and their cost.
    pending: list[tuple[str, str, str]] = field(default_factory=list)
    call_tokens: int = 0
    tool_step_id: str | None = None
    # Position on the tool step of each call a model is streaming, by the model's index.
    streamed: dict[int, int] = field(default_factory=dict)
    answered: list[tuple[Answered, ...]] = field(default_factory=list)
    # Retrievals still to answer "queued" before the run starts (``please queue for N polls``).
    queued_polls: int = 0
    # The responder stalled: the run stays in_progress until cancelled.
    stalled: bool = False


def turn_of(engine: Engine, run: JSON, answered: list[tuple[Answered, ...]]) -> Turn:
    thread_messages = tuple(engine.store.messages.list(run["thread_id"]))
    assistant = engine.store.assistants.get(run["assistant_id"]) or {}
    return Turn(
        run,
        thread_messages,
        tuple(answered),
        lambda: sources.first(engine, run),
        assistant,
        _filenames(engine, thread_messages),
        _image_urls(engine, thread_messages),
        _search(engine, run),
        code_files=code_inputs.files(engine, run),
        open_file=engine.store.blobs.reader,
        code_history=code_inputs.history(engine, run),
        searches=_searches(engine, run),
    )


def _searches(engine: Engine, run: JSON) -> tuple[EarlierSearch, ...]:
    """The run's searches so far, from its steps, each with the function rounds before it."""
    found: list[EarlierSearch] = []
    rounds = 0
    for step in engine.store.steps.list(run["id"]):
        calls = step["step_details"].get("tool_calls") or []
        for call in calls:
            if call["type"] == file_search.NAME:
                found.append(EarlierSearch(rounds, file_search.findings_of(call, len(found))))
        if any(call["type"] == "function" for call in calls):
            rounds += 1
    return tuple(found)


def _search(engine: Engine, run: JSON) -> SearchFiles | None:
    """The run's file search, when it has the tool (what it may find is read now)."""
    if not any(tool.get("type") == "file_search" for tool in run.get("tools") or []):
        return None
    return run_search.searcher(engine, run)


def _filenames(engine: Engine, thread: tuple[JSON, ...]) -> dict[str, str]:
    """The names of the files the messages attach, which a model sees named."""
    names: dict[str, str] = {}
    for message in thread:
        for attachment in message.get("attachments") or []:
            found = engine.store.files.get(attachment["file_id"])
            if found is not None:
                names[found["id"]] = found["filename"]
    return names


def start(engine: Engine, run: JSON) -> RunPlan:
    """Ask the responder about a new run, from the thread as it is now; keep the plan."""
    turn = turn_of(engine, run, [])
    cancel = threading.Event()
    refused = runnable.refusal(run)
    if refused is None:
        events = engine.responder.respond(turn, cancel)
    else:  # a tool this server does not run: the run fails as it starts
        events = iter([Failed(runnable.REFUSED_CODE, refused)])
    plan = RunPlan(events, cancel, queued_polls=engine.responder.hold(turn))
    engine.run_plans[run["id"]] = plan
    return plan


def plan_of(engine: Engine, run: JSON) -> RunPlan:
    plan = engine.run_plans[run["id"]]
    assert isinstance(plan, RunPlan)
    return plan


def _image_urls(engine: Engine, thread: tuple[JSON, ...]) -> dict[str, str]:
    """The images of ``image_file`` parts as data: URLs, read now: a model is called outside
    the unit of work, where the store is not to be read."""
    wanted = {
        part["image_file"]["file_id"]
        for message in thread
        for part in message["content"]
        if part["type"] == "image_file"
    }
    urls: dict[str, str] = {}
    for file_id in sorted(wanted):
        found = engine.store.files.get(file_id)
        data = engine.store.blobs.get(file_id)
        if found is not None and data is not None:
            kind = mimetypes.guess_type(found["filename"])[0] or "application/octet-stream"
            urls[file_id] = f"data:{kind};base64,{base64.b64encode(data).decode()}"
    return urls


def restore(engine: Engine, run: JSON) -> RunPlan:
    """The plan of a run waiting for tool outputs, rebuilt from what is stored (after a
    restart): the calls it waits for, its tool step, and the rounds answered before."""
    plan = RunPlan(iter(()))
    action = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    plan.pending = [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in action]
    for step in engine.store.steps.list(run["id"]):
        functions = [
            c for c in step["step_details"].get("tool_calls", []) if c["type"] == "function"
        ]
        if step["status"] == "in_progress" and functions:
            plan.tool_step_id = step["id"]
        elif step["status"] == "completed" and functions:
            plan.answered.append(tuple(_answered(call) for call in functions))
    engine.run_plans[run["id"]] = plan
    return plan


def _answered(call: JSON) -> Answered:
    function = call["function"]
    return Answered(call["id"], function["name"], function["arguments"], function["output"] or "")


def restore_empty(engine: Engine, run: JSON) -> RunPlan:
    """A plan with nothing left to say, for a run that only has to end."""
    plan = engine.run_plans[run["id"]] = RunPlan(iter(()))
    return plan
