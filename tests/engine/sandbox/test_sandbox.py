"""The sandbox runs cells like a notebook: state, output, errors, figures, files."""

from __future__ import annotations

import io
import math

from asst_engine.tools.sandbox import Sandbox

from pngs import blue_curve

SINE = """
import numpy as np
import matplotlib.pyplot as plt
x = np.linspace(0, 2 * np.pi, 200)
plt.plot(x, np.sin(x))
plt.title("sine")
plt.show()
"""


def test_state_lasts_between_calls(sandbox: Sandbox) -> None:
    first = sandbox.execute("thread_state", "import math\nanswer = 41\nprint('set')")
    second = sandbox.execute("thread_state", "answer + 1")
    assert (first.logs, first.error, first.images, first.files_written) == ("set\n", None, [], [])
    assert (second.logs, second.error, second.timed_out) == ("42\n", None, False)
    assert sandbox.execute("thread_state", "math.floor(2.5)").logs == "2\n"


def test_an_error_comes_back_as_output_and_the_next_call_works(sandbox: Sandbox) -> None:
    sandbox.execute("thread_error", "kept = 'yes'")
    failed = sandbox.execute("thread_error", "value = 1\nvalue / 0")
    assert failed.error == "ZeroDivisionError: division by zero"
    assert failed.logs == (
        "Traceback (most recent call last):\n"
        '  File "<cell 2>", line 2, in <module>\n'
        "    value / 0\n" + failed.logs.split("value / 0\n", 1)[1]
    )
    assert failed.logs.endswith("ZeroDivisionError: division by zero\n")
    assert sandbox.execute("thread_error", "kept").logs == "'yes'\n"


def test_output_from_child_processes_is_captured(sandbox: Sandbox) -> None:
    code = "import os\nprint('py')\nstatus = os.system('echo from-shell')"
    done = sandbox.execute("thread_shell", code)
    assert done.logs == "py\nfrom-shell\n"
    assert done.error is None


def test_figures_become_pngs_of_the_plot(sandbox: Sandbox) -> None:
    done = sandbox.execute("thread_plot", SINE)
    assert (done.error, len(done.images)) == (None, 1)
    curve = blue_curve(done.images[0])
    assert 300 < curve.width < 1000 and 200 < curve.height < 800
    assert curve.colours > 10  # not blank
    assert curve.span > curve.width * 0.6  # the curve spans most of the width
    assert math.isclose(curve.middle, curve.height / 2, rel_tol=0.2)  # a sine is centred


def test_figures_left_open_are_captured_and_closed(sandbox: Sandbox) -> None:
    done = sandbox.execute(
        "thread_open", "import matplotlib.pyplot as plt\nplt.figure()\nplt.plot([1, 2])\nNone"
    )
    again = sandbox.execute("thread_open", "len(plt.get_fignums())")
    assert (len(done.images), again.logs, again.images) == (1, "0\n", [])


def test_files_go_in_and_come_out(sandbox: Sandbox) -> None:
    files = [("sales.csv", io.BytesIO(b"month,sales\nJan,3\nFeb,5\n"))]
    code = (
        "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\n"
        "df['double'] = df.sales * 2\ndf.to_csv('/mnt/data/double.csv', index=False)\n"
        "df.sales.sum()"
    )
    done = sandbox.execute("thread_files", code, files)
    assert (done.logs, done.error) == ("np.int64(8)\n", None)
    assert [name for name, _ in done.files_written] == ["double.csv"]
    assert done.files_written[0][1].read_bytes() == b"month,sales,double\nJan,3,6\nFeb,5,10\n"
    listed = sandbox.execute("thread_files", "import os\nsorted(os.listdir('/mnt/data'))", files)
    assert (listed.logs, listed.files_written) == ("['double.csv', 'sales.csv']\n", [])


def test_an_endless_loop_is_stopped_and_the_next_call_starts_fresh(sandbox: Sandbox) -> None:
    sandbox.execute("thread_loop", "lost = 1")
    stopped = sandbox.execute("thread_loop", "print('before')\nwhile True:\n    pass", timeout=1)
    notice = (
        "Execution timed out after 1 seconds. The Python process was restarted, so the variables "
        "and imports of earlier calls are gone; files in /mnt/data remain."
    )
    assert (stopped.timed_out, stopped.error) == (True, notice)
    assert stopped.logs == f"before\n\n{notice}\n"
    after = sandbox.execute("thread_loop", "'lost' in globals()")
    assert (after.logs, after.timed_out) == ("False\n", False)


def test_output_is_bounded_also_when_threads_print(sandbox: Sandbox) -> None:
    code = (
        "import threading\ndef chatter():\n    for _ in range(500):\n        print('x' * 99)\n"
        "threads = [threading.Thread(target=chatter) for _ in range(4)]\n"
        "for thread in threads:\n    thread.start()\nfor thread in threads:\n    thread.join()"
    )
    done = sandbox.execute("thread_chatter", code)
    kept, _, note = done.logs.partition("\n[output truncated: ")
    assert (len(kept), set(kept), done.error) == (20_000, {"x", "\n"}, None)
    assert note == "180000 more characters]\n"
