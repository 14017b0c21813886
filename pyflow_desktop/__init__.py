"""PyFlow Desktop: build flows of small Python functions, run them, see results live.

The scripting API::

    from pyflow_desktop import load_repository, run_flow
    repo = load_repository("examples.json")
    result = run_flow(repo, "examples.math", on_event=print)
    result.output("node_id")
"""

from .engine import RunResult, run_flow
from .repository import Repository, load_repository, save_repository

__all__ = ["Repository", "RunResult", "load_repository", "run_flow", "save_repository"]
__version__ = "0.1.0"
