"""The messages a process-executor worker sends its owner, and how the owner reads them safely.

Node code runs in the worker and can reach its connection (through ``gc``), so the owner
treats every byte from a worker as hostile: it never runs ``pickle.loads``, only a restricted
unpickler whose ``find_class`` allows plain data — builtin containers and scalars, a few
value types of the standard library, numpy arrays, dtypes and scalars. Anything else cannot
be built, so unpickling cannot run code in the owner.

A message is a pickled tuple of builtins only (no class at all is allowed in it):
``("partial", node_id, index, value_bytes)`` or ``("done", node_id, fields)`` where ``fields`` holds the ``NodeOutcome``'s fields with its
outputs as bytes. Values travel as separate pickles, so one that the owner may not build
fails its node with a clear reason and the message itself still reads. A message that is
not one of these shapes raises ``ForgedMessage``.
"""

from __future__ import annotations

import io
import pickle
import socket
from typing import Any

from .node_call import NodeOutcome

# (module, name) of every class or function a value may be built with.
VALUE_CLASSES = frozenset(
    [("builtins", name) for name in ("complex", "range", "slice", "frozenset", "set")]
    + [("builtins", name) for name in ("bytearray", "bytes", "dict", "list", "tuple", "str")]
    + [("builtins", name) for name in ("int", "float", "bool")]
    + [("collections", name) for name in ("OrderedDict", "defaultdict", "deque", "Counter")]
    + [("datetime", name) for name in ("date", "time", "datetime", "timedelta", "timezone")]
    + [("decimal", "Decimal"), ("fractions", "Fraction"), ("uuid", "UUID")]
    + [
        (f"numpy.{core}.{module}", name)  # numpy 2 spells it _core, numpy 1 core
        for core in ("_core", "core")
        for module, name in (
            ("multiarray", "_reconstruct"),
            ("multiarray", "scalar"),
            ("numeric", "_frombuffer"),
        )
    ]
    + [("numpy", "ndarray"), ("numpy", "dtype")]
)
_FIELDS = {
    "outputs": bytes,
    "error": (str, type(None)),
    "traceback": str,
    "stdout": str,
    "stderr": str,
    "elapsed": float,
    "error_line": (int, type(None)),
}


def send_at_once(conn) -> None:
    """Turn off Nagle's algorithm on the loopback connection ``conn``: small messages sent
    back to back (a generator's partial values, then ``done``) would otherwise each wait for
    the previous one's delayed acknowledgement (40 ms on Linux)."""
    sock = socket.socket(fileno=conn.fileno())
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    finally:
        sock.detach()  # the connection keeps its descriptor


class ForgedMessage(ValueError):
    """Bytes from a worker that are not a message our worker code sends."""


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(
                f"{module}.{name} is not plain data (a worker process may send back builtin "
                "containers and scalars, datetime, Decimal, Fraction, UUID and numpy arrays)"
            )
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not plain data")


def dump_value(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load_value(data: bytes) -> Any:
    """Unpickle ``data`` allowing only ``VALUE_CLASSES``; raises for anything else."""
    return _Unpickler(data, VALUE_CLASSES).load()


def message_bytes(message: tuple) -> bytes:
    """Encode a worker's message (the worker side): ``("partial", node_id, value, index)`` or
    ``("done", node_id, outcome)``."""
    kind, node_id = message[0], message[1]
    if kind == "partial":
        value, index = message[2], message[3]
        try:
            payload = dump_value(value)
        except Exception as exc:
            payload = dump_value(f"<value cannot be sent: {type(exc).__name__}: {exc}>")
        return dump_value((kind, node_id, index, payload))
    outcome: NodeOutcome = message[2]
    fields = {name: getattr(outcome, name) for name in _FIELDS if name != "outputs"}
    try:
        fields["outputs"] = dump_value(outcome.outputs)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        fields["outputs"] = dump_value({})
        fields["error"] = f"the node's output cannot be sent between processes ({reason})"
    return dump_value((kind, node_id, fields))


def read_message(data: bytes) -> tuple:
    """Decode a worker's message (the owner side) into the executor's report form; raises
    ``ForgedMessage`` if ``data`` is not a message."""
    try:
        message = _Unpickler(data, frozenset()).load()
    except Exception as exc:
        raise ForgedMessage(f"unreadable: {type(exc).__name__}: {exc}") from None
    shape = tuple(type(part) for part in message) if type(message) is tuple else ()
    if shape == (str, str, int, bytes) and message[0] == "partial":
        _, node_id, index, payload = message
        try:
            value = load_value(payload)
        except Exception as exc:
            value = f"<value could not be received: {type(exc).__name__}: {exc}>"
        return ("partial", node_id, value, index)
    if shape == (str, str, dict) and message[0] == "done":
        return ("done", message[1], _outcome(message[1], message[2]))
    raise ForgedMessage(f"not a message: {type(message).__name__} of shape {shape}")


def _outcome(node_id: str, fields: dict) -> NodeOutcome:
    if set(fields) != set(_FIELDS) or not all(
        isinstance(fields[name], kinds) and type(fields[name]) is not bool
        for name, kinds in _FIELDS.items()
    ):
        raise ForgedMessage("an outcome with unknown fields or fields of the wrong type")
    outcome = NodeOutcome(node_id, **{k: v for k, v in fields.items() if k != "outputs"})
    try:
        outputs = load_value(fields["outputs"])
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        outcome.error = f"the node's output could not be received ({reason})"
        return outcome
    if type(outputs) is not dict or not all(type(key) is str for key in outputs):
        raise ForgedMessage("outputs that are not a dict keyed by port name")
    outcome.outputs = outputs
    return outcome
