"""`asst run --wait --backend local`, whole processes: the first command of a data dir starts its
background server (cold); every later one reuses it (warm). Compared with a whole process that
calls the model directly with the openai SDK, and with the model's own time."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from common import Row, asst, clean_env, ratio, run, seconds

NOTES = [
    "`--backend local` is a whole `asst` process each time (start-up, the SDK's import, the "
    "requests, polling, printing the reply); cold is the first command after the data dir's "
    "background server stopped (it starts one), warm the median of the runs that reuse it. "
    "The local server, like any `asst serve`, hints 50 ms between polls; `--stream` needs no "
    "polls.",
]
DIRECT = """
import sys, openai
model = openai.OpenAI(base_url=sys.argv[1], api_key="sk-fake", max_retries=0)
messages = [{"role": "user", "content": "hello"}]
for chunk in model.chat.completions.create(model="fake-model", messages=messages, stream=True):
    pass
"""


def _env(work: Path, model_url: str) -> dict[str, str]:
    home = work / "local"
    return clean_env(
        ASST_DATA_DIR=str(home / "data"),
        ASST_MODEL_BASE_URL=model_url,
        ASST_MODEL_API_KEY="sk-fake",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )


def rows(work: Path, model_url: str, model_seconds: float, runs: int) -> list[Row]:
    """Cold and warm `asst run --wait`, the direct peer, and the warm run beyond the model."""
    env = _env(work, model_url)
    local = [*asst(), "--backend", "local"]
    stop = [*asst(), "serve", "stop", "--data-dir", env["ASST_DATA_DIR"]]
    try:
        create = ["assistants", "create", "--name", "bench", "--model", "fake-model", "-o", "id"]
        created = subprocess.run(
            [*local, *create], env=env, capture_output=True, text=True, check=True
        )
        assistant = created.stdout.strip()
        waited = [*local, "run", "--wait", "-a", assistant, "hello", "-o", "text"]
        one = [*local, "assistants", "get", assistant, "-o", "id"]
        subprocess.run(stop, env=env, capture_output=True, check=True)
        cold, warm, streamed, direct, calls = _timed(waited, env), [], [], [], []
        for _ in range(max(5, 3 * runs)):
            warm.append(_timed(waited, env))
            streamed.append(_timed([*waited, "--stream"], env))
            direct.append(_timed([sys.executable, "-c", DIRECT, model_url], env))
            calls.append(_timed(one, env))
    finally:
        subprocess.run(stop, env=env, capture_output=True, check=False)
    median, peer = statistics.median(warm), statistics.median(direct)
    beyond, stream = median - model_seconds, statistics.median(streamed)
    return [
        Row("asst run --wait --backend local, cold (starts the server)", seconds(cold)),
        Row("asst run --wait --backend local, warm (whole process)", seconds(median),
            "a whole process calling the model directly", seconds(peer), ratio(median, peer)),
        Row("the same, warm, beyond the model's own time", seconds(beyond),
            target="<= 0.5 s", met=beyond <= 0.5),
        Row("asst run --wait --stream --backend local, warm", seconds(stream),
            "a whole process calling the model directly", seconds(peer), ratio(stream, peer)),
        Row("the same, streamed, beyond the model's own time", seconds(stream - model_seconds)),
        Row("one request, warm (asst assistants get, whole process)",
            seconds(statistics.median(calls))),
    ]  # fmt: skip


def _timed(argv: list[str], env: dict[str, str]) -> float:
    sample = run(argv, env)
    if sample.code != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {sample.code}")
    return sample.seconds
