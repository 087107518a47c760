"""asst run: ask an assistant one thing, from a script or a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import render
from ..options import Attach, DefinitionFile, by_name, output_choice
from ..runs import follow_options, oneshot, outcome, start_options


@start_options.run_flags
@follow_options.follow_flags
@output_choice
def run(
    message: Annotated[
        str | None, typer.Argument(metavar="MESSAGE", help="What to ask; '-' reads stdin")
    ] = None,
    assistant: Annotated[
        str | None, typer.Option("--assistant", "-a", metavar="ID", help="Assistant to ask")
    ] = None,
    file: DefinitionFile = None,
    thread: Annotated[
        str | None, typer.Option("--thread", metavar="ID", help="Continue this thread")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--continue", "-c", help="Continue the last thread this profile used"),
    ] = False,
    attach: Attach = None,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Wait for the reply and print it")
    ] = False,
    stream: follow_options.Stream = False,
    follow: outcome.Follow = follow_options.UNSET,
    run: start_options.RunOptions = start_options.NOT_GIVEN,
    choice: render.Choice = render.AS_CONFIGURED,
) -> None:
    """Ask an assistant: new thread (or --thread/--continue), message, run; --wait for the reply.

    Exit codes with --wait: 0 completed, 5 failed, 6 cancelled/expired/incomplete, 8 a tool
    call nobody answered, 124 deadline, 130 interrupted.

    Example: asst run --wait --timeout 300 -o text -f assistant.yaml "Review this diff"
    """
    oneshot.refuse_unfollowed(follow, wait or stream)
    request = by_name(oneshot.Request, locals())
    plan = oneshot.plan(request, run, follow.tool_config)
    oneshot.run(plan, follow, wait, stream, choice)
