"""``python -m pyflow_desktop`` is the ``pyflow-desktop`` command."""

import sys

from .cli import main

sys.exit(main())
