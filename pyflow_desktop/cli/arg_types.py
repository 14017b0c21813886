"""The argument types the commands share: each reads one option and says why it cannot."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sandbox`` and ``--sandbox-writable`` (``run``, ``serve``): ``args.sandbox`` is
    ``None``, ``"read-only"`` or ``"writable"`` (the flow's folder)."""
    parser.add_argument(
        "--sandbox",
        action="store_const",
        const="read-only",
        help="run node code in a sandbox (Linux, the bubblewrap package): no network, the "
        "files read-only, the flow's folder readable, no home, no other processes; "
        "refuses to run where no sandbox is available",
    )
    parser.add_argument(
        "--sandbox-writable",
        dest="sandbox",
        action="store_const",
        const="writable",
        help="--sandbox, letting nodes write in the flow's folder",
    )


def positive_int(text: str) -> int:
    """A whole number of at least 1 (``--workers``)."""
    return _read(text, int, "a whole number", lambda n: n >= 1, "must be at least 1")


def seconds(text: str) -> float:
    """A finite number of seconds more than 0 (``--timeout``)."""
    rule = "must be a number of seconds more than 0"
    return _read(text, float, "a number", lambda n: n > 0 and math.isfinite(n), rule)


def port_number(text: str) -> int:
    """A TCP port, 1 to 65535 (``--port``)."""
    rule = "a port is a number from 1 to 65535"
    return _read(text, int, "a port number", lambda n: 1 <= n <= 65535, rule)


def _read(
    text: str, kind: Callable[[str], Number], noun: str, fits: Callable[[Number], bool], rule: str
) -> Number:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if not fits(value):
        raise argparse.ArgumentTypeError(rule)
    return value
