"""A flow as a standalone Python script (``pyflow-desktop export-python``). Headless: no Qt.

``script.flow_script(repo, flow)`` returns the script's text; ``runtime`` is the runner it
carries; ``command`` is the ``export-python`` command.
"""
