"""Driving the engine from Qt: the run controller (a run off the GUI thread, its events in
batches) and the run settings with their dialog.

Imports ``repository`` and ``engine``; never ``window``.
"""
