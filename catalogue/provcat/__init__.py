"""provcat: an archival provenance catalogue."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provcat")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
