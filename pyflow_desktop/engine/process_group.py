"""A worker process and everything it starts, killed as one.

POSIX: the worker starts a session of its own (``start_new_session``), so it leads a process
group that its node's subprocesses join; ``ProcessGroup.kill`` signals the whole group. The
owner kills the group before it reaps the worker, so the group's id cannot have been reused
by then. Windows: the worker is put in a Job object set to kill every process in it when the
job is terminated or its last handle closes; where Windows refuses a Job object, the worker
alone is killed (what it started lives on). Either way a process that leaves on purpose
(``setsid``, a job breakaway) is beyond reach.

A worker runs on ``python_executable()``: in a Windows venv that is the base interpreter, not
the venv's ``python.exe``, which is a launcher that starts the base interpreter as a child of
its own, one the launcher's Job object may not hold and killing the launcher does not reach.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

WINDOWS = sys.platform == "win32"


def python_executable() -> str:
    """The interpreter to start a worker on (see the module's docstring)."""
    return sys._base_executable if _venv_launcher() else sys.executable  # type: ignore[attr-defined]  # CPython's, not in typeshed


def popen_options() -> dict[str, Any]:
    """What ``subprocess.Popen`` needs to start a worker in a group of its own (and, on the
    base interpreter of a Windows venv, in that venv: ``__PYVENV_LAUNCHER__``, as
    ``multiprocessing`` does)."""
    if not WINDOWS:
        return {"start_new_session": True}
    options: dict[str, Any] = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]  # Windows only
    if _venv_launcher():
        options["env"] = {**os.environ, "__PYVENV_LAUNCHER__": sys.executable}
    return options


def _venv_launcher() -> bool:
    """Whether ``sys.executable`` is a Windows venv's launcher of the base interpreter."""
    base = getattr(sys, "_base_executable", sys.executable)
    return WINDOWS and os.path.normcase(base) != os.path.normcase(sys.executable)


class ProcessGroup:
    """The group of ``process``, started with ``popen_options()``; made before the process
    can start anything (our worker waits for its auth key first)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.pid = process.pid
        self._process = process
        self._job = _windows_job(process) if WINDOWS else None

    def kill(self) -> None:
        """Kill every process of the group that is still running."""
        if WINDOWS:
            if self._job is not None:
                _kernel32().TerminateJobObject(self._job, 1)
            else:  # no Job object: the worker at least (by its handle, never a reused id)
                self._process.kill()
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)  # type: ignore[attr-defined]  # POSIX only
        except (ProcessLookupError, PermissionError):  # none left
            pass

    def close(self) -> None:
        """Forget the group once its worker is reaped (Windows: closing the job kills what
        is left in it)."""
        if self._job is not None:
            _kernel32().CloseHandle(self._job)
            self._job = None


def _kernel32():
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
    kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    kernel32.TerminateJobObject.argtypes = [wintypes.HANDLE, wintypes.UINT]
    kernel32.SetInformationJobObject.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
    ]
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    return kernel32


def _windows_job(process: subprocess.Popen):
    """A Job object holding ``process`` that kills its processes when closed, or ``None``
    if Windows refuses (the worker alone is then killed)."""
    import ctypes
    from ctypes import wintypes

    class Basic(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class Extended(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", Basic),
            ("IoInfo", ctypes.c_uint64 * 6),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    kernel32 = _kernel32()
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        return None
    info = Extended()
    info.BasicLimitInformation.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    extended_limit_information = 9
    if not (
        kernel32.SetInformationJobObject(
            job, extended_limit_information, ctypes.byref(info), ctypes.sizeof(info)
        )
        and kernel32.AssignProcessToJobObject(job, int(process._handle))  # type: ignore[attr-defined]  # Windows only
    ):
        kernel32.CloseHandle(job)
        return None
    return job
