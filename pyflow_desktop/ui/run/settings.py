"""Run settings: where nodes run (thread, process, dask), how many at once, the per-node
timeout and whether unchanged nodes reuse cached results. Kept in QSettings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

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
        )

    def save(self, settings: QtCore.QSettings) -> None:
        for key, value in (
            ("executor", self.executor),
            ("workers", self.workers),
            ("timeout", self.timeout),
            ("scheduler", self.scheduler),
            ("cache", "true" if self.cache else "false"),
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
        form.addRow("Run nodes on", self.executor)
        form.addRow("Nodes at once", self.workers)
        form.addRow("Timeout per node", self.timeout)
        form.addRow("Dask scheduler", self.scheduler)
        form.addRow("", self.cache)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.executor.currentIndexChanged.connect(self._update_enabled)
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.scheduler.setEnabled(self.executor.currentData() == "dask")

    def settings(self) -> RunSettings:
        return RunSettings(
            executor=self.executor.currentData(),
            workers=self.workers.value(),
            timeout=self.timeout.value(),
            scheduler=self.scheduler.text().strip(),
            cache=self.cache.isChecked(),
        )
