"""After a restart: what becomes of the runs a previous process left active.

Nothing of a run in flight survives a process but what is stored, so:
- ``queued``: it never started; it starts now (the responder is asked afresh);
- ``in_progress``: the model call it was in is lost; it fails with a ``server_error`` saying so
  (a reply half written is kept, cut);
- ``cancelling``: it is cancelled;
- ``requires_action``: it goes on waiting for its tool outputs (its plan is rebuilt) until it
  expires.
No run stays active forever.
"""

from __future__ import annotations

from asst_engine.engine import Engine
from asst_engine.json_types import JSON
from asst_engine.runs import lifecycle, plans

RESTARTED = "The server restarted while the run was in progress."


def recover(engine: Engine) -> list[JSON]:
    """Settle every run left active; the runs that are to go on (to wake)."""
    going: list[JSON] = []
    with engine.lock, engine.store.unit_of_work():
        for thread in engine.store.threads.list():
            for run in engine.store.runs.list(thread["id"]):
                if _recover(engine, run):
                    going.append(run)
    return going


def _recover(engine: Engine, run: JSON) -> bool:
    status = run["status"]
    if status == "queued":
        plans.start(engine, run)
        return True
    if status == "requires_action":
        plans.restore(engine, run)
        return True
    if status == "in_progress":
        _cut_messages(engine, run)
        lifecycle.fail(engine, run, RESTARTED)
    elif status == "cancelling":
        plans.restore_empty(engine, run)
        lifecycle.advance(engine, run)
    return False


def _cut_messages(engine: Engine, run: JSON) -> None:
    for message in engine.store.messages.list(run["thread_id"]):
        if message["run_id"] == run["id"] and message["status"] == "in_progress":
            message.update(
                status="incomplete",
                incomplete_at=engine.now(),
                incomplete_details={"reason": "run_failed"},
            )
