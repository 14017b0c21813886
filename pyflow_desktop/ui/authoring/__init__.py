"""Writing nodespecs: the spec editor with its code editor, ports table and Test form, and
the undo commands for saving and deleting specs.

Imports ``repository``, ``engine``, ``spec_test``, ``canvas`` (typed fields) and the loose
``ui`` modules; never ``window``.
"""
