"""``pyflow-desktop export-python FILE [--flow ID] -o OUT.py``: a flow as a standalone script.

The script needs the standard library only and does not import pyflow_desktop; ``python -I
OUT.py`` prints the values ``pyflow-desktop run`` gives on that flow. Exit codes: 0 written,
2 an invalid file, flow or output path (a one-line message, never a traceback).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..export.script import flow_script, write_script
from ..repository import load_repository
from .errors import UsageError
from .exit_codes import ExitCode
from .flows import pick_flow

NAME = "export-python"
HELP = "write a flow as a Python script needing only the standard library"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``export-python``."""
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--flow", metavar="ID", help="the flow (needed when FILE has several)")
    parser.add_argument("-o", dest="output", metavar="OUT.py", required=True)


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``export-python`` and return its exit code (``UsageError``: exit 2)."""
    repo = load_repository(args.file)
    flow_id = pick_flow(repo, args.flow, args.file)
    text = flow_script(repo, flow_id, origin=Path(args.file).name)
    if Path(args.output).is_dir():
        raise UsageError(f"{args.output} is a folder; give the script's file name")
    try:
        write_script(text, args.output)
    except OSError as exc:
        raise UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
    print(f"{args.output}: flow {flow_id} as a script")
    return ExitCode.OK
