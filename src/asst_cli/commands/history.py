"""asst import and asst convert: thread bundles (``asst export --threads``) read back.

The logic lives in the history package; see the README, "Thread bundles".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import render
from ..history import bundle, conversations, importing

Bundle = Annotated[str, typer.Argument(metavar="BUNDLE", help="A bundle's directory")]


def import_(
    directory: Bundle,
    replay: Annotated[
        bool,
        typer.Option("--replay", help="Recreate through the protocol even on an asst engine"),
    ] = False,
    id_map: Annotated[
        str | None,
        typer.Option(
            "--id-map", metavar="FILE", help="The replay's id map (default: BUNDLE.idmap.jsonl)"
        ),
    ] = None,
) -> None:
    """Import a thread bundle into the current backend.

    Into an asst engine as it was (the same ids, times, runs and steps); elsewhere replayed
    through the protocol, old -> new ids in BUNDLE.idmap.jsonl (README: "Thread bundles").

    Example: asst --backend openai import backup/
    """
    how, totals = importing.run(directory, replay, id_map)
    render.progress(importing.summary(how, totals))


def convert(
    directory: Bundle,
    out: Annotated[str, typer.Option("--dir", metavar="DIR", help="Where the conversations go")],
) -> None:
    """Write a bundle as OpenAI Conversations bodies.

    Per thread: the create and add-items bodies (20 items each), and a sidecar listing every
    field that did not map.

    Example: asst convert backup/ --dir conversations/
    """
    root = bundle.open_bundle(directory)
    threads, unmapped = conversations.convert(root, Path(out).expanduser())
    render.progress(f"Converted {threads} thread(s); {unmapped} field(s) did not map.")
