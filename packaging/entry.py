"""The bundle's program: the ``pyflow-desktop`` command (and, with ``--pyflow-worker``, a node
worker process of its own)."""

import sys

from pyflow_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
