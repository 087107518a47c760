"""Which tools this server runs: functions (the client's), file_search and code_interpreter.

Other types a dialect allows (Foundry's openapi, azure_ai_search, bing_grounding,
connected_agent, azure_function) are stored as given, so agents keep them, but a run that has
one fails at its start with ``last_error`` saying so: it is never answered as if the tool ran.
"""

from __future__ import annotations

from asst_engine.json_types import JSON

RUNNABLE = ("function", "file_search", "code_interpreter")
REFUSED_CODE = "invalid_request_error"


def refusal(run: JSON) -> str | None:
    """Why the run cannot go on here (the message of its ``last_error``), or None."""
    kinds = sorted({str(tool["type"]) for tool in run["tools"]} - set(RUNNABLE))
    if not kinds:
        return None
    named = ", ".join(f"'{kind}'" for kind in kinds)
    return (
        f"The run's tools include {named}, which this server stores but does not run; "
        "remove them from the agent or the run (tools=[...]) to run it here."
    )
