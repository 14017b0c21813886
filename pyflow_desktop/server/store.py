"""The repository a server serves: reads, changes saved atomically, runs, dumps and loads.

State: ``repo`` (the model, replaced whole by ``load``), ``lock`` (held by every read and
every change with its save, so concurrent requests never see or write half a change),
``path``/``folder``/``fmt`` (the served file, the folder ``dump``/``load`` may touch, the
file's format, kept on save) and ``timeout`` (seconds a node of ``run`` may take).

A change that cannot be saved is undone, so memory and file never disagree. Every failure
is an ``ApiError`` with an HTTP status and a one-line message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import PlanError, Scheduler, make_executor, plan_run
from ..engine.sandbox import Sandbox
from ..repository import (
    Flow,
    NodeSpec,
    RepositoryError,
    flow_problems,
    func_problem,
    load_repository,
    save_repository,
    subflow_cycles,
)
from ..repository.file_format import file_format
from ..repository.flow_reader import read_flow
from ..repository.merge import put_specs
from ..repository.problems import Problems
from ..repository.spec_reader import read_spec
from ..repository.writer import flow_to_dict, spec_to_dict

DEFAULT_TIMEOUT = 60.0
RUN_FLOW_ID = "runflow"


class ApiError(Exception):
    """A request that cannot be served: ``status`` is the HTTP status, ``str()`` the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ServedRepository:
    """The served file's repository; safe to use from many request threads at once."""

    def __init__(
        self,
        path: str | os.PathLike,
        timeout: float = DEFAULT_TIMEOUT,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.path = Path(path).resolve()
        self.sandbox = sandbox  # runs' workers are confined by it
        self.folder = self.path.parent
        self.repo = load_repository(self.path)  # RepositoryError for a bad file
        self.fmt = file_format(self.path)
        self.timeout = timeout
        self.lock = threading.RLock()

    # -- reads ------------------------------------------------------------------------

    def specs(self) -> dict[str, dict[str, Any]]:
        """Every nodespec by id, in the original's shape; a missing output is one ``out``."""
        with self.lock:
            return {spec_id: _spec_json(spec) for spec_id, spec in self.repo.specs.items()}

    def spec(self, spec_id: str) -> dict[str, Any]:
        with self.lock:
            return _spec_json(self._spec(spec_id))

    def flows(self) -> list[dict[str, Any]]:
        with self.lock:
            return [flow_to_dict(flow) for flow in self.repo.flows.values()]

    def flow(self, flow_id: str) -> dict[str, Any]:
        with self.lock:
            return flow_to_dict(self._flow(flow_id))

    # -- changes, each saved to the file --------------------------------------------------

    def put_spec(self, raw: Any, spec_id: str | None = None) -> None:
        """Add a nodespec, or replace the one of the same id (``spec_id``: the URL's id)."""
        spec = _read_spec(raw, spec_id)
        with self.lock:
            old = self.repo.specs.get(spec.id)
            try:
                put_specs(self.repo, [spec])
            except RepositoryError as error:
                raise ApiError(400, str(error)) from None
            self._save(
                lambda: self.repo.replace_spec(old) if old else self.repo.remove_spec(spec.id)
            )

    def delete_spec(self, spec_id: str) -> None:
        with self.lock:
            spec = self._spec(spec_id)
            users = self.repo.flows_using(spec_id)
            if users:
                names = ", ".join(flow.id for flow in users)
                raise ApiError(400, f"nodespec {spec_id!r} is used by flow(s) {names}")
            self.repo.remove_spec(spec_id)
            self._save(lambda: self.repo.add_spec(spec))

    def put_flow(self, raw: Any) -> None:
        """Add a flow, or replace the one of the same id."""
        with self.lock:
            flow = self._read_flow(raw, None)
            old = self.repo.flows.get(flow.id)
            if old is not None:
                self.repo.remove_flow(flow.id)
            self.repo.add_flow(flow)

            def undo() -> None:
                self.repo.remove_flow(flow.id)
                if old is not None:
                    self.repo.add_flow(old)

            broken = [
                *(
                    p
                    for user in self.repo.flows_using_subflow(flow.id)
                    for p in self._problems(user)
                ),
                *subflow_cycles(self.repo.flows),
            ]
            if broken:
                undo()
                raise ApiError(400, f"the flow would break a flow using it: {broken[0]}")
            self._save(undo)

    def _problems(self, flow: Flow) -> list[RepositoryError]:
        return flow_problems(flow, self.repo.specs, flows=self.repo.flows)

    def delete_flow(self, flow_id: str) -> None:
        with self.lock:
            flow = self._flow(flow_id)
            users = self.repo.flows_using_subflow(flow_id)
            if users:
                names = ", ".join(user.id for user in users)
                raise ApiError(400, f"flow {flow_id!r} is used as a subflow by flow(s) {names}")
            self.repo.remove_flow(flow_id)
            self._save(lambda: self.repo.add_flow(flow))

    def load(self, raw: Any) -> None:
        """Serve the repository of the file at ``raw["path"]`` instead (saved to our file)."""
        path = self._inside(raw)
        try:
            new = load_repository(path)
        except RepositoryError as error:
            raise ApiError(400, str(error)) from None
        with self.lock:
            old, self.repo = self.repo, new
            self._save(lambda: setattr(self, "repo", old))

    def dump(self, raw: Any) -> None:
        """Write the repository to the file at ``raw["path"]`` (in the served file's format)."""
        path = self._inside(raw)
        with self.lock:
            try:
                save_repository(self.repo, path, self.fmt)
            except OSError as exc:
                raise ApiError(400, f"cannot write {raw['path']}: {exc.strerror}") from None

    # -- runs ---------------------------------------------------------------------------

    def run(self, raw: Any) -> list[dict[str, Any]]:
        """Run a flow given as JSON (its end nodes and their ancestors, else every node).

        Nodes run in worker processes, in the served file's folder: one that hangs is killed
        at ``timeout``, one that crashes its process fails alone. The result is the
        original's list of node results.
        """
        with self.lock:
            flow = self._read_flow(raw, RUN_FLOW_ID)
            try:
                plan = plan_run(self.repo, flow)
            except PlanError as error:
                raise ApiError(400, str(error)) from None
        executor = make_executor("process", sandbox=self.sandbox)
        return (
            Scheduler(plan, executor, None, self.timeout, folder=str(self.folder)).run().to_json()
        )

    # -- helpers ------------------------------------------------------------------------

    def _spec(self, spec_id: str) -> NodeSpec:
        spec = self.repo.specs.get(spec_id)
        if spec is None:
            raise ApiError(404, f"no nodespec {spec_id!r}")
        return spec

    def _flow(self, flow_id: str) -> Flow:
        flow = self.repo.flows.get(flow_id)
        if flow is None:
            raise ApiError(404, f"no flow {flow_id!r}")
        return flow

    def _read_flow(self, raw: Any, default_id: str | None) -> Flow:
        if not isinstance(raw, dict):
            raise ApiError(400, "a flow must be a JSON object")
        flow_id = raw.get("id", default_id)
        if not isinstance(flow_id, str) or not flow_id:
            raise ApiError(400, "a flow needs a non-empty string id")
        problems = Problems()
        flow = read_flow(flow_id, {"nodes": [], "links": [], **raw}, self.repo, problems)
        if problems.found or flow is None:
            raise ApiError(400, str(problems.found[0]) if problems.found else "not a flow")
        return flow

    def _inside(self, raw: Any) -> Path:
        """The path ``raw["path"]`` names, relative to the served folder; 403 outside it."""
        if not isinstance(raw, dict) or not isinstance(raw.get("path"), str) or not raw["path"]:
            raise ApiError(400, 'the body must be {"path": "..."}')
        path = (self.folder / raw["path"]).resolve()
        if not path.is_relative_to(self.folder):
            raise ApiError(403, f"only files inside {self.folder} may be read or written")
        if path.is_dir():
            raise ApiError(400, f"{raw['path']} is a folder, not a repository file")
        return path

    def _save(self, undo: Callable[[], Any]) -> None:
        try:
            save_repository(self.repo, self.path, self.fmt)
        except OSError as exc:
            undo()
            raise ApiError(500, f"cannot save {self.path.name}: {exc.strerror}") from None


def _spec_json(spec: NodeSpec) -> dict[str, Any]:
    data = spec_to_dict(spec)
    if "output" not in data["port"]:
        data["port"] = {**data["port"], "output": [{"name": "out"}]}
    return data


def _read_spec(raw: Any, spec_id: str | None) -> NodeSpec:
    if not isinstance(raw, dict):
        raise ApiError(400, "a nodespec must be a JSON object")
    body_id = raw.get("id", spec_id)
    if not isinstance(body_id, str) or not body_id:
        raise ApiError(400, "a nodespec needs a non-empty string id")
    if spec_id is not None and body_id != spec_id:
        raise ApiError(400, f"the body's id {body_id!r} is not the address's {spec_id!r}")
    problems = Problems()
    spec = read_spec(body_id, {**raw, "id": body_id}, problems)
    if problems.found or spec is None:
        raise ApiError(400, str(problems.found[0]) if problems.found else "not a nodespec")
    problem = func_problem(spec.func)
    if problem:
        raise ApiError(400, f"nodespec {body_id!r}: {problem}")
    return spec
