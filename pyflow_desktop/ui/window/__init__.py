"""The application: the ``pyflow-desktop`` window command, the main window shell, its action
groups (files, edits, runs, flow tabs, panels), the Library and the dialogs.

May import every other room of ``ui``; nothing outside ``window`` imports it but ``cli``.
"""
