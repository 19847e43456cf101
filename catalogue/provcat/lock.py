"""One writer at a time: an advisory lock beside the catalogue, held by every build and verification.

A build copies the fixity history of the previous catalogue and then replaces the file; a
verification appends its events to the file. Without a lock, a verification that runs while a build
is under way records its events in a file that the build is about to replace, and they are lost;
of two builds at once, one loses the other's record. So both take the lock ``<catalogue>.lock``
(an ``flock`` on a file next to the catalogue) for as long as they write. The lock file holds the
holder's process id, host, start time and command, so whoever finds it taken is told who holds it.

The lock is released by the operating system when its holder ends, however it ends: a killed build
never leaves a stale lock. ``flock`` works between processes of one machine (containers included,
when they share the folder) and, on Linux, across machines on NFS, where it is carried by the NFS
lock manager.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from .errors import ProvcatError

#: The first line of every lock file provcat writes: a file of that name without it is not ours.
SIGNATURE = "provcat catalogue lock"
#: A lock file larger than this was not written by provcat.
MAX_LOCK_BYTES = 4096
POLL_SECONDS = 0.25


def lock_file_for(db: Path) -> Path:
    """``catalogue.db`` -> ``catalogue.db.lock``, next to the catalogue."""
    return db.with_name(f"{db.name}.lock")


def describe_holder(text: str) -> str:
    """"provcat build (pid 12, host h, since …)" from a lock file's text; "another provcat process" when
    the file says nothing (its holder has only just taken it)."""
    fields = dict(line.split(": ", 1) for line in text.splitlines()[1:] if ": " in line)
    if not fields.get("pid"):
        return "another provcat process"
    command = fields.get("command", "command")
    return (f"provcat {command} (pid {fields.get('pid')}, host {fields.get('host', '?')}, "
            f"since {fields.get('started', '?')})")


class CatalogueLock:
    """The writer's lock of one catalogue, as a context manager.

    ``wait`` False: a lock held by another process is refused at once with a one-line error naming
    the holder. ``wait`` True: wait for it, telling ``on_wait`` once who is being waited for."""

    def __init__(self, db: Path, command: str, wait: bool = False,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.path = lock_file_for(db)
        self.command = command
        self.wait = wait
        self.on_wait = on_wait
        self.fd: int | None = None

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ProvcatError(self.path, "is a symbolic link, not provcat's lock file: refused") from exc
            if not self.path.exists():
                raise ProvcatError(self.db.parent, f"the catalogue cannot be written in this folder (its lock file "
                                                   f"cannot be made: {exc.strerror or exc})") from exc
            raise ProvcatError(self.path, f"the catalogue's lock file cannot be opened: {exc.strerror or exc}") \
                from exc
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_LOCK_BYTES or (
                info.st_size and os.pread(fd, len(SIGNATURE), 0).decode("utf-8", "replace") != SIGNATURE):
            os.close(fd)
            raise ProvcatError(self.path, "exists and is not provcat's lock file: move it away, it is not "
                                          "provcat's to change")
        return fd

    def __enter__(self) -> CatalogueLock:
        fd = self._open()
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = describe_holder(os.pread(fd, MAX_LOCK_BYTES, 0).decode("utf-8", "replace"))
                    if not self.wait:
                        raise ProvcatError(self.db, f"is being written by {holder}; try again when it has "
                                                    "finished, or use --wait") from None
                    if not told and self.on_wait is not None:
                        self.on_wait(f"waiting for {holder} to finish with {self.db}")
                        told = True
                    time.sleep(POLL_SECONDS)
            os.ftruncate(fd, 0)
            started = datetime.now(UTC).isoformat(timespec="seconds")
            os.pwrite(fd, (f"{SIGNATURE}\npid: {os.getpid()}\nhost: {socket.gethostname()}\n"
                           f"started: {started}\ncommand: {self.command}\n").encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, len(SIGNATURE) + 1)  # the holder's details go with it
        os.close(self.fd)  # releases the lock
        self.fd = None
