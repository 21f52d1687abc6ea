"""The layout editor's pure part: the document it edits (plain JSON data beside its original text), the
operations on it, placing widgets on the wall, and reading and saving the file. No Qt here."""
