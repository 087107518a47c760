"""Every way out tried from inside the sandbox, and contained."""

from __future__ import annotations

import io
import socket
from pathlib import Path

from asst_engine.tools.sandbox import Sandbox
from asst_engine.tools.sandbox.isolation import runtime_roots

TRY = """
def attempt(what, action):
    try:
        action()
        print(what, "done")
    except OSError as error:
        print(what, "refused")
"""


def test_no_network_reaches_the_host(sandbox: Sandbox) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5)"
        done = sandbox.execute("thread_net", code)
    assert done.error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_host_files_can_be_neither_read_nor_written(sandbox: Sandbox, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    code = TRY + (
        "attempt('hostname', lambda: open('/etc/hostname').read())\n"
        f"attempt('tmp file', lambda: open({str(secret)!r}).read())\n"
        f"attempt('overwrite', lambda: open({str(secret)!r}, 'w').write('x'))\n"
        "attempt('root', lambda: open('/planted', 'w').write('x'))\n"
        "attempt('dev', lambda: open('/dev/planted', 'w').write('x'))\n"
        "attempt('null', lambda: open('/dev/null', 'w').write('x'))\n"
        "attempt('usr', lambda: open('/usr/planted', 'w').write('x'))\n"
        "import os\nprint(sorted(os.listdir('/tmp')))"
    )
    done = sandbox.execute("thread_host", code)
    # The interpreter's own trees are bound read-only; one under the host's /tmp (a checkout or
    # venv there) shows in the private /tmp as that path, nothing else of the host's /tmp does.
    runtime = sorted({Path(root).parts[2] for root in runtime_roots() if root.startswith("/tmp/")})
    in_tmp = sorted([".asst-fd-output", "matplotlib", *runtime])
    assert done.logs == (
        "hostname refused\ntmp file refused\noverwrite refused\nroot refused\ndev refused\n"
        f"null done\nusr refused\n{in_tmp}\n"
    )
    assert (secret.read_text(), Path("/usr/planted").exists()) == ("host secret", False)


def test_other_threads_data_is_invisible(sandbox: Sandbox, sandbox_root: Path) -> None:
    sandbox.execute("thread_one", "open('/mnt/data/mine.txt', 'w').write('one')")
    elsewhere = sandbox_root / "threads" / "thread_one" / "data" / "mine.txt"
    code = TRY + (
        "import os\nprint(os.listdir('/mnt/data'))\n"
        f"attempt('host path', lambda: open({str(elsewhere)!r}).read())"
    )
    done = sandbox.execute("thread_two", code)
    assert (done.logs, elsewhere.read_text()) == ("[]\nhost path refused\n", "one")


def test_a_fork_bomb_hits_the_process_limit(sandbox: Sandbox) -> None:
    code = (
        "import os, time\nchildren = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(60)\n            os._exit(0)\n        children += 1\n"
        "except OSError as error:\n    print(type(error).__name__, children < 16)"
    )
    done = sandbox.execute("thread_fork", code)
    assert (done.logs, done.error) == ("BlockingIOError True\n", None)
    assert sandbox.execute("thread_fork", "children > 0").logs == "True\n"


def test_a_memory_bomb_hits_the_memory_limit(sandbox: Sandbox) -> None:
    code = "hoard = []\nwhile True:\n    hoard.append(bytearray(64 << 20))"
    done = sandbox.execute("thread_memory", code)
    assert done.error == "MemoryError"
    assert sandbox.execute("thread_memory", "hoard.clear()\nlen(hoard)").logs == "0\n"


def test_a_large_file_hits_the_file_size_limit(sandbox: Sandbox) -> None:
    code = "with open('/mnt/data/big.bin', 'wb') as out:\n    out.write(bytes(2 << 20))"
    done = sandbox.execute("thread_big", code)
    assert done.error == "OSError: [Errno 27] File too large"


def test_links_planted_in_mnt_data_are_not_followed(sandbox: Sandbox, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    plant = (
        f"import os\nos.symlink({str(victim)!r}, '/mnt/data/incoming.csv')\n"
        f"os.symlink({str(victim)!r}, '/mnt/data/leak.txt')\nos.symlink('/', '/mnt/data/root')"
    )
    planted = sandbox.execute("thread_links", plant)
    incoming = [("incoming.csv", io.BytesIO(b"new"))]
    read = sandbox.execute("thread_links", "open('/mnt/data/incoming.csv').read()", incoming)
    assert (planted.error, planted.files_written) == (None, [])
    assert (read.logs, read.files_written, victim.read_text()) == ("'new'\n", [], "original")


def test_tmp_and_dev_shm_are_bounded(sandbox: Sandbox) -> None:
    code = (
        "import os\ndef fill(folder):\n    count = 0\n    try:\n        while True:\n"
        "            with open(f'{folder}/fill{count}', 'wb') as out:\n"
        "                out.write(bytes(1 << 19))\n            count += 1\n"
        "    except OSError as error:\n        print(folder, error.strerror, count <= 16)\n"
        "fill('/tmp')\nfill('/dev/shm')"
    )
    done = sandbox.execute("thread_fill", code)
    assert done.logs == "/tmp No space left on device True\n/dev/shm No space left on device True\n"
