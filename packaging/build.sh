#!/usr/bin/env bash
# Build the desktop bundle and prove it works: a fresh build venv holding the package as the
# README installs it (editable, no development tools) and PyInstaller, the icon drawn from its
# SVG, `pyinstaller build_app.spec`, the bundle's size (at most 250 MB) and what dominates it,
# then the bundle's own --self-test (in a bare environment where the OS allows one): on macOS
# that of the .app, signed ad hoc first, on Windows that of both programs, the windowed one and
# the console one (pyflow-desktop-cli.exe), whose output must show. The same on every OS:
# .github/workflows/bundle.yml runs it on Linux, Windows and macOS.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_MB=250
start=$(date +%s)

python3 -m venv --clear .venv-build
bin=.venv-build/bin; [ -d "$bin" ] || bin=.venv-build/Scripts  # Windows
"$bin/python" -m pip install -q --disable-pip-version-check -e . pyinstaller pillow
QT_QPA_PLATFORM=offscreen "$bin/python" packaging/draw_icon.py build/icon/pyflow-desktop.png
"$bin/pyinstaller" --noconfirm --clean --log-level WARN build_app.spec
echo "built in $(( $(date +%s) - start )) s"

bundle=dist/pyflow-desktop
program=$bundle/pyflow-desktop; [ -e "$program" ] || program=$bundle/pyflow-desktop.exe
size=$(du -sm "$bundle" | cut -f1)
echo "bundle: $bundle, $size MB unpacked (limit $LIMIT_MB MB); the largest parts:"
du -sm "$bundle"/_internal/* | sort -rn | sed -n '1,8s/^/  /p'
[ "$size" -le "$LIMIT_MB" ] || { echo "the bundle is over $LIMIT_MB MB" >&2; exit 1; }

case "$(uname -s)" in
  Linux) env -i "$program" --self-test ;;  # no display, no environment at all
  Darwin)
    app="dist/PyFlow Desktop.app"
    codesign --force --deep -s - "$app"  # ad hoc: Apple silicon runs no unsigned code
    codesign --verify --deep --strict "$app"
    env -i "$app/Contents/MacOS/pyflow-desktop" --self-test ;;
  *)
    "$program" --self-test  # windowed: no output, its exit code says
    console=$bundle/pyflow-desktop-cli.exe
    shown=$("$console" --version)
    [[ $shown == "PyFlow Desktop "* ]] || { echo "$console printed no version" >&2; exit 1; }
    "$console" --self-test ;;
esac
echo "bundle self-test passed; $(( $(date +%s) - start )) s in all"
