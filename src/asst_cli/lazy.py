"""Command groups imported when they are used: ``asst files list`` loads the files commands only.

Typer turns every command's signature into click parameters when it builds the command tree; for
all of asst's commands that, with importing their modules, cost ~0.13 s on every call (more than
half of ``asst --help``). The root group instead knows each command's module and help: a module
is imported the first time its command is looked up, and the root's help and the completion of a
command name list the others from their help alone. Reading ``group.commands`` (the tree as
tests walk it) still loads everything.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup
from typer.models import TyperInfo


@dataclass(frozen=True)
class Lazy:
    """Where a command lives (``module:attribute``, a Typer group or a command function) and
    the first paragraph of its help, which the root's help lists without importing it."""

    target: str
    help: str


class LazyCommands(MutableMapping[str, click.Command]):
    """Commands by name; looking one up loads it, listing the names loads nothing."""

    def __init__(
        self, loaded: MutableMapping[str, click.Command], lazy: dict[str, Lazy], group: LazyGroup
    ) -> None:
        self._loaded = dict(loaded)
        self._lazy = {name: entry for name, entry in lazy.items() if name not in self._loaded}
        self._order = [*self._loaded, *self._lazy]
        self._group = group
        self.listing = False

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._lazy:
            if self.listing:
                return TyperCommand(name, help=self._lazy[name].help)
            self._loaded[name] = self._group.load(name, self._lazy.pop(name))
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        if name not in self._order:
            self._order.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._loaded and name not in self._lazy:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._lazy.pop(name, None)
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._lazy


class LazyGroup(TyperGroup):
    """A root group whose subclass names its lazily loaded commands in ``lazy``."""

    lazy: dict[str, Lazy] = {}  # noqa: RUF012 (read-only, overridden by subclasses)
    commands: LazyCommands

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands, self.lazy, self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    @contextmanager
    def _listing(self) -> Iterator[None]:
        """Commands looked up meanwhile are stand-ins carrying their help, nothing is loaded."""
        self.commands.listing = True
        try:
            yield
        finally:
            self.commands.listing = False

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._listing():
            super().format_commands(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        with self._listing():
            return super().shell_complete(ctx, incomplete)

    def load(self, name: str, entry: Lazy) -> click.Command:
        """Import a command's module and build it as typer would have within the root."""
        module, attribute = entry.target.split(":")
        found = getattr(importlib.import_module(module), attribute)
        settings: dict[str, Any] = {
            "pretty_exceptions_short": True,
            "rich_markup_mode": self.rich_markup_mode,
        }
        if isinstance(found, typer.Typer):
            return typer.main.get_group_from_info(
                TyperInfo(found, name=name), suggest_commands=self.suggest_commands, **settings
            )
        holder = typer.Typer()
        holder.command(name=name)(found)
        return typer.main.get_command_from_info(holder.registered_commands[0], **settings)


def coerce_only_given_values() -> None:
    """Skip typer's coercion of options nobody gave (None): it would build a pydantic adapter
    for each, importing pydantic (~0.08 s) even for TAB completion or ``asst config path``.

    Given values are coerced by typer exactly as before; for None its own coercion returns None
    (or ``()`` for options that take many values), which is what happens here, then the same
    required check and callback. Called once, by the root command.
    """
    param_class: Any = typer.core._TyperParameter
    if getattr(param_class, "_asst_given_only", False):
        return
    coerce = param_class.process_value

    def process_value(self: Any, ctx: click.Context, value: Any) -> Any:
        if value is not None:
            return coerce(self, ctx, value)
        value = () if self.multiple or self.nargs == -1 else None
        if self.required and self.value_is_missing(value):
            raise click.exceptions.MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    param_class.process_value = process_value
    param_class._asst_given_only = True
