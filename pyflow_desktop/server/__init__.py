"""The original PyFlow's REST API, served by ``pyflow-desktop serve`` (FastAPI + uvicorn).

``store.ServedRepository`` holds the served file's repository: every change is serialized,
made on a copy that must pass the loader's rules, saved atomically to the file and only then
served; runs use the process executor with a per-node timeout.
``app.make_app`` puts the original's routes and shapes on it (JSON errors only, a bearer
token when one is set); ``listening`` binds its socket and holds the token rule. The command
is ``cli.serve``. Headless: no Qt.

Nothing is imported here, so the command line does not pay for FastAPI unless it serves.
"""
