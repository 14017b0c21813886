"""A flow as a standalone Python script (``pyflow-desktop export-python``). Headless: no Qt.

``script.flow_script(repo, flow)`` returns the script's text and ``script.write_script``
saves it; ``runtime`` is the runner it carries. The command is ``cli.export_python``.
"""
