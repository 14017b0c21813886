"""What Jedi offers at a place in a nodespec's source, worked out off the GUI thread.

A ``Request`` is the source and a cursor position; ``answer(request)`` asks Jedi for the
names that complete the word there and the signature of the call the cursor is in. It runs
on one shared worker thread (``submit``): Jedi keeps caches that are not meant for several
threads, and one worker keeps requests in order. Jedi is imported by the first request,
never at start-up.

The source is completed as the module it is: ``def func(...)`` and whatever it imports, from
the standard library and the packages installed for this interpreter (``sys.executable``,
which also runs the nodes). Jedi inspects compiled modules in a subprocess of its own, so
completion imports nothing into this process.

State: ``_worker``, the executor, made by the first ``submit`` (or ``warm_up``).
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

_worker: ThreadPoolExecutor | None = None


@dataclass(frozen=True)
class Request:
    """Complete ``source`` at 1-based ``line`` and 0-based ``column`` (in characters).

    ``names``: whether names are wanted (only the signature after ``(`` or ``,``).
    """

    source: str
    line: int
    column: int
    names: bool = True


@dataclass(frozen=True)
class Signature:
    """The call the cursor is in: ``name(params)``, the cursor at ``params[current]``."""

    name: str
    params: tuple[str, ...]
    current: int | None = None

    def text(self) -> str:
        return f"{self.name}({', '.join(self.params)})"


@dataclass(frozen=True)
class Answer:
    """Jedi's answer to ``request``: completing names, best first, and the call's signature.

    ``overloads``: how many other signatures the call has.
    """

    request: Request
    names: tuple[str, ...] = ()
    signature: Signature | None = None
    overloads: int = 0


@cache
def _environment():
    """The interpreter that runs the nodes (Jedi's default would follow ``VIRTUAL_ENV``).

    In a bundle that interpreter is the program itself, which cannot serve as Jedi's helper
    process: there Jedi inspects compiled modules in this process."""
    from jedi.api.environment import InterpreterEnvironment, SameEnvironment

    return InterpreterEnvironment() if getattr(sys, "frozen", False) else SameEnvironment()


@cache
def _project():
    """The interpreter's own ``sys.path``, without the folder the app was started in.

    Jedi infers a parameter from the calls it finds; ``func`` is called by the engine, not
    from other files, and looking through every file of the project takes ~0.5 s a question.
    """
    import jedi

    jedi.settings.dynamic_params_for_other_modules = False
    return jedi.Project(sys.prefix, smart_sys_path=False)


def answer(request: Request) -> Answer:
    """Ask Jedi (slow: call it through ``submit``, never on the GUI thread)."""
    import jedi

    # Without a line end after it, ``return `` on the last line of ``func`` is not inside
    # ``func`` for Jedi, and its parameters are not offered.
    source = request.source + "\n"
    script = jedi.Script(source, environment=_environment(), project=_project())
    names: tuple[str, ...] = ()
    if request.names:
        completions = script.complete(request.line, request.column)
        names = tuple(c.name for c in completions if c.type != "path")
    signatures = script.get_signatures(request.line, request.column)
    if not signatures:
        return Answer(request, names)
    first = signatures[0]
    signature = Signature(first.name, tuple(p.to_string() for p in first.params), first.index)
    return Answer(request, names, signature, len(signatures) - 1)


def submit(request: Request, compute=answer) -> Future[Answer]:
    """Run ``compute(request)`` on the completion worker; the future holds its answer."""
    global _worker
    if _worker is None:
        _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="completion")
    return _worker.submit(compute, request)


def warm_up() -> None:
    """Have Jedi load itself and the builtins in the background (once), before the first
    question: cold, that question takes 1–2 s, warm ~0.2 s."""
    if _worker is None:
        submit(Request('import os\n"".', 2, 3))
