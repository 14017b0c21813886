"""Errors raised for bad repository files and invalid flows.

Every error names where it happened: the file (when there is one), the JSON path inside it
(``flow["pyflow.sample.math"].nodes[2].spec_id``) and the offending id.
"""

from __future__ import annotations


class RepositoryError(Exception):
    """A problem in a repository file or in a flow; ``str()`` is the full user message."""

    def __init__(self, message: str, *, file: str | None = None, path: str = "", ident: str = ""):
        self.message = message
        self.file = file
        self.path = path
        self.ident = ident
        super().__init__(self._format())

    def _format(self) -> str:
        where = ": ".join(part for part in (self.file, self.path) if part)
        return f"{where}: {self.message}" if where else self.message

    def with_file(self, file: str) -> RepositoryError:
        """Return the same error, now naming ``file``."""
        self.file = file
        self.args = (self._format(),)
        return self

    def __str__(self) -> str:
        return self._format()


class MalformedFileError(RepositoryError):
    """The file is empty, not JSON, or not a repository at all."""


class SchemaError(RepositoryError):
    """A value has the wrong JSON type or a required key is missing."""


class NewerFormatError(RepositoryError):
    """The file was written by a newer PyFlow Desktop."""


class UnknownSpecError(RepositoryError):
    """A node refers to a nodespec the repository does not hold."""


class LinkError(RepositoryError):
    """A link points at a missing node or port."""


class DuplicateLinkError(RepositoryError):
    """Two links feed the same input port."""


class UnknownPortError(RepositoryError):
    """A manual value names a port the node's spec does not have."""


class DuplicateIdError(RepositoryError):
    """Two nodes of one flow share an id."""


class CycleError(RepositoryError):
    """The flow's links form a cycle; ``nodes`` lists the nodes on it in order."""

    def __init__(self, message: str, *, nodes: list[str], **kwargs):
        self.nodes = nodes
        super().__init__(message, **kwargs)


class FuncSourceError(RepositoryError):
    """A nodespec's func does not compile or defines no ``func`` (found by ``check``)."""


class UnknownFlowError(RepositoryError):
    """A flow id that the repository does not hold."""


class SubflowError(RepositoryError):
    """A flow used as a node is used wrongly: it has no interface, its interface names a
    missing node or port or feeds one port twice, or it uses itself (directly or through
    others)."""
