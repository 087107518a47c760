"""Schema errors as short, human-readable problems that name the offending field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_MAX = 200


# Recorded cassettes repeat the same bodies many times over (one per dialect and test); a body is
# validated once per validator. Each entry holds its validator, so no other can take its id.
_SEEN: dict[int, tuple[Draft202012Validator, dict[str, list[str]]]] = {}


def schema_problems(validator: Draft202012Validator, instance: Any, where: str) -> list[str]:
    """Each error of instance against the validator's schema, as 'where: $.path: message'."""
    _, seen = _SEEN.setdefault(id(validator), (validator, {}))
    key = json.dumps(instance)
    if key not in seen:
        seen[key] = _problems(validator, instance)
    return [f"{where}: {problem}" for problem in seen[key]]


def _problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    found: list[str] = []
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            problem = f"{location(leaf.absolute_path)}: {_message(leaf)}"
            if problem not in found:
                found.append(problem)
    return found


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into the one branch of an anyOf/oneOf that the instance plausibly meant."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        plausible = [errs for errs in branches.values() if not any(map(_wrong_kind, errs))]
        if len(plausible) == 1:
            for sub in plausible[0]:
                yield from _leaves(sub)
            return
        if not plausible:  # every branch wants another type: say which types
            kinds = [e.validator_value for e in error.context if _wrong_kind(e)]
            names = ", ".join(repr(k) for k in dict.fromkeys(_flat(kinds)))
            yield ValidationError(
                f"{error.instance!r} is not of type {names}", path=error.absolute_path
            )
            return
    yield error


def _flat(kinds: list[Any]) -> Iterator[Any]:
    for kind in kinds:
        yield from kind if isinstance(kind, list) else [kind]


def _wrong_kind(error: ValidationError) -> bool:
    """The branch wants another JSON type at this very place (e.g. null, or a string)."""
    return error.validator == "type" and not error.relative_path


def _message(error: ValidationError) -> str:
    if isinstance(error.schema, dict) and error.schema.get("$comment") == "hidden":
        return "is not allowed here (readOnly in a request, or writeOnly in a response)"
    message = str(error.message)
    return message if len(message) <= _MAX else message[: _MAX - 1] + "…"


def location(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
