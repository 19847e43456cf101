"""provcat: an archival provenance catalogue."""

#: The release, also the distribution's version (pyproject.toml reads it from here). A literal, not
#: importlib.metadata: every command, verification included, imports this package first.
__version__ = "0.1.0"
