"""Everything Qt: the desktop application, in rooms by purpose.

``window`` (the application, the main window and its actions) may import every room;
``canvas``, ``authoring``, ``results`` and ``run`` never import ``window``. The loose modules
(``commands``, ``value_text``) serve all rooms and import none of them.
"""
