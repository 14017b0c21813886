"""The original PyFlow's routes and shapes on FastAPI; ``/docs`` documents them.

Bodies are JSON, or a form whose field ``data`` holds the JSON (what the original's web page
sent), read as strictly as a repository file (``json_text``). Every error is JSON
``{"error": "..."}`` (with ``"path"``, the JSON path of a refused value) and its status (400 a
bad body or path, 401 no, a wrong or a malformed token, 403 a path outside the served folder,
404 an unknown id or route), never an HTML page or a traceback. With a token, every route but the docs needs
``Authorization: Bearer TOKEN``. Handlers hand the work to ``ServedRepository`` on a thread,
so requests are served concurrently while its lock serializes changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..repository import PORT_TYPES, MalformedFileError
from ..repository.json_text import parse_json
from .store import ApiError, ServedRepository
from .tree import nodes_tree

OPEN_PATHS = ("/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def make_app(store: ServedRepository, token: str | None = None) -> FastAPI:
    """The API over ``store``; with ``token``, requests must carry it as a bearer token."""
    app = FastAPI(
        title="PyFlow Desktop",
        description="The original PyFlow's REST API over one repository file. Changes are "
        "saved to the file; runflow runs nodes in worker processes with a timeout per node.",
    )

    @app.middleware("http")
    async def require_token(request: Request, call_next: Callable):
        sent = request.headers.get("authorization", "")
        guarded = token is not None and request.url.path not in OPEN_PATHS
        if guarded and not bearer_matches(sent, token or ""):
            return error(401, "this server needs the header Authorization: Bearer TOKEN")
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError):
        return error(exc.status, str(exc), exc.path)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException):
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        return error(400, "; ".join(str(item.get("msg", item)) for item in exc.errors()))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception):  # a bug: still JSON, no traceback
        return error(500, f"internal error: {type(exc).__name__}: {exc}")

    @app.get("/nodestree", summary="The nodespecs as a tree split on the dots of their ids")
    async def get_nodes_tree():
        return nodes_tree(await run_in_threadpool(store.specs))

    @app.get("/nodes", summary="Every nodespec by id (a missing output filled in as `out`)")
    async def get_nodes():
        return await run_in_threadpool(store.specs)

    @app.post("/nodes", summary="Add a nodespec (or replace the one of its id); echoes it")
    async def post_node(request: Request):
        spec = await body(request)
        await run_in_threadpool(store.put_spec, spec)
        return spec

    @app.get("/nodes/{spec_id}", summary="One nodespec")
    async def get_node(spec_id: str):
        return await run_in_threadpool(store.spec, spec_id)

    @app.put("/nodes/{spec_id}", summary="Replace (or add) the nodespec of this id; echoes it")
    async def put_node(spec_id: str, request: Request):
        spec = await body(request)
        await run_in_threadpool(store.put_spec, spec, spec_id)
        return spec

    @app.delete("/nodes/{spec_id}", summary="Delete a nodespec no flow uses")
    async def delete_node(spec_id: str):
        await run_in_threadpool(store.delete_spec, spec_id)
        return {"success": True}

    @app.get("/flows", summary="Every flow, as a list")
    async def get_flows():
        return await run_in_threadpool(store.flows)

    @app.post("/flows", summary="Add a flow (or replace the one of its id); echoes it")
    async def post_flow(request: Request):
        flow = await body(request)
        await run_in_threadpool(store.put_flow, flow)
        return flow

    @app.get("/flows/{flow_id}", summary="One flow")
    async def get_flow(flow_id: str):
        return await run_in_threadpool(store.flow, flow_id)

    @app.delete("/flows/{flow_id}", summary="Delete a flow")
    async def delete_flow(flow_id: str):
        await run_in_threadpool(store.delete_flow, flow_id)
        return {"success": True}

    @app.post("/runflow", summary="Run a flow given as JSON; the result of each planned node")
    async def run_flow(request: Request):
        return await run_in_threadpool(store.run, await body(request))

    @app.post("/dumprepo", summary='Write the repository to {"path"} (in the served folder)')
    async def dump_repo(request: Request):
        data = await body(request)
        await run_in_threadpool(store.dump, data)
        return data

    @app.post("/loadrepo", summary='Serve the repository of {"path"} (in the served folder)')
    async def load_repo(request: Request):
        data = await body(request)
        await run_in_threadpool(store.load, data)
        return data

    @app.get("/ports/types", summary="The port types, the original seven first")
    async def port_types():
        return {"types": list(PORT_TYPES)}

    return app


def error(status: int, message: str, path: str = "") -> JSONResponse:
    """``{"error": message}``, with ``"path"`` the JSON path of the offending value if any."""
    return JSONResponse({"error": message, **({"path": path} if path else {})}, status_code=status)


def bearer_matches(sent: str, token: str) -> bool:
    """Whether the Authorization header ``sent`` is ``Bearer <token>``, compared in constant
    time as bytes (the header arrives as Latin-1 text; any character may be in it)."""
    scheme, _, value = sent.partition(" ")
    given = value.strip().encode("latin-1", errors="replace")
    return scheme.lower() == "bearer" and secrets.compare_digest(given, token.encode("utf-8"))


async def body(request: Request) -> Any:
    """The request's JSON: the body itself, or the form field ``data`` holding it."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()  # read first: the form parser then reuses it
    if kind in FORMS:
        try:
            form = await request.form()
        except Exception as exc:  # a malformed multipart body
            raise ApiError(400, f"cannot read the form: {exc}") from None
        text = form.get("data")
        if not isinstance(text, str) and kind == FORMS[0]:  # JSON sent as a form (curl -d)
            text = raw.decode("utf-8", errors="replace")
            if not text.lstrip().startswith(("{", "[")):
                text = None
        if not isinstance(text, str):
            raise ApiError(400, "the form has no field `data` holding the JSON")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiError(400, "the body is not UTF-8 text") from None
    if not text.strip():
        raise ApiError(400, "the body is empty; send JSON")
    value, problems = parse_json(text)  # as strict as a file: no NaN, no key twice...
    if problems:
        problem = problems[0]
        if isinstance(problem, MalformedFileError):
            raise ApiError(400, f"the body is {problem.message}")
        raise ApiError(400, f"the body, at {problem.path}: {problem.message}", problem.path)
    return value
