"""The parser of ``pyflow-desktop`` and its commands, in the order ``--help`` lists them.

Each command module names its command (``NAME``, ``HELP``), adds its arguments
(``add_arguments``) and carries it out (``run(args)``, returning an exit code); each
sub-parser points at its ``run`` with ``set_defaults(func=...)``. The program's own flags
(``program``) set ``func`` too.
"""

from __future__ import annotations

import argparse

from . import (
    check,
    convert,
    export_python,
    import_py,
    library,
    program,
    run,
    serve,
    test_spec,
)

MODULES = (run, check, convert, test_spec, import_py, serve, export_python, library)
COMMANDS = tuple(module.NAME for module in MODULES)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command in ``argv`` (or the program's own flag), with ``func`` to carry it out.

    A command's arguments are read by that command's parser, so a mistake in them shows its
    usage (``usage: pyflow-desktop run ...``), not the whole program's."""
    parser, commands = _parsers()
    if argv and argv[0] in commands:
        return commands[argv[0]].parse_args(argv[1:])
    return parser.parse_args(argv)


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The program's parser and each command's, by name."""
    parser = argparse.ArgumentParser(
        prog="pyflow-desktop",
        description="Build and run flows of Python functions. Without a command, opens the "
        "desktop window: pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]",
    )
    program.add_arguments(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = {}
    for module in MODULES:
        command = subparsers.add_parser(module.NAME, help=module.HELP)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
        commands[module.NAME] = command
    return parser, commands
