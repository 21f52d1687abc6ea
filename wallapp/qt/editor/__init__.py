"""The layout editor's window (``wallapp edit``): the wall to scale, arranging, undo, files."""
