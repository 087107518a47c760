"""asst apply, diff and export: assistants and vector stores kept as code.

Definitions are YAML documents (``kind: assistant`` or ``kind: vector_store``) whose ``name`` is
the identity asst records in the ``asst-name`` metadata key. See the apply package (load, plan,
execute, canonical, exporter) for the rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from .. import render
from ..apply import canonical, exporter, load, report
from ..apply import plan as planning
from ..errors import ExitCode
from ..history import exporting
from ..options import Concurrency, Output
from ..transfer import uploads

Files = Annotated[
    list[str] | None,
    typer.Option(
        "--file",
        "-f",
        metavar="PATH",
        help="Definition file, directory of *.yaml/*.yml, or '-' for stdin; repeatable",
    ),
]
Recursive = Annotated[
    bool, typer.Option("--recursive", "-R", help="Read directories given to -f recursively")
]
Prune = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Delete managed objects (asst-name) of the kinds defined that no file defines",
    ),
]


def apply(
    file: Files = None,
    recursive: Recursive = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Send no change; print what would change")
    ] = False,
    prune: Prune = False,
    concurrency: Concurrency = uploads.DEFAULT_CONCURRENCY,
    output: Output = None,
) -> None:
    """Create what is missing, update what differs, leave the rest; one line per object.

    Example: asst apply -f definitions/ -o text
    """
    definitions = load.load(file or [], recursive)
    plan = planning.make(definitions, prune, settle=not dry_run)
    report.apply(plan, dry_run=dry_run, concurrency=concurrency, choice=render.Choice(output))


def diff(
    file: Files = None,
    recursive: Recursive = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Also show the managed objects 'apply --prune' would delete"),
    ] = False,
    output: Output = None,
) -> None:
    """Show how the live objects differ from their definitions (exit 0 none, 1 some, 2+ error).

    A unified diff per object, in YAML; -o json, yaml, jsonl or tsv: one object per difference,
    with the fields that differ.

    Example: asst diff -f definitions/
    """
    with report.diff_errors():
        definitions = load.load(file or [], recursive)
        plan = planning.make(definitions, prune)
        differs = report.diff(plan, render.Choice(output))
    if differs:
        raise typer.Exit(ExitCode.ERROR)


def export(
    what: Annotated[
        Literal["assistants", "vector-stores"] | None,
        typer.Argument(metavar="KIND", help="assistants or vector-stores (default: both)"),
    ] = None,
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="ID", help="Only these objects (of KIND)")
    ] = None,
    output_file: Annotated[
        str | None,
        typer.Option("--output-file", "-O", metavar="FILE", help="Write to FILE ('-': stdout)"),
    ] = None,
    directory: Annotated[
        str | None,
        typer.Option("--dir", metavar="DIR", help="Write one file per object into DIR"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist")] = False,
    threads: Annotated[
        bool,
        typer.Option(
            "--threads",
            help="Export a bundle into --dir: definitions, every thread the backend lists "
            "(Foundry) and those named, their messages, runs, steps and files",
        ),
    ] = False,
    thread: Annotated[
        list[str] | None,
        typer.Option("--thread", metavar="ID", help="A thread for the bundle; repeatable"),
    ] = None,
    threads_from: Annotated[
        str | None,
        typer.Option(
            "--threads-from", metavar="FILE", help="Thread ids for the bundle, one a line"
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only threads created on or after DATE"),
    ] = None,
    no_file_bytes: Annotated[
        bool, typer.Option("--no-file-bytes", help="Bundle file objects without their bytes")
    ] = False,
) -> None:
    """Write live objects as YAML definitions that 'asst apply' accepts.

    With --threads or --thread (say --thread thread_abc --dir backup/): a bundle of the
    history that 'asst import' reads (README: "Thread bundles"); run it again after an
    interruption and it continues.

    Example: asst export --dir definitions/
    """
    if threads or thread or threads_from:
        request = exporting.plan(
            directory, threads, thread or [], threads_from, since, not no_file_bytes, force
        )
        render.progress(exporting.summary(exporting.export(request)))
        return
    where = exporter.target(output_file, directory, force)
    documents = exporter.definitions(what, ids or [])
    if not documents:
        render.progress("Nothing to export.")
    if where.stdout:
        render.text(canonical.to_yaml(documents))
        return
    written = exporter.write(documents, where, force)
    render.progress(f"Wrote {len(written)} file(s).")
