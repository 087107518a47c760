"""The fake model's part in the quickstart: the data-viz assistant plots a sine wave.

- A user message asking for a sine wave (``sinewave`` or ``sine wave``), in a run offering the
  ``python`` tool: the model calls ``python`` with the quickstart's kind of code (numpy and
  matplotlib, ``plt.show()``, no ``savefig``); once the output is in, it replies about the
  image (or, when the code failed, quotes the error).
- A user message naming ``sales.csv`` (the data file the walk-through attaches), with ``python``
  offered: the model sums its sales by month with pandas, writes ``totals.csv`` and charts the
  totals with ``plt.show()``; once the output is in, it replies with a ``sandbox:`` link to the
  totals file.
- "show me the code" with ``python`` offered: it first checks the session still holds the
  plot's variables (``x`` and ``y``), then replies with the code it ran before (found in the
  ``[python ran: ...]`` notes or the ``python`` calls of the conversation it is sent) and what
  the check printed. Without ``python`` offered it replies with the code at once.
"""

from __future__ import annotations

import re
from typing import Any

from asst_engine.models.interpreter import code_of

PYTHON = "python"
SINE_WAVE = re.compile(r"\bsine ?wave\b")
SHOW_CODE = "show me the code"
PLOT_CODE = (
    "import numpy as np\n"
    "import matplotlib.pyplot as plt\n"
    "\n"
    "x = np.linspace(0, 4 * np.pi, 400)\n"
    "y = np.sin(x)\n"
    "\n"
    "plt.figure(figsize=(8, 4))\n"
    "plt.plot(x, y, color='tab:blue', linewidth=2, label='sin(x)')\n"
    "plt.title('Sine wave')\n"
    "plt.xlabel('x')\n"
    "plt.ylabel('sin(x)')\n"
    "plt.grid(True)\n"
    "plt.legend()\n"
    "plt.show()"
)
DATA_FILE = "sales.csv"
SALES_CODE = (
    "import pandas as pd\n"
    "import matplotlib.pyplot as plt\n"
    "\n"
    f"sales = pd.read_csv('/mnt/data/{DATA_FILE}')\n"
    "totals = sales.groupby('month', sort=False)['sales'].sum()\n"
    "totals.to_csv('/mnt/data/totals.csv')\n"
    "print(totals.to_string())\n"
    "\n"
    "totals.plot(kind='bar', figsize=(8, 4), color='tab:blue', title='Sales by month')\n"
    "plt.ylabel('sales')\n"
    "plt.show()"
)
TOTALS_WRITTEN = "[file written: sandbox:/mnt/data/totals.csv]"
SUMMED = (
    f"Here are the sales of {DATA_FILE} summed by month, charted above. "
    "The totals are also in [totals.csv](sandbox:/mnt/data/totals.csv)."
)
CHECK_CODE = "print(f'x: {len(x)} points, y from {y.min():.2f} to {y.max():.2f}')"
PLOTTED = (
    "Here is a visualization of a sine wave: two full periods of sin(x) for x from 0 to 4π, "
    "shown in the image above."
)
RAN = re.compile(r"\[python ran:\n```python\n(.*?)\n```\]", re.DOTALL)


def call(prompt: str, functions: list[str]) -> str | None:
    """The code of the ``python`` call the prompt asks for, or None."""
    if PYTHON not in functions:
        return None
    lowered = prompt.lower()
    if SHOW_CODE in lowered:
        return CHECK_CODE
    if SINE_WAVE.search(lowered):
        return PLOT_CODE
    if DATA_FILE in lowered:
        return SALES_CODE
    return None


def reply(prompt: str, messages: list[dict[str, Any]], output: str) -> str | None:
    """The reply once a ``python`` call's ``output`` is in, or None for the usual one."""
    if SHOW_CODE in prompt.lower():
        return _show(messages) + f"\n\nThe session still holds the data: {output.strip()}"
    if "Traceback" in output or "Execution timed out" in output:
        return f"The code failed:\n\n{output.strip()}"
    if TOTALS_WRITTEN in output:
        return SUMMED
    if "[image shown to the user" in output:
        return PLOTTED
    return None


def show_code(prompt: str, messages: list[dict[str, Any]]) -> str | None:
    """The reply to "show me the code" without the ``python`` tool, or None."""
    return _show(messages) if SHOW_CODE in prompt.lower() else None


def _show(messages: list[dict[str, Any]]) -> str:
    code = _last_code(messages)
    if code is None:
        return "I have not run any code in this conversation."
    return f"Here is the code I used to generate the sine wave:\n\n```python\n{code}\n```"


def _last_code(messages: list[dict[str, Any]]) -> str | None:
    """The last code run before the check: a note in an assistant message, or a call."""
    found: str | None = None
    for message in messages:
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        for text in [content] if isinstance(content, str) else []:
            found = next(reversed(RAN.findall(text)), found)
        for tool_call in message.get("tool_calls") or []:
            function = tool_call.get("function") or {}
            code = code_of(function.get("arguments", ""))
            if function.get("name") == PYTHON and code != CHECK_CODE:
                found = code
    return found
