"""The command line before click reads it: global options given after the command."""

from __future__ import annotations

GLOBAL_FLAGS = ("--debug",)
GLOBAL_OPTIONS = ("--profile", "--backend", "--endpoint", "--api-version", "--max-retries")


def hoist_globals(args: list[str]) -> list[str]:
    """Global options given after the command, moved before it (where click reads them).

    Only long names no command uses are moved; nothing after ``--`` is.
    """
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg in GLOBAL_FLAGS:
            front.append(arg)
        elif arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            front.append(arg)
            if "=" not in arg and index + 1 < len(args):
                index += 1
                front.append(args[index])
        else:
            rest.append(arg)
        index += 1
    return front + rest
