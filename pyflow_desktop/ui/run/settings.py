"""Run settings: where nodes run (thread, process, dask), how many at once, the per-node
timeout, whether unchanged nodes reuse cached results, how much memory worker processes keep
values in, and whether they run in a sandbox (``engine.sandbox``; the flow's folder writable
or not). Kept in QSettings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from ...engine.sandbox import unavailable

EXECUTOR_CHOICES = (
    ("thread", "Threads in this program (fastest start)"),
    ("process", "Worker processes (isolated: hung or crashing nodes can be stopped)"),
    ("dask", "A Dask cluster (a scheduler address, or a local cluster)"),
)


@dataclass(frozen=True)
class RunSettings:
    executor: str = "process"  # a node that crashes its process fails alone; the window lives
    workers: int = 0  # 0: the executor's default
    timeout: float = 0.0  # seconds; 0: no timeout
    scheduler: str = ""  # dask scheduler address; "": a local cluster
    cache: bool = True
    sandbox: bool = False  # worker processes in a sandbox (the process executor only)
    sandbox_writable: bool = False  # ... which may write in the flow's folder
    memory: int = 0  # MiB of values worker processes keep in memory together; 0: RAM / 4
    max_message: int = 64  # MiB of one message from a worker process at most

    @classmethod
    def load(cls, settings: QtCore.QSettings) -> RunSettings:
        default = cls()

        def read(key, kind, fallback):
            try:
                return kind(settings.value(f"run/{key}", fallback))
            except (TypeError, ValueError):
                return fallback

        executor = read("executor", str, default.executor)
        return cls(
            executor=executor if executor in dict(EXECUTOR_CHOICES) else default.executor,
            workers=max(0, read("workers", int, default.workers)),
            timeout=max(0.0, read("timeout", float, default.timeout)),
            scheduler=read("scheduler", str, default.scheduler),
            cache=read("cache", str, "true").lower() == "true",
            sandbox=read("sandbox", str, "false").lower() == "true",
            sandbox_writable=read("sandbox_writable", str, "false").lower() == "true",
            memory=max(0, read("memory", int, default.memory)),
            max_message=max(1, read("max_message", int, default.max_message)),
        )

    def save(self, settings: QtCore.QSettings) -> None:
        for key, value in (
            ("executor", self.executor),
            ("workers", self.workers),
            ("timeout", self.timeout),
            ("scheduler", self.scheduler),
            ("cache", "true" if self.cache else "false"),
            ("sandbox", "true" if self.sandbox else "false"),
            ("sandbox_writable", "true" if self.sandbox_writable else "false"),
            ("memory", self.memory),
            ("max_message", self.max_message),
        ):
            settings.setValue(f"run/{key}", value)


class RunSettingsDialog(QtWidgets.QDialog):
    """Edits a ``RunSettings``; ``settings()`` gives the result after ``exec()``."""

    def __init__(self, current: RunSettings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run settings")
        form = QtWidgets.QFormLayout(self)
        self.executor = QtWidgets.QComboBox()
        for name, label in EXECUTOR_CHOICES:
            self.executor.addItem(label, name)
        self.executor.setCurrentIndex(
            [name for name, _ in EXECUTOR_CHOICES].index(current.executor)
        )
        self.workers = QtWidgets.QSpinBox()
        self.workers.setRange(0, 256)
        self.workers.setSpecialValueText("automatic")
        self.workers.setValue(current.workers)
        self.timeout = QtWidgets.QDoubleSpinBox()
        self.timeout.setRange(0, 24 * 3600)
        self.timeout.setDecimals(1)
        self.timeout.setSuffix(" s")
        self.timeout.setSpecialValueText("none")
        self.timeout.setValue(current.timeout)
        self.scheduler = QtWidgets.QLineEdit(current.scheduler)
        self.scheduler.setPlaceholderText("tcp://host:8786 — empty: a local cluster")
        self.cache = QtWidgets.QCheckBox("Reuse results of nodes that did not change")
        self.cache.setChecked(current.cache)
        self.memory = _mebibytes(
            0,
            2**20,
            current.memory,
            "Values stay in the worker process that made them. Past this, the least recently "
            "used go to disk (or are made again when needed).",
        )
        self.memory.setSingleStep(256)
        self.memory.setSpecialValueText("a quarter of RAM")
        self.max_message = _mebibytes(
            1,
            4096,
            current.max_message,
            "The most one message from a worker process may take: a node whose result or view "
            "needs more fails saying so, and the window never reads more.",
        )
        form.addRow("Run nodes on", self.executor)
        form.addRow("Nodes at once", self.workers)
        form.addRow("Timeout per node", self.timeout)
        form.addRow("Dask scheduler", self.scheduler)
        form.addRow("Memory for values", self.memory)
        form.addRow("Largest message", self.max_message)
        form.addRow("", self.cache)
        self.sandbox = QtWidgets.QCheckBox(
            "Sandbox: worker processes get no network, read-only files, no home"
        )
        self.sandbox.setChecked(current.sandbox)
        self.sandbox_writable = QtWidgets.QCheckBox("Let nodes write in the flow's folder")
        self.sandbox_writable.setChecked(current.sandbox_writable)
        self.sandbox_note = QtWidgets.QLabel()
        self.sandbox_note.setWordWrap(True)
        form.addRow("", self.sandbox)
        form.addRow("", self.sandbox_writable)
        form.addRow("", self.sandbox_note)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.executor.currentIndexChanged.connect(self._update_enabled)
        self.sandbox.toggled.connect(self._update_enabled)
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.scheduler.setEnabled(self.executor.currentData() == "dask")
        self.memory.setEnabled(self.executor.currentData() == "process")
        self.max_message.setEnabled(self.executor.currentData() == "process")
        if self.sandbox.isChecked():  # workers are what a sandbox confines
            self.executor.setCurrentIndex([name for name, _ in EXECUTOR_CHOICES].index("process"))
        self.executor.setEnabled(not self.sandbox.isChecked())
        self.sandbox_writable.setEnabled(self.sandbox.isChecked())
        reason = unavailable()
        # Never dropped unseen: a sandbox asked for where none runs stays asked, and runs fail.
        self.sandbox.setEnabled(reason is None or self.sandbox.isChecked())
        self.sandbox_note.setText(
            "Runs on worker processes. Code you do not trust can run here without reaching "
            "your files or the network."
            if reason is None
            else f"No sandbox here: {reason}."
            + (
                " Runs fail until this is fixed or Sandbox is off."
                if self.sandbox.isChecked()
                else ""
            )
        )

    def settings(self) -> RunSettings:
        return RunSettings(
            executor=self.executor.currentData(),
            workers=self.workers.value(),
            timeout=self.timeout.value(),
            scheduler=self.scheduler.text().strip(),
            cache=self.cache.isChecked(),
            sandbox=self.sandbox.isChecked(),
            sandbox_writable=self.sandbox_writable.isChecked(),
            memory=self.memory.value(),
            max_message=self.max_message.value(),
        )


def _mebibytes(low: int, high: int, value: int, tip: str) -> QtWidgets.QSpinBox:
    """A spin box of MiB from ``low`` to ``high``, at ``value``, explained by ``tip``."""
    box = QtWidgets.QSpinBox()
    box.setRange(low, high)
    box.setSuffix(" MiB")
    box.setValue(value)
    box.setToolTip(tip)
    return box
