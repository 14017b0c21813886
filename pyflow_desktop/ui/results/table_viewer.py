"""The table viewer: a DataFrame, a list of records or a 2-D table, however many rows.

``TableModel`` holds the rows loaded so far of a table the window knows from a view (its
``table``: columns, dtypes, first rows, row count). Qt's view asks for more as the user
scrolls (``canFetchMore``/``fetchMore``): the model asks its ``ValueSource`` for the next
page of ``PAGE`` rows, off the GUI thread, and adds them when they come. Sorting by a column
sorts the whole table where the value is (``views.fetch_data(sort=)``) and starts again from
its first page; until that page comes, the rows shown stay. ``load_all`` loads every row
(the Inspector's and the viewer's "Load full value"). Headers show each column's dtype under
its name, and each row's label (its position, or the DataFrame's index).

State: ``columns``, ``dtypes``, ``rows`` (loaded), ``labels`` (of the loaded rows, or
``None``: their positions), ``row_count``, ``order`` ((column, descending) or ``None``),
``problem`` (why no more rows come), ``_all`` (every row is wanted), ``_asked`` (a
page is out).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from .fetching import Answers, ValueSource
from .view_shapes import table_ok

PAGE = 500
ALL_PAGE = 5_000  # rows a page while every row is loaded
CELL_CHARS = 1_000
_DISPLAY = QtCore.Qt.ItemDataRole.DisplayRole
_ROOT = QtCore.QModelIndex()
_NUMBER_ALIGN = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)[:CELL_CHARS]


class TableModel(QtCore.QAbstractTableModel):
    """Rows of a table fetched page by page (see the module's docstring)."""

    changed = QtCore.Signal()  # rows came, a fetch began or failed: what the bar says moved

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.answers = Answers(self)
        self.source: ValueSource | None = None
        self.columns: list[str] = []
        self.dtypes: list[str] = []
        self.rows: list[list[Any]] = []
        self.labels: list[Any] | None = None
        self.row_count = 0
        self.order: tuple[int, bool] | None = None
        self.problem: str | None = None
        self._all = False
        self._asked = False

    # -- what is shown ------------------------------------------------------------------------

    def set_table(self, table: dict[str, Any] | None, source: ValueSource | None) -> None:
        """Show ``table`` (a view's: its first rows), more of it from ``source`` (``None``:
        none to be had); ``table`` ``None``: its first page is asked for."""
        self.answers.forget()
        self.beginResetModel()
        self.source, self.order, self.problem = source, None, None
        self._all = self._asked = False
        self._take(
            table if table_ok(table) else {"columns": [], "dtypes": [], "rows": [], "row_count": 0}
        )
        self.endResetModel()
        if not table_ok(table) and source is not None:
            self._ask(0, PAGE, None)
        self.changed.emit()

    def _take(self, table: dict[str, Any]) -> None:
        self.columns = [str(name) for name in table.get("columns", [])]
        self.dtypes = [str(kind) for kind in table.get("dtypes", [])]
        self.rows = [list(row) for row in table.get("rows", [])]
        self.labels = list(table["index"]) if "index" in table else None
        self.row_count = int(table.get("row_count", len(self.rows)))

    @property
    def loading(self) -> bool:
        return self._asked

    @property
    def complete(self) -> bool:
        return len(self.rows) >= self.row_count

    # -- Qt's model -----------------------------------------------------------------------------

    def rowCount(self, parent: QtCore.QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QtCore.QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QtCore.QModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        cell = row[index.column()] if index.column() < len(row) else None
        if role in (_DISPLAY, QtCore.Qt.ItemDataRole.ToolTipRole):
            return _text(cell)
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole:
            number = isinstance(cell, (int, float)) and not isinstance(cell, bool)
            return int(_NUMBER_ALIGN) if number else None
        return None

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation, role: int = _DISPLAY):
        if orientation == QtCore.Qt.Orientation.Horizontal:
            if section >= len(self.columns):
                return None
            dtype = self.dtypes[section] if section < len(self.dtypes) else ""
            if role == _DISPLAY:
                return f"{self.columns[section]}\n{dtype}" if dtype else self.columns[section]
            if role == QtCore.Qt.ItemDataRole.ToolTipRole:
                return f"{self.columns[section]} ({dtype}): click to sort"
            return None
        if role != _DISPLAY or section >= len(self.rows):
            return None
        if self.labels is not None:
            return _text(self.labels[section]) if section < len(self.labels) else ""
        return str(section)

    def canFetchMore(self, parent: QtCore.QModelIndex = _ROOT) -> bool:
        return (
            not parent.isValid()
            and self.source is not None
            and not self.complete
            and not self.loading
            and self.problem is None
            and not self.source.waiting()
        )

    def fetchMore(self, parent: QtCore.QModelIndex = _ROOT) -> None:
        if self.canFetchMore(parent):
            self._ask(len(self.rows), ALL_PAGE if self._all else PAGE, self.order)

    def sort(self, column: int, order: QtCore.Qt.SortOrder = QtCore.Qt.SortOrder.AscendingOrder):
        """Sort the whole table by ``column`` (where the value is), from its first page."""
        if self.source is None or not 0 <= column < len(self.columns):
            return
        self.order = (column, order == QtCore.Qt.SortOrder.DescendingOrder)
        self.answers.forget()
        self.problem = None
        self._ask(0, ALL_PAGE if self._all else PAGE, self.order)

    def load_all(self) -> None:
        """Load every row, page after page."""
        self._all = True
        self.fetchMore()

    # -- pages ----------------------------------------------------------------------------------

    def _ask(self, start: int, count: int, order: tuple[int, bool] | None) -> None:
        self._asked = True
        sort = {} if order is None else {"sort": order[0], "descending": order[1]}
        self.answers.ask(
            self.source,
            "rows",
            lambda page, why: self._page(page, why, start, order),
            start=start,
            count=count,
            **sort,
        )
        self.changed.emit()

    def _page(self, page: dict | None, why: str | None, start: int, order) -> None:
        if order != self.order:  # an answer for an order no longer shown
            return
        self._asked = False
        if not table_ok(page):
            self.problem = why or "this value has no rows"
        elif start == 0:  # a new order's first rows: they replace what was shown
            self.beginResetModel()
            self._take(page)
            self.endResetModel()
        elif start == len(self.rows):
            rows = [list(row) for row in page.get("rows", [])]
            if rows:
                self.beginInsertRows(QtCore.QModelIndex(), start, start + len(rows) - 1)
                self.rows.extend(rows)
                if self.labels is not None:
                    self.labels.extend(page.get("index", range(start, start + len(rows))))
                elif "index" in page:
                    self.labels = [*range(start), *page["index"]]
                self.endInsertRows()
            else:  # the table is shorter than it said: no more to ask
                self.row_count = len(self.rows)
        self.changed.emit()
        if self._all and self.canFetchMore():
            self.fetchMore()


class TableViewer(QtWidgets.QTableView):
    """A table (see the module's docstring), sortable by clicking a column's header."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = TableModel(self)
        self.setModel(self.model_)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setSortIndicator(-1, QtCore.Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.verticalHeader().setDefaultAlignment(_NUMBER_ALIGN)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)  # dense
        self._label_chars = 1  # the longest row label so far, in characters
        self.model_.modelReset.connect(self._reset)
        self.model_.rowsInserted.connect(lambda _parent, first, last: self._fit_labels(first))

    def set_values(self, value: Any) -> None:
        """A table the window holds whole (a list of records, JSON data)."""
        source = ValueSource.whole(value)
        self.show_table(None, source)

    def show_table(self, table: dict[str, Any] | None, source: ValueSource | None) -> None:
        """A view's ``table`` (``None``: asked of ``source``), more rows from ``source``."""
        self.horizontalHeader().setSortIndicator(-1, QtCore.Qt.SortOrder.AscendingOrder)
        self.model_.set_table(table, source)

    def _reset(self) -> None:
        """New rows from the top (a new table, or a new order): shown from the top; a new
        table's columns fit to its first rows (a new order keeps the widths)."""
        self._label_chars = 1
        self._fit_labels(0)
        if self.model_.order is None:
            self._fit_columns()
        self.scrollToTop()

    def _fit_labels(self, first: int) -> None:
        """Widen the row labels' column to the longest label so far (Qt measures a sample)."""
        model = self.model_
        labels = model.labels[first:] if model.labels is not None else [len(model.rows) - 1]
        longest = max((len(_text(label)) for label in labels), default=1)
        if longest > self._label_chars:
            self._label_chars = longest
        width = self.fontMetrics().horizontalAdvance("0" * self._label_chars) + 12
        self.verticalHeader().setMinimumWidth(min(width, 300))

    def _fit_columns(self) -> None:
        if self.model_.rows:
            self.resizeColumnsToContents()
            for column in range(self.model_.columnCount()):
                self.setColumnWidth(column, min(self.columnWidth(column), 400))


def table_note(model: TableModel) -> str:
    """What the viewer's bar says of its table: rows, columns, how many are loaded."""
    if not model.columns and model.loading:
        return "loading rows…"
    text = f"{model.row_count:,} rows × {len(model.columns)} columns"
    if not model.complete:
        text += f" · {len(model.rows):,} loaded (scroll for more)"
    if model.order is not None:
        column, descending = model.order
        text += f" · sorted by {model.columns[column]} {'↓' if descending else '↑'}"
    if model.loading:
        text += " · loading…"
    return text
