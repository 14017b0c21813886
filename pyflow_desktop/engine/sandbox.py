"""Worker processes inside a bubblewrap sandbox, for node code you do not trust.

``bwrap`` (the sandbox Flatpak uses) starts each worker with no network (a network namespace
of its own), the whole file system read-only, a private ``/tmp``, the user's home hidden
(an empty tmpfs over it), and a PID namespace of its own, so ``/proc`` shows nothing of the
owner; it dies with its owner. Bound back in: the flow's folder (read-only unless the user
allows writing; never when it is home itself, an unsaved flow's), the worker's spill folder (its socket to the owner is there too), a shared
memory folder the pool's workers share with each other and with the owner (``transfer``),
and the Python installation and the program when they live under home or ``/tmp``.

Where no sandbox can run (no ``bwrap``, not Linux, user namespaces refused), ``unavailable``
says why, and a sandboxed pool refuses to start rather than run nodes unsandboxed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "bubblewrap"  # its package's name on Debian, Ubuntu, Fedora, Arch, openSUSE, Alpine


class SandboxUnavailable(RuntimeError):
    """A sandbox was asked for where none can run; says why."""


@dataclass(frozen=True)
class Sandbox:
    """How nodes are confined: ``folder`` (the flow's, readable) and whether they may
    write in it."""

    folder: str
    writable: bool = False


def unavailable() -> str | None:
    """Why no sandbox can run here, or ``None`` when one can."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux and bubblewrap; none is available on {sys.platform} yet"
    return _probe(shutil.which("bwrap"))


def check() -> None:
    """Raise ``SandboxUnavailable`` (saying why) where no sandbox can run."""
    reason = unavailable()
    if reason is not None:
        raise SandboxUnavailable(f"nodes cannot run in a sandbox: {reason}")


@functools.lru_cache(maxsize=4)
def _probe(bwrap: str | None) -> str | None:
    if bwrap is None:
        return f"bwrap is not installed (install the package {PACKAGE})"
    try:
        done = subprocess.run(
            [bwrap, *_confinement(), "true"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap cannot start ({exc})"
    if done.returncode != 0:
        return f"bwrap refuses to run here ({done.stderr.strip() or done.returncode})"
    return None


def _confinement() -> list[str]:
    return [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent",
    ]  # fmt: skip


def command(sandbox: Sandbox, worker: list[str], spill: str, shared_memory: str) -> list[str]:
    """The command that starts ``worker`` confined by ``sandbox`` (see the module's
    docstring), writing only to ``spill``, ``shared_memory`` (seen as ``/dev/shm``) and, if
    allowed, the flow's folder."""
    args = [shutil.which("bwrap") or "bwrap", *_confinement()]
    home = _home()
    if home is not None:
        args += ["--tmpfs", str(home)]
    for path in _program_paths(worker):
        args += ["--ro-bind", path, path]
    folder = Path(sandbox.folder).resolve()
    if home is None or not home.is_relative_to(folder):  # (an unsaved flow's is home: hidden)
        args += ["--bind" if sandbox.writable else "--ro-bind", str(folder), str(folder)]
    args += ["--bind", spill, spill, "--bind", shared_memory, "/dev/shm"]
    return [*args, "--chdir", str(folder), "--", *worker]


def _home() -> Path | None:
    """The user's home, hidden in the sandbox (``None``: none, or it is ``/``)."""
    home = os.environ.get("HOME")
    if not home or Path(home).resolve() == Path("/"):
        return None
    return Path(home).resolve()


def _program_paths(worker: list[str]) -> list[str]:
    """Folders the worker's interpreter and modules come from, where the sandbox would hide
    them (under home or ``/tmp``; a PyInstaller bundle may unpack itself into ``/tmp``)."""
    hidden = [Path("/tmp"), *filter(None, [_home()])]
    found: list[str] = []
    candidates = [
        sys.prefix,
        sys.base_prefix,
        getattr(sys, "_MEIPASS", None),
        str(Path(worker[0]).parent),
        str(Path(worker[0]).resolve().parent),
        str(Path(__file__).resolve().parents[2]),  # the program's (an editable install's)
        *sys.path,
    ]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        path = Path(candidate).resolve()
        if str(path) not in found and any(
            path.is_relative_to(root) and path != root for root in hidden
        ):
            found.append(str(path))
    return found
