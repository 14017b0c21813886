"""``python -m pyflow_desktop`` is the ``pyflow-desktop`` command."""

import sys

from .cli import main

if __name__ == "__main__":  # worker processes may import this module: run nothing then
    sys.exit(main())
