"""Showing what a run produced: the Inspector and the viewers (text, tree, table, plots).

Imports ``repository``, ``engine`` (run events) and the loose ``ui`` modules; never ``window``.
"""
