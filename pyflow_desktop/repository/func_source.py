"""Compiling a nodespec's ``func`` source, as loading, checking and running all do.

Standard library only: an exported script (``pyflow-desktop export-python``) carries this
module's source, so it compiles node code exactly as a run does.
"""

from __future__ import annotations

import re
from types import CodeType

FUNC_NAME = "func"
_LEADING_WS = re.compile(r"^[ \t]+", re.MULTILINE)


class SourceTooComplexError(SyntaxError):
    """Python gave up compiling the source (nesting beyond its parser's or compiler's limits,
    as with 200,000 unary minus signs); no edit of ordinary code leads there."""


def compile_source(source: str, filename: str = "<nodespec>") -> CodeType:
    """Compile a func source without running it; raises the ``SyntaxError`` if it has one.

    Sources the original saved with Python 2 tab indentation are retried with leading tabs
    expanded to 8 columns, which is how Python 2 read them. A source Python cannot compile
    for its complexity raises ``SourceTooComplexError``; one with a NUL character, a
    ``SyntaxError`` on that line.
    """
    try:
        return _compile(source, filename)
    except (TabError, IndentationError) as first:
        expanded = _LEADING_WS.sub(lambda match: match.group(0).expandtabs(8), source)
        try:
            return _compile(expanded, filename)
        except SyntaxError:
            raise first from None


def _compile(source: str, filename: str) -> CodeType:
    try:
        return compile(source, filename, "exec", dont_inherit=True)
    except (MemoryError, RecursionError):
        raise SourceTooComplexError(
            "too deeply nested for Python to compile", (filename, 1, 1, "")
        ) from None
    except ValueError:  # Python 3.11 says "source code string cannot contain null bytes"
        line = source.count("\n", 0, source.index("\0")) + 1
        raise SyntaxError("a NUL character in the source", (filename, line, 1, "")) from None


def syntax_message(exc: SyntaxError) -> str:
    """How a func's syntax error is told to the user."""
    if isinstance(exc, SourceTooComplexError):
        return f"func is {exc.msg}"
    return f"syntax error in func, line {exc.lineno}: {exc.msg}"
