"""`asst serve` with a model behind it: what the engine adds to a run beyond the model's own time.

The real server (`asst serve --port 0`, SQLite and blobs in a fresh data dir, a key from
--api-key-file) runs in its own process with the project's fake model (a deterministic
OpenAI-compatible chat server on loopback, slowed down to answer like a model) as its provider.
Every figure is paired with the same work done by calling that model directly with the openai
SDK: a run end to end (`runs.create_and_poll`, polling as the server's hint says) against a
streamed chat completion; the first streamed delta (`runs.stream`) against the model's first
token; 50 runs at once against 50 model calls at once; the server's memory while a 64 MB file
goes up and down (bench/serve_memory.py); and `asst run --wait --backend local` once its server is
warm, a whole process, against a whole process calling the model.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import serve_local
from common import API_KEY, Row, Section, ratio, seconds, served
from serve_memory import PIECE, memory, transfer

from asst_engine.testing.fake_model import FakeModel, Recorded

MODEL = "fake-model"
HINT_MS = 50  # the poll hint the server sends (openai-poll-after-ms)
FIRST_TOKEN_MS = 200  # the fake model's wait before its first token
TOKEN_MS = 20  # and between tokens
CONCURRENT = 50
SLEEPY = "please sleep 1000"  # the fake model answers after 1 s
MEGABYTES = 64

NOTES = [
    "A run's overhead is the create request, the worker taking the run, the prompt read from "
    "SQLite, the model's tokens written back as a message, and the wait for the client's next "
    "poll: half the hint on average (25 ms at 50 ms). With no hint the SDK waits 1 s between "
    "polls; `asst serve` hints 50 ms unless `--poll-after-ms` says otherwise (0: none).",
    "The first delta is timed from the moment the fake model sends its first token (its request's "
    "arrival plus the first-token wait, on this process's clock) to the SDK's first "
    "`thread.message.delta` event; the row above it adds what the engine does before it calls "
    "the model. The 50 runs are 50 client threads each in `create_and_poll`; the peer is 50 SDK "
    "streams at once from the same process, so both share the 2 cores with the model.",
    "File bytes stream into the data dir's blob directory and back out (neither the upload nor "
    "the download holds the file), so the peak stays at the resting size whatever its size.",
]


class TimedModel(FakeModel):
    """The fake model, noting when each chat request arrived (perf_counter, this process)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.arrivals: list[float] = []

    def record(self, entry: Recorded) -> None:
        if entry.path.endswith("/chat/completions"):
            self.arrivals.append(time.perf_counter())
        super().record(entry)


class PollTimes:
    """Event hooks timing each run retrieval (a poll): request sent -> response headers."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def request(self, request: Any) -> None:
        request.extensions["bench_sent"] = time.perf_counter()

    def response(self, response: Any) -> None:
        request = response.request
        if request.method == "GET" and "/runs/" in request.url.path:
            self.seconds.append(time.perf_counter() - request.extensions["bench_sent"])


def _client(url: str, polls: PollTimes | None = None) -> openai.OpenAI:
    hooks: dict[str, list[Callable[..., Any]]] = {}
    if polls:
        hooks = {"request": [polls.request], "response": [polls.response]}
    return openai.OpenAI(
        base_url=f"{url}/v1",
        api_key=API_KEY,
        max_retries=0,
        http_client=openai.DefaultHttpxClient(event_hooks=hooks),
    )


def _direct(model: openai.OpenAI, prompt: str) -> tuple[float, float]:
    """A streamed chat completion read to its end: seconds to its first text, and in all."""
    started, first = time.perf_counter(), 0.0
    messages: Any = [{"role": "user", "content": prompt}]
    for chunk in model.chat.completions.create(model=MODEL, messages=messages, stream=True):
        if not first and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started


def _thread(client: openai.OpenAI, prompt: str) -> str:
    return client.beta.threads.create(messages=[{"role": "user", "content": prompt}]).id


def _polled(client: openai.OpenAI, assistant: str, thread: str) -> float:
    """Seconds from creating a run to the SDK's poll helper returning it completed."""
    started = time.perf_counter()
    run = client.beta.threads.runs.create_and_poll(thread_id=thread, assistant_id=assistant)
    elapsed = time.perf_counter() - started
    if run.status != "completed":
        raise RuntimeError(f"run {run.id} ended {run.status}: {run.last_error}")
    return elapsed


def _streamed(client: openai.OpenAI, assistant: str, fake: TimedModel) -> tuple[float, float]:
    """`runs.stream`: seconds to the first message delta, and from the model's first token
    (its request's arrival plus the fake's first-token wait) to that delta."""
    thread = _thread(client, "hello")
    fake.arrivals.clear()
    started, first = time.perf_counter(), 0.0
    with client.beta.threads.runs.stream(thread_id=thread, assistant_id=assistant) as stream:
        for event in stream:
            if not first and event.event == "thread.message.delta":
                first = time.perf_counter()
    if not first or not fake.arrivals:
        raise RuntimeError(f"the stream of thread {thread} had no message delta")
    return first - started, first - (fake.arrivals[0] + FIRST_TOKEN_MS / 1000)


def _at_once(call: Any, items: list[Any]) -> float:
    """Seconds until every call has returned, all started together."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(items)) as pool:
        list(pool.map(call, items))
    return time.perf_counter() - started


def _overhead(
    client: openai.OpenAI, model: openai.OpenAI, assistant: str, runs: int, hint: str
) -> list[Row]:
    """A run end to end against the direct call, taken in turns; the difference is the
    engine's overhead."""
    ends, directs = [], []
    for _ in range(runs):
        thread = _thread(client, "hello")
        ends.append(_polled(client, assistant, thread))
        directs.append(_direct(model, "hello")[1])
    end, direct = statistics.median(ends), statistics.median(directs)
    return [
        Row(f"run end to end (create_and_poll, {hint})", seconds(end),
            "the model called directly (streamed)", seconds(direct), ratio(end, direct)),
        Row(f"engine overhead per run ({hint})", seconds(end - direct),
            target="<= 0.100 s", met=end - direct <= 0.100),
    ]  # fmt: skip


def _stream_rows(
    client: openai.OpenAI, model: openai.OpenAI, assistant: str, fake: TimedModel, runs: int
) -> list[Row]:
    totals, lags, directs = [], [], []
    for _ in range(runs):
        total, lag = _streamed(client, assistant, fake)
        totals.append(total)
        lags.append(lag)
        directs.append(_direct(model, "hello")[0])
    total, lag, direct = (statistics.median(v) for v in (totals, lags, directs))
    return [
        Row("first streamed delta after the request (runs.stream)", seconds(total),
            "the model's first token, streamed directly", seconds(direct), ratio(total, direct)),
        Row("first streamed delta after the model's first token", seconds(lag),
            target="<= 0.050 s", met=lag <= 0.050),
    ]  # fmt: skip


def _concurrency(client: openai.OpenAI, model: openai.OpenAI, assistant: str) -> Row:
    threads = [_thread(client, SLEEPY) for _ in range(CONCURRENT)]
    engine = _at_once(lambda thread: _polled(client, assistant, thread), threads)
    direct = _at_once(lambda prompt: _direct(model, prompt), [SLEEPY] * CONCURRENT)
    return Row(f"{CONCURRENT} runs at once of a 1-second model, all completed",
               seconds(engine), f"{CONCURRENT} direct model calls at once", seconds(direct),
               ratio(engine, direct), "<= 3 s", engine <= 3.0)  # fmt: skip


def _memory_rows(work: Path, fake: TimedModel) -> list[Row]:
    """A fresh server per size: its resident memory at rest, and its peak while the file went
    up and down."""
    rows = []
    for megabytes in (MEGABYTES, 4 * MEGABYTES):
        with served(work, model_url=fake.url) as (pid, url):
            at_rest = memory(pid, "VmRSS")
            started = time.perf_counter()
            received = transfer(url, megabytes, API_KEY)
            elapsed = time.perf_counter() - started
            peak = memory(pid, "VmHWM")
        if received != megabytes * PIECE:
            raise RuntimeError(f"downloaded {received} bytes of {megabytes * PIECE}")
        rows.append(
            Row(f"server peak RSS, {megabytes} MB up and down ({elapsed:.1f} s)",
                f"{peak:.0f} MB ({at_rest:.0f} at rest)",
                target="<= 150 MB" if megabytes == MEGABYTES else "",
                met=peak <= 150 if megabytes == MEGABYTES else None)
        )  # fmt: skip
    return rows


def _hinted(work: Path, fake: TimedModel, model: openai.OpenAI, runs: int) -> list[Row]:
    """Everything measured on one server that sends the poll hint."""
    polls = PollTimes()
    with served(work, "--poll-after-ms", str(HINT_MS), model_url=fake.url) as (_, url):
        client = _client(url, polls)
        assistant = client.beta.assistants.create(model=MODEL, name="bench").id
        _overhead(client, model, assistant, 1, "")  # warm-up: connections, imports, SQLite
        polls.seconds.clear()
        rows = _overhead(client, model, assistant, runs, f"hint {HINT_MS} ms")
        poll, peer = statistics.median(polls.seconds), _bare(model, runs)
        slow = statistics.quantiles(polls.seconds, n=20)[-1]
        rows.append(Row(f"a poll request (GET the run), median of {len(polls.seconds)}",
                        f"{seconds(poll)} (95th percentile {seconds(slow)})",
                        "a direct model call answered at once", seconds(peer),
                        ratio(poll, peer), "<= 0.030 s", poll <= 0.030))  # fmt: skip
        rows += _stream_rows(client, model, assistant, fake, runs)
        rows.append(_concurrency(client, model, assistant))
    return rows


def _unhinted(work: Path, fake: TimedModel, model: openai.OpenAI, runs: int) -> list[Row]:
    """The server as started with no --poll-after-ms: its default hint (50 ms)."""
    with served(work, model_url=fake.url) as (_, url):
        client = _client(url)
        assistant = client.beta.assistants.create(model=MODEL, name="bench").id
        return _overhead(client, model, assistant, runs, "the server's default hint, 50 ms")


def measure(work: Path, runs: int) -> Section:
    repeat, first_load = max(5, 3 * runs), os.getloadavg()[0]
    fake = TimedModel(first_token_delay_ms=FIRST_TOKEN_MS, token_delay_ms=TOKEN_MS)
    with fake:
        model = openai.OpenAI(base_url=fake.url, api_key="sk-fake", max_retries=0)
        rows = _hinted(work, fake, model, repeat)
        rows += _unhinted(work, fake, model, repeat)
        rows += _memory_rows(work, fake)
        rows += serve_local.rows(work, fake.url, _direct(model, "hello")[1], runs)
    load = f"{first_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    return Section(
        "asst serve with a model: the engine's cost beyond the model's own time",
        f"`python bench/run.py --only serve --runs {runs}` on {time.strftime('%Y-%m-%d')} "
        f"({os.cpu_count()} cores shared with other work, load average {load}; "
        f"Python {platform.python_version()}, openai {openai.__version__}). "
        f"Median of {repeat} runs each, taken in turns with the same work done by calling the "
        f"model directly (openai SDK, in process). The model: the project's fake model on "
        f"loopback, first token after {FIRST_TOKEN_MS} ms, {TOKEN_MS} ms between tokens; the "
        f"server: `asst serve --port 0` (SQLite data dir, a key, `--poll-after-ms {HINT_MS}` "
        "unless a row says otherwise).",
        rows,
        _paragraphs([*NOTES, *serve_local.NOTES]),
    )


def _bare(model: openai.OpenAI, runs: int) -> float:
    """A model call with no wait before its answer: the cost of one loopback request."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        model.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _paragraphs(texts: list[str]) -> list[str]:
    """Notes as markdown paragraphs: a blank line between each."""
    lines = [line for text in texts for line in (text, "")]
    return lines[:-1]
