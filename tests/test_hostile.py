"""Hostile and broken input: whatever the arguments or definition files, asst answers with a
documented exit code and a one-line message, never a traceback.

A property test (hypothesis) drives the real CLI in-process with random argv over every command
of the tree (command paths and option names come from walking it) and with mutated definition
files. No request can succeed: the environment points at a closed port on 127.0.0.1 with no
retries, so valid input ends in 75 and invalid input in 2 before any request. Explicit cases
follow for the inputs the issue names.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import string
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import example, given
from hypothesis import strategies as st

from asst_cli import render
from asst_cli.app import app, run

from harness import Runner

EXIT_CODES = {0, 1, 2, 3, 4, 5, 6, 8, 75, 124, 130}
CLOSED_ENV = {
    "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    "OPENAI_API_KEY": "sk-hostile-0000",
    # Azure and Foundry would otherwise sign in with Entra ID (a network call): a token is set.
    "ASST_TOKEN": "hostile-token-0000",
    "ASST_MAX_RETRIES": "0",
}
# --debug shows tracebacks on purpose, so it is no part of the property.
EXCLUDED_OPTIONS = {"--debug"}


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _walk(sub, (*path, name))
    else:
        yield path, command


ROOT = typer.main.get_command(app)
LEAVES = list(_walk(ROOT))
GROUPS = sorted({path[:1] for path, _ in LEAVES if len(path) > 1})


def _options(command: Any) -> list[str]:
    names = [
        name
        for param in command.params
        for name in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ()))
        if name.startswith("-")
    ]
    return [name for name in names if name not in EXCLUDED_OPTIONS]


GLOBAL_OPTIONS = _options(ROOT)
# Groups that do work of their own when called bare: 'asst serve' serves in the foreground until
# a signal stops it (tests/test_serve.py and test_signals.py cover that), so a bare prefix here
# would hang the test. Found by this test: an 'anything at all' argv of just 'serve'.
RUN_UNTIL_STOPPED = {("serve",)}
ALL_OPTIONS = sorted({name for _, command in LEAVES for name in _options(command)})

# Values chosen to break things: empty, signs, huge numbers, paths that escape, terminal escapes,
# every output format, ids of every kind. None is an external URL (no request can leave).
NASTY = [
    "", " ", "-", "--", "x", "0", "-1", "1.5", "nan", "inf", "1e309", "9" * 30, "true", "null",
    "[]", "{}", "=", "a=b", "k=" + "v" * 600, "k" * 70 + "=v", "../../etc/passwd", "/dev/null",
    "/", ".", "..", "~", "file-abc123", "asst_abc", "thread_abc", "run_abc", "vs_abc",
    "step_abc", "msg_abc", "vsfb_abc", *render.FORMATS, "xml", "[?", "foo[", "@", "a.b.c",
    "\u202etxt.exe", "é", "\x1b[31m", "x" * 5000, "static:1:2", "static:0:0", "auto",
    "function:f", "f=./nope", "f=", "role=user", "user", "assistant", "bash", "asc", "desc",
    "openai", "azure", "foundry", "def.yaml", "data.bin", "empty.yaml", "folder", "link",
    "undecodable\udcff",
]  # fmt: skip
TEXT = st.text(alphabet=string.printable.replace(":", ""), max_size=12)
VALUE = st.one_of(st.sampled_from(NASTY), TEXT)


@contextlib.contextmanager
def offline(folder: Path) -> Iterator[None]:
    """A fresh working and config directory with local files to point at, and every request
    going to a closed loopback port."""
    saved = dict(os.environ)
    cwd = Path.cwd()
    os.environ.update(CLOSED_ENV, ASST_CONFIG_DIR=str(folder / "config"))
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


def _files(folder: Path) -> None:
    (folder / "def.yaml").write_text("name: x\nmodel: gpt-4o\n")
    (folder / "empty.yaml").write_text("")
    (folder / "data.bin").write_bytes(bytes(range(256)))
    (folder / "folder").mkdir()
    (folder / "link").symlink_to(folder / "data.bin")


def invoke(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run asst in-process in a scratch directory, offline; returns (code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _files(folder)
        out, err = io.StringIO(), io.StringIO()
        old_stdin = os.sys.stdin  # type: ignore[attr-defined]
        os.sys.stdin = io.StringIO(stdin)  # type: ignore[attr-defined]
        try:
            with offline(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = run(argv)
        finally:
            os.sys.stdin = old_stdin  # type: ignore[attr-defined]
    return int(code), out.getvalue(), err.getvalue()


def check(argv: list[str], code: int, stdout: str, stderr: str) -> None:
    """The property: a documented exit code, no traceback, and a failure said in one line."""
    context = f"asst {argv!r} exited {code}\nstdout: {stdout[:500]!r}\nstderr: {stderr[:2000]!r}"
    assert code in EXIT_CODES, context
    assert "Traceback" not in stderr and "Traceback" not in stdout, context
    # An exception nobody mapped is reported as "unexpected": a defect even without a traceback.
    assert "Error: unexpected " not in stderr and '"unexpected ' not in stderr, context
    if code == 0:
        return
    lines = stderr.splitlines()
    assert lines, context
    if render.wants_json():
        for line in lines:
            assert set(json.loads(line)) == {"error"}, context
        return
    for line in lines:
        assert line.startswith(("Error: ", "Warning: ", "Interrupted.")), context


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waits back off between failed polls; here only where they end matters, not when."""
    monkeypatch.setattr(time, "sleep", lambda _: None)


def _parameter(draw: st.DrawFn, param: Any) -> list[str]:
    """Words for one parameter: a flag alone, or an option or argument with a value (a valid
    choice half the time, else anything)."""
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)

    def value() -> str:
        if choices and draw(st.booleans()):
            return str(draw(st.sampled_from(choices)))
        return draw(VALUE)

    if param.param_type_name == "argument":
        count = draw(st.integers(1, 3)) if param.nargs == -1 else 1
        return [value() for _ in range(count)]
    names = [n for n in (*param.opts, *param.secondary_opts) if n not in EXCLUDED_OPTIONS]
    if not names:
        return []
    name = draw(st.sampled_from(names))
    return [name] if getattr(param, "is_flag", False) else [name, value()]


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed commands (the full path, each argument given, some options), so
    that the checks behind the parser are reached too; sometimes anything at all."""
    path, command = draw(st.sampled_from(LEAVES))
    argv: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        argv += [draw(st.sampled_from(GLOBAL_OPTIONS)), draw(VALUE)]
    if draw(st.integers(0, 9)) == 0:
        prefix = path[: draw(st.integers(0, len(path)))]
        if prefix in RUN_UNTIL_STOPPED:
            prefix = path
        return argv + list(prefix) + draw(st.lists(VALUE, max_size=4))
    argv += path
    params = [p for p in command.params if p.name != "help"]
    for param in params:
        if param.param_type_name == "argument" and (param.required or draw(st.booleans())):
            argv += _parameter(draw, param)
    options = [p for p in params if p.param_type_name == "option"]
    for _ in range(draw(st.integers(0, 4))):
        if options and draw(st.integers(0, 9)) < 8:
            argv += _parameter(draw, draw(st.sampled_from(options)))
        else:
            argv.append(draw(st.sampled_from(ALL_OPTIONS)))
    return argv


@given(argv=argvs(), stdin=st.sampled_from(["", "-", "hello\n", "\x00\xff"]))
# Found by this test: the SDK raised an unmapped InvalidURL for an endpoint of control characters.
@example(argv=["--endpoint", "\r", "threads", "delete", "-"], stdin="hello\n")
# And: the ledger's note came before a refused cursor, a second line on stderr.
@example(argv=["threads", "list", "--after", ""], stdin="")
def test_random_arguments_to_every_command(argv: list[str], stdin: str) -> None:
    code, stdout, stderr = invoke(argv, stdin)
    check(argv, code, stdout, stderr)


# -- definition files ----------------------------------------------------------------------------

DEFINITIONS = {
    ("assistants", "create", "-f"): {
        "name": "a",
        "model": "gpt-4o",
        "instructions": "be brief",
        "tools": [{"type": "code_interpreter"}, {"type": "function", "function": {"name": "f"}}],
        "temperature": 0.5,
        "metadata": {"team": "x"},
    },
    ("threads", "create", "-f"): {
        "messages": [{"role": "user", "content": "hi"}],
        "metadata": {"k": "v"},
    },
    ("run", "--wait", "-f"): {
        "assistant": "asst_abc",
        "message": "hi",
    },
    ("vector-stores", "create", "-f"): {"name": "s", "files": ["data.bin"]},
}
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.just("x" * 300_000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=20),
)


@st.composite
def definitions(draw: st.DrawFn) -> tuple[tuple[str, ...], bytes]:
    command = draw(st.sampled_from(sorted(DEFINITIONS)))
    doc: dict[str, Any] = json.loads(json.dumps(DEFINITIONS[command]))
    way = draw(st.sampled_from(["type", "unknown", "drop", "yaml", "garbage", "deep", "empty"]))
    if way == "type" and doc:
        doc[draw(st.sampled_from(sorted(doc)))] = draw(JUNK)
    elif way == "unknown":
        doc[draw(st.text(min_size=1, max_size=10))] = draw(JUNK)
    elif way == "drop" and doc:
        doc.pop(draw(st.sampled_from(sorted(doc))))
    text = json.dumps(doc, default=str) if way != "yaml" else ""
    if way == "yaml":
        import yaml

        valid = yaml.safe_dump(doc)
        cut = draw(st.integers(0, len(valid)))
        text = valid[:cut] + draw(st.sampled_from(["\t", ": [", "{", "- ", "&a *b", "!!python/x"]))
    data = text.encode()
    if way == "garbage":
        data = draw(st.binary(max_size=200))
    elif way == "deep":
        depth = draw(st.integers(50, 5000))
        data = ("name: " + "[" * depth + "]" * depth + "\n").encode()
    elif way == "empty":
        data = draw(st.sampled_from([b"", b"\n", b"---\n", b"~\n", b"# only a comment\n"]))
    return command, data


@given(case=definitions(), via_stdin=st.booleans())
def test_mutated_definition_files(case: tuple[tuple[str, ...], bytes], via_stdin: bool) -> None:
    command, data = case
    with tempfile.TemporaryDirectory() as scratch:
        definition = Path(scratch) / "mutated.yaml"
        definition.write_bytes(data)
        if via_stdin:
            argv = [*command, "-", "-o", "id"]
            code, stdout, stderr = invoke(argv, data.decode(errors="replace"))
        else:
            argv = [*command, str(definition), "-o", "id"]
            code, stdout, stderr = invoke(argv)
    check(argv, code, stdout, stderr)
    assert code in {2, 75}, f"{argv}: {code} {stderr!r}"


# -- the explicit cases ----------------------------------------------------------------------------


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CLOSED_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["assistants", "list", "-o", "xml"],
            "Error: Invalid value for '--output' / '-o': unknown format 'xml'; use one of: "
            "table, json, yaml, tsv, jsonl, id, text, none (see 'asst assistants list --help')\n",
        ),
        (
            ["assistants", "list", "-q", "[?name=="],
            "Error: Invalid value for '--query' / '-q': invalid JMESPath expression: ",
        ),
        (
            ["assistants", "create", "--model", "m", "-m", "k" * 65 + "=v"],
            "Error: --metadata: key 'kkkkkkkkkkkkkkkkkkkk...' is longer than 64 characters",
        ),
        (
            ["assistants", "create", "--model", "m", "-m", "k=" + "v" * 513],
            "Error: --metadata: value of 'k' is longer than 512 characters",
        ),
        (
            ["assistants", "create", "--model", "m", *[f"-mk{i}=v" for i in range(17)]],
            "Error: --metadata: at most 16 keys are allowed, got 17",
        ),
        (
            ["threads", "create", "-m", "novalue"],
            "Error: --metadata expects KEY=VALUE, got 'novalue'",
        ),
        (
            ["--endpoint", "\r", "threads", "create"],
            "Error: the endpoint (from command line) contains the character '\\r' "
            "(give a URL such as https://HOST/v1)\n",
        ),
    ],
    ids=[
        "format",
        "jmespath",
        "metadata-key",
        "metadata-value",
        "metadata-count",
        "metadata-pair",
        "endpoint",
    ],
)
def test_bad_input_is_refused_before_any_request(
    cli: Runner, unreachable: None, args: list[str], stderr: str
) -> None:
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(stderr)
    assert len(result.stderr.splitlines()) == 1


def test_errors_are_one_json_object_when_json_is_asked(cli: Runner, unreachable: None) -> None:
    result = cli("assistants", "list", "-o", "json", "-q", "[?")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    error = json.loads(line)["error"]
    assert error["exit_code"] == 2
    assert error["message"].startswith("Invalid value for '--query' / '-q': invalid JMESPath")


def test_unreachable_server_with_json_is_one_json_object(cli: Runner, unreachable: None) -> None:
    result = cli("files", "list", "-o", "json")
    assert result.exit_code == 75
    [line] = result.stderr.splitlines()
    assert json.loads(line)["error"]["exit_code"] == 75


def test_deeply_nested_yaml_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyYAML's scanner takes minutes on a few thousand nested brackets; refused at once instead.
    import yaml

    def parsed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the text reached the YAML parser")

    monkeypatch.setattr(yaml, "compose_all", parsed)
    definition = tmp_path / "deep.yaml"
    definition.write_text("name: " + "[" * 3000 + "]" * 3000 + "\n")
    code, stdout, stderr = invoke(["assistants", "create", "-f", str(definition)])
    assert (code, stdout, stderr) == (
        2,
        "",
        f"Error: {definition}: nested too deeply (simplify the file)\n",
    )
