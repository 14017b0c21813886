"""More of a value than its view holds, asked off the GUI thread, as JSON data only.

The window gets views of values (``engine.views``); the values themselves may stay in
worker processes. A viewer that needs more (a page of a table's rows, a sorted page, a
whole series, a whole view) asks its output's ``ValueSource``, which asks the run result
that holds the value (``RunState.source``) through ``RunResult.fetch``: JSON data parsed
here, never an object built from a worker's bytes. A value whose view holds it whole is
asked of ``views.fetch_data`` in this process (it is JSON data already), at once.

A fetch waits for a worker's answer, so it runs on one shared thread (``_worker``);
``Answers`` polls the fetches out with a timer and calls back on the GUI thread, so no Qt
signal crosses threads (as the code completer does).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6 import QtCore

from ...engine import RunStates
from ...engine.views import fetch_data

POLL_MS = 15
Callback = Callable[[Any, "str | None"], None]  # (data, None) or (None, why there is none)
_worker: ThreadPoolExecutor | None = None


class ValueSource:
    """Where more of output ``port`` of ``node_id`` (of flow ``flow_id``) can be asked for;
    ``view``: the view the window has of it."""

    def __init__(
        self, run_states: RunStates | None, flow_id: str, node_id: str, port: str, view: dict
    ) -> None:
        self.run_states, self.flow_id, self.node_id, self.port = run_states, flow_id, node_id, port
        self.view = view

    @classmethod
    def whole(cls, value: Any) -> ValueSource:
        """The source of a value the window holds whole (JSON data)."""
        return cls(None, "", "", "", {"value": value})

    def _result(self):
        state = self.run_states.get(self.flow_id) if self.run_states is not None else None
        result = state.source(self.node_id) if state is not None else None
        if result is None:
            if state is not None and state.running:
                raise LookupError("the run is still going: its values can be had when it ends")
            raise LookupError("this value is no longer kept: run the flow again to make it again")
        return result

    def waiting(self) -> bool:
        """Whether the run making the value is still going (more of it comes when it ends)."""
        state = self.run_states.get(self.flow_id) if self.run_states is not None else None
        return state is not None and state.running and state.source(self.node_id) is None

    def problem(self) -> str | None:
        """Why more of the value cannot be had (``None``: it can, it is whole here, or its
        run is still going)."""
        if "value" in self.view or self.waiting():
            return None
        try:
            result = self._result()
        except LookupError as exc:
            return str(exc)
        if not result.available(self.node_id, self.port):
            return "its worker process ended and took it: run the flow again to make it again"
        return None

    def size(self) -> int | None:
        """Bytes the value takes where it is (``None``: not known, or not kept)."""
        if "value" in self.view:
            return None
        try:
            return self._result().size(self.node_id, self.port)
        except LookupError:
            return None

    def ask(self, what: str, **params: Any) -> Future:
        """Ask for ``what`` (see ``views.fetch_data``); the future holds the JSON data, or
        the ``LookupError``/``ValueError`` that says why there is none."""
        if "value" in self.view:
            future: Future = Future()
            try:
                future.set_result(fetch_data(self.view["value"], what, **params))
            except Exception as exc:  # a viewer asked for what this value has not
                future.set_exception(exc)
            return future
        try:
            result = self._result()
        except LookupError as exc:
            future = Future()
            future.set_exception(exc)
            return future
        global _worker
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="values")
        return _worker.submit(result.fetch, self.node_id, self.port, what, **params)


class Answers(QtCore.QObject):
    """Fetches out for one viewer, each called back on the GUI thread when it ends."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._out: list[tuple[Future, Callback]] = []
        self._poll = QtCore.QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check)

    def ask(self, source: ValueSource, what: str, callback: Callback, **params: Any) -> None:
        """``callback(data, None)`` with the answer, or ``callback(None, why)``; at once when
        it is known at once (a value the window holds)."""
        future = source.ask(what, **params)
        if future.done():
            _answer(future, callback)
            return
        self._out.append((future, callback))
        self._poll.start()

    @property
    def waiting(self) -> bool:
        return bool(self._out)

    def forget(self) -> None:
        """Answers still out will not be called back (what asked is gone or changed)."""
        self._out.clear()
        self._poll.stop()

    def _check(self) -> None:
        done = [item for item in self._out if item[0].done()]
        if not done:
            return
        self._out = [item for item in self._out if not item[0].done()]
        if not self._out:
            self._poll.stop()
        for future, callback in done:
            _answer(future, callback)


def _answer(future: Future, callback: Callback) -> None:
    try:
        data = future.result()
    except (LookupError, ValueError, TimeoutError) as exc:
        callback(None, str(exc))
        return
    callback(data, None)
