"""Draw the application's icon (its SVG) as the PNG that PyInstaller turns into the Windows
and macOS icons: ``python packaging/draw_icon.py OUT.png [SIZE]``."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtGui, QtSvg  # noqa: E402

from pyflow_desktop.resources import APP_ICON, resource_path  # noqa: E402


def main() -> int:
    out, size = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 512
    app = QtGui.QGuiApplication([])
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QtGui.QPainter(image)
    QtSvg.QSvgRenderer(str(resource_path(APP_ICON))).render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = image.save(str(out))
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
