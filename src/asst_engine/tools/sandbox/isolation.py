"""How the sandbox's Python is started: inside bubblewrap, or (only when the operator says so)
as a plain child process. Both give the runner the same settings; only bubblewrap isolates it."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

INSIDE = Path(__file__).with_name("inside")
MOUNT = "/mnt/data"
RUNNER_DIR = "/opt/asst-sandbox"
# The interpreter as the sandbox reaches it: a server started as ``bin/../venv/bin/python`` has
# a path through folders the sandbox does not have; its venv is bound at the normalised path,
# as ``sys.prefix`` names it. Symlinks stay: the venv's own ``python`` is one.
PYTHON = os.path.normpath(sys.executable)
FONT_CACHE = "/tmp/matplotlib"
UNSAFE_FLAG = "--unsafe-code-without-sandbox"
# The host's system tree is visible read-only (programs and the libraries Python links); /etc,
# /home, /root, /var and the server's data are not.
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64")


@dataclass(frozen=True)
class Limits:
    """What one sandbox process may use. CPU seconds count over the process's life."""

    cpu_seconds: int = 600
    memory_bytes: int = 2 << 30
    file_bytes: int = 512 << 20
    processes: int = 64
    open_files: int = 256
    tmp_bytes: int = 256 << 20
    output_chars: int = 20_000


class SandboxUnavailable(Exception):
    """No isolation tool works here and the operator did not allow running code without one."""


def refusal(reason: str) -> str:
    return (
        f"code_interpreter is refused: {reason}. The model's code runs only inside bubblewrap "
        "(no network, no view of the host's files); install it (Debian/Ubuntu: apt-get install "
        "bubblewrap; Fedora: dnf install bubblewrap) and allow user namespaces, or start the "
        f"server with {UNSAFE_FLAG} to run the code as a plain process of the server's user."
    )


def environment() -> dict[str, str]:
    """The sandbox's whole environment: nothing of the server's (keys, paths) leaks in."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "module://asst_figures",
        "MPLCONFIGDIR": FONT_CACHE,
        # One thread each: BLAS pools would otherwise spend the process limit.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def runtime_roots() -> list[str]:
    """The interpreter's own trees (a venv and its base), where they are not under /usr."""
    roots = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)}
    return sorted(root for root in roots if not root.startswith("/usr/") and root != "/usr")


def folders(mount_point: str) -> list[str]:
    """The folders above a mount point, searchable by all: bwrap would copy the host's modes
    (``/root`` is often 0700) and the sandbox's user could not reach the mount."""
    args = []
    for parent in reversed(Path(mount_point).parents[:-1]):
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def settings(limits: Limits, uid: int | None) -> str:
    chosen = asdict(limits)
    output_chars = chosen.pop("output_chars")
    chosen.pop("tmp_bytes")
    return json.dumps({"limits": chosen, "uid": uid, "output_chars": output_chars})


class Bubblewrap:
    """bwrap with every namespace new: no network, a private /tmp and /proc, and only the
    interpreter, the runner and the thread's own folder (as /mnt/data) from the host."""

    isolated = True

    def __init__(self, executable: str) -> None:
        self.executable = executable
        # Started by root, the sandbox drops to a user of its own: a user namespace would map it
        # to root outside, which the kernel exempts from the process limit.
        self.as_root = os.geteuid() == 0

    def namespaces(self) -> list[str]:
        if self.as_root:
            return [
                *("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"),
                *("--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"),
            ]
        return ["--unshare-all", "--unshare-user", "--disable-userns"]

    def system(self) -> list[str]:
        args = ["--ro-bind", "/usr", "/usr"]
        for path in SYSTEM_LINKS:
            if Path(path).is_symlink():
                args += ["--symlink", str(Path(path).readlink()), path]
            elif Path(path).is_dir():
                args += ["--ro-bind", path, path]
        for root in runtime_roots():
            args += [*folders(root), "--ro-bind", root, root]
        return args

    def command(self, workdir: Path, cache: Path, program: list[str], tmp: int) -> list[str]:
        args = [self.executable, "--die-with-parent", "--new-session", "--clearenv"]
        # The private /tmp comes before the host's trees: a venv (or a checkout) under the
        # host's /tmp is then bound on top of it, not hidden by it.
        args += [*self.namespaces(), "--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "1777", "--size", str(tmp), "--tmpfs", "/dev/shm"]
        args += ["--perms", "1777", "--size", str(tmp), "--tmpfs", "/tmp"]
        args += [*self.system(), *folders(RUNNER_DIR), "--ro-bind", str(INSIDE), RUNNER_DIR]
        args += ["--perms", "1777", "--dir", FONT_CACHE]
        for font_list in sorted(cache.glob("fontlist-*.json")):
            args += ["--ro-bind", str(font_list), f"{FONT_CACHE}/{font_list.name}"]
        args += [*folders(MOUNT), "--bind", str(workdir), MOUNT, "--chdir", MOUNT]
        # The root and /dev are tmpfs without a size: read-only, so only the sized /tmp and
        # /dev/shm and the thread's folder take writes.
        args += ["--remount-ro", "/dev", "--remount-ro", "/"]
        for name, value in environment().items():
            args += ["--setenv", name, value]
        return [*args, *program]

    def runner(self, folders: Folders, limits: Limits, uid: int | None) -> Launch:
        program = [PYTHON, "-s", "-E", f"{RUNNER_DIR}/runner.py", settings(limits, uid)]
        argv = self.command(folders.data, folders.cache, program, limits.tmp_bytes)
        return Launch(argv, None, environment())

    def prepare(self, cache: Path) -> bool:
        """Let matplotlib list its fonts once, in a sandbox, into ``cache`` (kept on disk):
        each process then reads the list instead of spending ~2 s making it (and printing
        fontconfig's complaints into the cell's output). False when ``cache`` cannot be made.

        The list is made in a folder of its own and renamed into place, so a server that
        shares ``cache`` never binds a half-written one."""
        if cache.is_dir() or importlib.util.find_spec("matplotlib") is None:
            return True
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            making = Path(tempfile.mkdtemp(prefix=f".{cache.name}-", dir=cache.parent))
        except OSError:
            return False
        code = f"import os; os.environ['MPLCONFIGDIR'] = '{MOUNT}'; import matplotlib.font_manager"
        program = [PYTHON, "-s", "-E", "-c", code]
        argv = self.command(making, making / "none", program, Limits.tmp_bytes)
        subprocess.run(argv, capture_output=True, timeout=120, check=False, env=environment())
        try:
            making.rename(cache)
        except OSError:  # another server made it meanwhile
            shutil.rmtree(making, ignore_errors=True)
        return True


class Unsafe:
    """No isolation: the runner is a child of the server, in the thread's folder, with the
    same limits. Absolute /mnt/data paths do not exist there; relative paths reach the files."""

    isolated = False
    as_root = False

    def runner(self, folders: Folders, limits: Limits, uid: int | None) -> Launch:
        program = [PYTHON, "-s", "-E", str(INSIDE / "runner.py"), settings(limits, None)]
        private = {"HOME": str(folders.tmp), "TMPDIR": str(folders.tmp)}
        cache = {"MPLCONFIGDIR": str(folders.cache)}
        return Launch(program, folders.data, {**environment(), **private, **cache})

    def prepare(self, cache: Path) -> bool:
        """matplotlib makes its font list in ``cache`` on first use."""
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return True


@dataclass(frozen=True)
class Folders:
    """A thread's folders on the host: /mnt/data, a private temporary folder (used without
    isolation; bubblewrap gives a tmpfs), and the shared matplotlib cache."""

    data: Path
    tmp: Path
    cache: Path


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    cwd: Path | None
    env: dict[str, str]


def probe(executable: str | None) -> tuple[Bubblewrap | None, str]:
    """bubblewrap when it can create a sandbox here (one tiny run), else why not."""
    name = executable or "bwrap"
    found = shutil.which(name)
    if found is None:
        return None, f"bubblewrap ({name}) is not installed"
    trial = Bubblewrap(found)
    argv = [found, "--die-with-parent", *trial.namespaces(), *trial.system(), "/usr/bin/true"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"bubblewrap could not start: {error}"
    if result.returncode != 0:
        return None, f"bubblewrap cannot create a sandbox here: {result.stderr.strip()}"
    return trial, ""


def resolve(executable: str | None, unsafe: bool) -> tuple[Bubblewrap | Unsafe | None, str | None]:
    """The launcher to use, or None and the refusal to give for every call."""
    isolated, reason = probe(executable)
    if isolated is not None:
        return isolated, None
    if unsafe:
        return Unsafe(), None
    return None, refusal(reason)
