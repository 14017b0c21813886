"""The NodeGraphQt binding: the canvas graph, its node items and inline editors, the bridge
that keeps a canvas and a flow in step, and the Tab search.

Imports ``repository``, ``engine`` (run events) and the loose ``ui`` modules; never ``window``.
"""
