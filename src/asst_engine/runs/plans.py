"""What the engine keeps about a run in flight, apart from the stored run: the responder's
events still to take, the cancel signal, token counts and the function calls awaited."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.models.turn import Answered, Turn, TurnEvent
from asst_engine.tools import sources


@dataclass
class RunPlan:
    """What the engine knows about a run in flight that clients must not see."""

    events: Iterator[TurnEvent]
    cancel: threading.Event = field(default_factory=threading.Event)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # (call id, function name, arguments) of the calls the run is waiting on, and their cost.
    pending: list[tuple[str, str, str]] = field(default_factory=list)
    call_tokens: int = 0
    tool_step_id: str | None = None
    answered: list[tuple[Answered, ...]] = field(default_factory=list)
    # Retrievals still to answer "queued" before the run starts (``please queue for N polls``).
    queued_polls: int = 0
    # The responder stalled: the run stays in_progress until cancelled.
    stalled: bool = False


def turn_of(engine: Engine, run: JSON, answered: list[tuple[Answered, ...]]) -> Turn:
    thread_messages = tuple(engine.store.messages.list(run["thread_id"]))
    return Turn(run, thread_messages, tuple(answered), lambda: sources.first(engine, run))


def start(engine: Engine, run: JSON) -> RunPlan:
    """Ask the responder about a new run, from the thread as it is now; keep the plan."""
    turn = turn_of(engine, run, [])
    cancel = threading.Event()
    events = engine.responder.respond(turn, cancel)
    plan = RunPlan(events, cancel, queued_polls=engine.responder.hold(turn))
    engine.run_plans[run["id"]] = plan
    return plan


def plan_of(engine: Engine, run: JSON) -> RunPlan:
    plan = engine.run_plans[run["id"]]
    assert isinstance(plan, RunPlan)
    return plan
