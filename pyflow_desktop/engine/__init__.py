"""Planning and running flows — pure Python, no Qt.

``run_flow(repo, flow_id)`` plans a flow, runs it on an executor and returns a ``RunResult``;
pass ``on_event`` to receive typed events (``NodeStarted``, ``NodeFinished``...) as they happen.
"""

from __future__ import annotations

from .batches import EventBatcher
from .cache import ResultCache, node_key, plan_keys
from .call_convention import NodeCodeError
from .events import (
    EVENT_TYPES,
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    RunEvent,
    RunFinished,
)
from .executor import Executor
from .executors import EXECUTORS, make_executor
from .jsonable import to_jsonable
from .node_call import NodeOutcome, NodeTask, execute_node, failing_line
from .node_state import NodeState
from .plan import Plan, PlanError, Targets, end_nodes, plan_run
from .result import STATUSES, RunResult
from .run import run_flow
from .run_state import RunChange, RunState, RunStates
from .scheduler import Scheduler
from .thread_executor import ThreadExecutor

__all__ = [
    "EVENT_TYPES",
    "EXECUTORS",
    "EventBatcher",
    "STATUSES",
    "Executor",
    "NodeCached",
    "NodeCancelled",
    "NodeCodeError",
    "NodeFailed",
    "NodeFinished",
    "NodeOutcome",
    "NodeOutput",
    "NodeQueued",
    "NodeSkipped",
    "NodeStarted",
    "NodeState",
    "NodeTask",
    "Plan",
    "PlanError",
    "RunChange",
    "RunEvent",
    "RunFinished",
    "ResultCache",
    "RunResult",
    "RunState",
    "RunStates",
    "Scheduler",
    "Targets",
    "ThreadExecutor",
    "end_nodes",
    "execute_node",
    "failing_line",
    "make_executor",
    "node_key",
    "plan_keys",
    "plan_run",
    "run_flow",
    "to_jsonable",
]
