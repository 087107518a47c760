"""What ``asst apply`` and ``asst diff`` print.

apply: one line per object (``assistant/data-viz created (asst_...)``) as each is done, in the
``table`` and ``text`` formats; any other format prints ``{kind, name, action, id}`` objects once
the apply ends, also when it fails part-way (JSON always parses). diff: a unified diff per object
that differs, live view (``---``) against the definition's (``+++``), in YAML.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import errors, render
from ..errors import AsstError, ExitCode
from . import canonical, execute
from .execute import Done
from .plan import Plan, Step

COLUMNS = (
    render.Column("KIND", "kind"),
    render.Column("NAME", "name"),
    render.Column("ACTION", "action"),
    render.Column("ID", "id"),
)


def line(done: Done, dry_run: bool, changes: list[str]) -> str:
    notes = [note for note in (done.id, "dry run" if dry_run else None) if note]
    text = f"{done.kind}/{done.name} {done.action}" + (f" ({', '.join(notes)})" if notes else "")
    if dry_run and done.action == "updated":
        text += ": " + ", ".join(changes)
    return text + "\n"


def apply(plan: Plan, *, dry_run: bool, concurrency: int, choice: render.Choice) -> None:
    """Apply (or with ``dry_run`` only report) the plan, printing each object's outcome."""
    results: list[Done] = []
    streamed = choice.reads_as_text()
    changes = {step.label: step.changes() for step in plan.steps}

    def done(result: Done) -> None:
        results.append(result)
        if streamed:
            render.text(line(result, dry_run, changes[f"{result.kind}/{result.name}"]))

    try:
        if dry_run:
            execute.dry_run(plan, done)
        else:
            execute.execute(plan, concurrency, done)
    finally:
        if not streamed:
            render.emit([result.as_dict() for result in results], COLUMNS, choice)


def _nested_sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _nested_sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_nested_sorted(item) for item in value]
    return value


def _stable_tool(tool: Any) -> Any:
    if not isinstance(tool, dict):
        return tool
    function = tool.get("function")
    if isinstance(function, dict) and "parameters" in function:
        return {
            **tool,
            "function": {**function, "parameters": _nested_sorted(function["parameters"])},
        }
    return {key: _nested_sorted(value) for key, value in tool.items()}


def _lines(view: canonical.View | None) -> list[str]:
    """A view as YAML lines. JSON schemas and settings within it get sorted keys (servers may
    reorder them), so that only real differences show."""
    if view is None:
        return []
    stable = dict(view)
    if "tools" in stable:
        stable["tools"] = [_stable_tool(tool) for tool in stable["tools"]]
    if "response_format" in stable:
        stable["response_format"] = _nested_sorted(stable["response_format"])
    return canonical.to_yaml([stable]).splitlines()[1:]  # without the document's '---'


def _headers(step: Step) -> tuple[str, str]:
    live = f"{step.label} (live {step.id})" if step.live else f"{step.label} (not on the server)"
    wanted = f"{step.label} (pruned)" if step.action == "delete" else f"{step.label} (definition)"
    return live, wanted


DIFF_COLUMNS = (*COLUMNS, render.Column("CHANGES", lambda item: ", ".join(item["changes"])))


def diff(plan: Plan, choice: render.Choice) -> bool:
    """Print how each object differs (a unified diff, unless -o asks for a data format: then
    ``{kind, name, action, id, changes, live, definition}`` objects); True if any does."""
    differing = [step for step in plan.steps if step.action != "unchanged"]
    # Only an explicit -o: a piped diff is still a diff (CI logs), not the usual JSON default.
    if choice.format is not None and not choice.reads_as_text():
        render.emit([_difference(step) for step in differing], DIFF_COLUMNS, choice)
        return bool(differing)
    for step in differing:
        before, after = _headers(step)
        lines = difflib.unified_diff(
            _lines(step.current), _lines(step.wanted), before, after, lineterm=""
        )
        render.text("".join(f"{text}\n" for text in lines))
    return bool(differing)


def _difference(step: Step) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "name": step.name,
        "action": step.action,
        "id": step.id,
        "changes": step.changes(),
        "live": step.current,
        "definition": None if step.action == "delete" else step.wanted,
    }


@contextmanager
def diff_errors() -> Iterator[None]:
    """``asst diff`` exits 1 for differences, so an error that would exit 1 exits 2 instead
    (as ``kubectl diff``: 0 none, 1 differences, 2 or more an error); others keep their code."""
    try:
        yield
    except Exception as exc:
        failure = errors.translate(exc)
        if failure is None or failure.code != ExitCode.ERROR:
            raise
        raise AsstError(failure.message, failure.hint, ExitCode.USAGE, failure.status) from exc
