"""The repository a server serves: reads, changes saved atomically, runs, dumps and loads.

State: ``repo`` (the model, replaced whole by ``load``), ``lock`` (held by every read and
every change with its save, so concurrent requests never see or write half a change),
``path``/``folder``/``fmt`` (the served file, the folder ``dump``/``load`` may touch, the
file's format, kept on save) and ``timeout`` (seconds a node of ``run`` may take).

A change is all or nothing: it is made on a copy, whose file must pass the loader's own
rules (``parse_text``: depth, NaN and infinities, lone surrogates, duplicate keys, sizes, ids,
references) before it is saved and served, so the file always opens again and memory and
file never disagree. ``dump`` and ``load`` open their path through the served folder held
open, never following a symbolic link (``repository.folder``). Every failure is an
``ApiError`` with an HTTP status and a one-line message.
"""

from __future__ import annotations

import errno
import os
import reprlib
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..engine import PlanError, Scheduler, make_executor, plan_run
from ..engine.sandbox import Sandbox
from ..repository import (
    Flow,
    NodeSpec,
    Repository,
    RepositoryError,
    dump_repository,
    flow_problems,
    folder,
    func_problem,
    load_repository,
    parse_text,
    subflow_cycles,
)
from ..repository.file_format import file_format
from ..repository.file_text import check_size, max_file_bytes, read_text_in
from ..repository.flow_reader import read_flow
from ..repository.merge import put_specs
from ..repository.problems import Problems
from ..repository.spec_reader import read_spec
from ..repository.writer import flow_to_dict, spec_to_dict, write_atomically, write_in_folder

DEFAULT_TIMEOUT = 60.0
RUN_FLOW_ID = "runflow"


class ApiError(Exception):
    """A request that cannot be served: ``status`` is the HTTP status, ``str()`` the reason,
    ``path`` the JSON path of the offending value when there is one."""

    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.path = path


def _refused(problem: RepositoryError) -> ApiError:
    """A 400 for a value the loader refuses: its message, naming its JSON path."""
    return ApiError(400, str(problem), problem.path)


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
            return _spec_json(_spec(self.repo, spec_id))

    def flows(self) -> list[dict[str, Any]]:
        with self.lock:
            return [flow_to_dict(flow) for flow in self.repo.flows.values()]

    def flow(self, flow_id: str) -> dict[str, Any]:
        with self.lock:
            return flow_to_dict(_flow(self.repo, flow_id))

    # -- changes: all or nothing ---------------------------------------------------------

    def put_spec(self, raw: Any, spec_id: str | None = None) -> None:
        """Add a nodespec, or replace the one of the same id (``spec_id``: the URL's id)."""
        spec = _read_spec(raw, spec_id)

        def apply(repo: Repository) -> None:
            try:
                put_specs(repo, [spec])
            except RepositoryError as error:
                raise ApiError(400, str(error)) from None

        self._change(apply)

    def delete_spec(self, spec_id: str) -> None:
        def apply(repo: Repository) -> None:
            _spec(repo, spec_id)
            users = repo.flows_using(spec_id)
            if users:
                names = ", ".join(flow.id for flow in users)
                raise ApiError(400, f"nodespec {spec_id!r} is used by flow(s) {names}")
            repo.remove_spec(spec_id)

        self._change(apply)

    def put_flow(self, raw: Any) -> None:
        """Add a flow, or replace the one of the same id."""

        def apply(repo: Repository) -> None:
            flow = _read_flow(raw, None, repo)
            if flow.id in repo.flows:
                repo.remove_flow(flow.id)
            repo.add_flow(flow)
            broken = [
                *(
                    problem
                    for user in repo.flows_using_subflow(flow.id)
                    for problem in flow_problems(user, repo.specs, flows=repo.flows)
                ),
                *subflow_cycles(repo.flows),
            ]
            if broken:
                raise ApiError(400, f"the flow would break a flow using it: {broken[0]}")

        self._change(apply)

    def delete_flow(self, flow_id: str) -> None:
        def apply(repo: Repository) -> None:
            _flow(repo, flow_id)
            users = repo.flows_using_subflow(flow_id)
            if users:
                names = ", ".join(user.id for user in users)
                raise ApiError(400, f"flow {flow_id!r} is used as a subflow by flow(s) {names}")
            repo.remove_flow(flow_id)

        self._change(apply)

    def load(self, raw: Any) -> None:
        """Serve the repository of the file at ``raw["path"]`` instead (saved to our file)."""
        text = self._read_inside(raw)
        new, problems = parse_text(text)
        if problems:
            raise _refused(problems[0].with_file(raw["path"]))
        with self.lock:
            self.repo = self._save(new)

    def dump(self, raw: Any) -> None:
        """Write the repository to the file at ``raw["path"]`` (in the served file's format)."""
        with self.lock:
            text = dump_repository(self.repo, self.fmt)
        self._write_inside(raw, text.encode("utf-8"))

    # -- runs ---------------------------------------------------------------------------

    def run(self, raw: Any) -> list[dict[str, Any]]:
        """Run a flow given as JSON (its end nodes and their ancestors, else every node).

        Nodes run in worker processes, in the served file's folder: one that hangs is killed
        at ``timeout``, one that crashes its process fails alone. The result is the
        original's list of node results.
        """
        with self.lock:
            flow = _read_flow(raw, RUN_FLOW_ID, self.repo)
            try:
                plan = plan_run(self.repo, flow)
            except PlanError as error:
                raise ApiError(400, str(error)) from None
        executor = make_executor("process", sandbox=self.sandbox)
        return (
            Scheduler(plan, executor, None, self.timeout, folder=str(self.folder)).run().to_json()
        )

    # -- helpers ------------------------------------------------------------------------

    def _change(self, apply: Callable[[Repository], None]) -> None:
        """Apply a change to a copy of the served repository, save the copy and only then
        serve it: a change refused anywhere (``ApiError``) leaves memory and file as they
        were."""
        with self.lock:
            candidate = Repository()
            with candidate.events.muted():  # changes replace whole specs and flows: shallow
                candidate.specs, candidate.flows = dict(self.repo.specs), dict(self.repo.flows)
                candidate.extra = self.repo.extra
                apply(candidate)
            self.repo = self._save(candidate)

    def _save(self, repo: Repository) -> Repository:
        """Save ``repo`` when its file passes the loader's own rules (400 naming the first
        problem and its JSON path if not); returns the repository read back from that file,
        so what is served is what the file holds."""
        try:
            text = dump_repository(repo, self.fmt)
        except RepositoryError as error:  # NaN, an infinity, a lone surrogate
            raise _refused(error) from None
        data = text.encode("utf-8")
        try:
            check_size(len(data), max_file_bytes(), self.path.name)
        except RepositoryError as error:
            raise _refused(error) from None
        saved, problems = parse_text(text)
        if problems:
            raise _refused(problems[0])
        try:
            write_atomically(self.path, [data], backup=True)
        except OSError as exc:
            raise ApiError(500, f"cannot save {self.path.name}: {exc.strerror}") from None
        return saved

    def _read_inside(self, raw: Any) -> str:
        """The text of the file ``raw["path"]`` names in the served folder."""
        relative = _path_of(raw)
        with self._inside(relative, "read") as (place, name):
            try:
                if stat.S_ISLNK(place.stat(name).st_mode):  # (the read would refuse it too)
                    raise _path_error(relative, OSError(errno.ELOOP, "is a symbolic link"), "read")
            except FileNotFoundError:
                pass  # said as the read says it
            try:
                return read_text_in(place, name, relative)
            except RepositoryError as error:
                raise ApiError(400, str(error)) from None

    def _write_inside(self, raw: Any, data: bytes) -> None:
        """Write ``data`` atomically to the file ``raw["path"]`` names in the served folder."""
        relative = _path_of(raw)
        with self._inside(relative, "write") as (place, name):
            try:
                write_in_folder(place, name, [data], backup=True)
            except OSError as exc:
                raise _path_error(relative, exc, "write") from None

    @contextmanager
    def _inside(self, relative: str, verb: str) -> Iterator[tuple[folder.Folder, str]]:
        """The open folder holding ``relative`` in the served folder, and the file's name;
        403 for a path that leaves the folder or goes through a symbolic link."""
        try:
            with folder.opened(self.folder) as root, folder.inside(root, relative) as found:
                yield found
        except ValueError as exc:  # a NUL byte
            raise ApiError(400, f"{reprlib.repr(relative)}: {exc}") from None
        except OSError as exc:
            raise _path_error(relative, exc, verb) from None


def _path_of(raw: Any) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str) or not raw["path"]:
        raise ApiError(400, 'the body must be {"path": "..."}')
    return raw["path"]


def _path_error(relative: str, exc: OSError, verb: str) -> ApiError:
    shown = reprlib.repr(relative)  # a path may be thousands of characters long
    if isinstance(exc, folder.OutsideError) or exc.errno == errno.ELOOP:
        return ApiError(
            403,
            f"{shown}: {exc.strerror}: only files inside the served folder may be read "
            "or written",
        )
    return ApiError(400, f"cannot {verb} {shown}: {exc.strerror}")


def _spec(repo: Repository, spec_id: str) -> NodeSpec:
    spec = repo.specs.get(spec_id)
    if spec is None:
        raise ApiError(404, f"no nodespec {spec_id!r}")
    return spec


def _flow(repo: Repository, flow_id: str) -> Flow:
    flow = repo.flows.get(flow_id)
    if flow is None:
        raise ApiError(404, f"no flow {flow_id!r}")
    return flow


def _read_flow(raw: Any, default_id: str | None, repo: Repository) -> Flow:
    if not isinstance(raw, dict):
        raise ApiError(400, "a flow must be a JSON object")
    flow_id = raw.get("id", default_id)
    if not isinstance(flow_id, str) or not flow_id:
        raise ApiError(400, "a flow needs a non-empty string id")
    problems = Problems()
    flow = read_flow(flow_id, {"nodes": [], "links": [], **raw}, repo, problems)
    if problems.found or flow is None:
        raise _refused(problems.found[0]) if problems.found else ApiError(400, "not a flow")
    return flow


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
        raise _refused(problems.found[0]) if problems.found else ApiError(400, "not a nodespec")
    problem = func_problem(spec.func)
    if problem:
        raise ApiError(400, f"nodespec {body_id!r}: {problem}")
    return spec
