"""The code_interpreter sandbox: the model's Python, one isolated process per thread.

The interface the model-backed responder calls when the model invokes the ``python`` tool::

    sandbox = Sandbox(data_dir / "sandbox", timeout=code_timeout, unsafe_without_sandbox=unsafe)
    sandbox.start_sweeper()                  # ends idle sessions; sandbox.close() at shutdown
    done = sandbox.execute(thread_id, code, [(filename, reader), ...])
    done.logs            # str: the text for the model (output, value, traceback, notices)
    done.images          # list[bytes]: PNGs of the cell's figures
    done.files_written   # list[(name under /mnt/data, host Path of a copy)], valid until the
                         # thread's next call
    done.error           # str | None: the exception's last line, or the timeout/crash notice
    done.timed_out       # bool

``execute`` raises ``SandboxUnavailable`` (its message is for the user) when no isolation is
available and the operator did not pass ``--unsafe-code-without-sandbox``; ``sandbox.refusal``
holds that message from the start (None when code can run).
"""

from .isolation import UNSAFE_FLAG, Limits, SandboxUnavailable
from .manager import DEFAULT_IDLE, DEFAULT_TIMEOUT, Execution, Sandbox

__all__ = [
    "DEFAULT_IDLE",
    "DEFAULT_TIMEOUT",
    "UNSAFE_FLAG",
    "Execution",
    "Limits",
    "Sandbox",
    "SandboxUnavailable",
]
