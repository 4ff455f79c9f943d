"""Files: reading what users give safely, writing what fuelseal produces atomically.

A planner's inputs (a scenario, a station register, a run folder's manifest) are read
only when they are regular files under a size limit: a named pipe, a device or a
folder gets a precise one-line error instead of a hang or a memory blow-up. Every
file fuelseal writes goes through :func:`write_atomic` — a temporary file in the same
folder, renamed into place — so a crash, a full disk or a signal leaves either the old
file or the new one, never half of one, and never a stray temporary file. A folder
being written is held by a :class:`FolderLock`, so two writers never interleave.
Operating-system failures become a :class:`~simulator.errors.ScenarioError` naming the
path and what went wrong (:func:`os_error`).

This module imports nothing from the rest of the package except its error type.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import ScenarioError

KiB, MiB, GiB = 1024, 1024**2, 1024**3
# largest inputs read whole into memory; a bigger file is a mistake (or an attack), not a plan
MAX_SCENARIO_BYTES = 4 * MiB
MAX_REGISTER_BYTES = 64 * MiB
MAX_MANIFEST_BYTES = 64 * MiB
MAX_SMALL_JSON_BYTES = 1 * MiB
MAX_TABLE_BYTES = 8 * GiB  # one stored table or replication file
LOCK_NAME = ".fuelseal.lock"
TMP_SUFFIX = ".tmp"

_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file"),
    (stat.S_ISBLK, "is a device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)

_ERRNO_TEXT = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "a file name is too long for the file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ELOOP: "too many symbolic links",
    errno.ENOENT: "not found",
    errno.EEXIST: "already exists",
    errno.ENOTEMPTY: "folder is not empty",
    errno.EXDEV: "cannot move across file systems",
    errno.EMFILE: "too many open files",
    errno.EIO: "input/output error",
}


def os_error(exc: OSError, path: str | os.PathLike | None = None, hint: str = "") -> ScenarioError:
    """An operating-system error as a one-line :class:`ScenarioError`: ``PATH: what went wrong``."""
    where = path if path is not None else (exc.filename if exc.filename is not None else None)
    text = _ERRNO_TEXT.get(exc.errno or -1) or exc.strerror or exc.__class__.__name__
    return ScenarioError(text + (f"; {hint}" if hint else ""), source=None if where is None else str(where))


def _kind_problem(mode: int) -> str | None:
    for test, text in _KINDS:
        if test(mode):
            return text
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _size_text(n: int) -> str:
    return f"{n / GiB:.1f} GiB" if n >= GiB else f"{n / MiB:.1f} MiB" if n >= MiB else f"{n / KiB:.0f} KiB"


def read_regular(path: str | os.PathLike, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    Opened without blocking, so a named pipe is refused at once rather than waited on;
    at most ``limit + 1`` bytes are read, so ``/dev/zero``-like files, ``/proc`` files
    that report size 0 and files that grow while read cannot exhaust memory.
    """
    p = str(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ScenarioError("file not found", source=p) from None
    except IsADirectoryError:
        raise ScenarioError(f"{_KINDS[0][1]}; expected a {what}", source=p) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise (os_error(exc, p) if isinstance(exc, OSError) else ScenarioError(str(exc), source=p)) from None
    try:
        st = os.fstat(fd)
        problem = _kind_problem(st.st_mode)
        if problem:
            raise ScenarioError(f"{problem}; expected a {what}", source=p)
        if st.st_size > limit:
            raise ScenarioError(f"is {_size_text(st.st_size)}; a {what} may be at most {_size_text(limit)}", source=p)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 * MiB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ScenarioError(f"is larger than {_size_text(limit)}, the most a {what} may be", source=p)
        return b"".join(chunks)
    except OSError as exc:
        raise os_error(exc, p) from None
    finally:
        os.close(fd)


def check_regular(path: str | os.PathLike, limit: int = MAX_TABLE_BYTES, what: str = "file") -> None:
    """Refuse, with one line, anything at ``path`` that a library should not open: a missing
    file, a named pipe, a device, a folder, a symbolic link or a file over ``limit`` bytes."""
    p = str(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        raise ScenarioError(f"missing; expected a {what}", source=p) from None
    except OSError as exc:
        raise os_error(exc, p) from None
    if stat.S_ISLNK(st.st_mode):
        raise ScenarioError(f"is a symbolic link; expected a {what}", source=p)
    problem = _kind_problem(st.st_mode)
    if problem:
        raise ScenarioError(f"{problem}; expected a {what}", source=p)
    if st.st_size > limit:
        raise ScenarioError(f"is {_size_text(st.st_size)}; a {what} may be at most {_size_text(limit)}", source=p)


def read_json(path: str | os.PathLike, limit: int = MAX_SMALL_JSON_BYTES, what: str = "JSON file") -> dict:
    """A JSON object from a regular file; anything else is a one-line error."""
    data = read_regular(path, limit, what)
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ScenarioError(f"is damaged: not valid JSON ({exc.__class__.__name__})", source=str(path)) from None
    if not isinstance(obj, dict):
        raise ScenarioError("is damaged: expected a JSON object", source=str(path))
    return obj


# ---- writing ------------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: 0644 under the usual umask 022


def tmp_name(path: Path) -> Path:
    """A temporary name beside ``path`` that no other writer can pick (pid and a random part)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def write_atomic(path: str | os.PathLike, data: bytes | Callable[[BinaryIO], object]) -> Path:
    """Write ``path`` whole or not at all: ``data`` (bytes, or a function that writes into the
    binary file object it is given) goes to a temporary file beside ``path``, which is
    flushed to disk and renamed into place. The temporary file is removed on every exit
    path, a full disk and Ctrl-C included; an error names ``path``, not the temporary file.
    Files are written with the usual mode (0644)."""
    target = Path(path)
    tmp = tmp_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename is not None:
            exc.filename = str(target)
        raise
    return target


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 * MiB), b""):
            h.update(block)
    return h.hexdigest()


def remove_stale_tmp(folder: Path) -> None:
    """Remove temporary files left in ``folder`` by a writer that was killed. Call it only
    while holding the folder's exclusive lock: then no live writer owns any of them."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for f in entries:
        if f.name.startswith(".") and f.name.endswith(TMP_SUFFIX) and f.is_file() and not f.is_symlink():
            f.unlink(missing_ok=True)


# ---- one writer at a time -----------------------------------------------------------------
class FolderLock:
    """An advisory lock on ``folder/.fuelseal.lock`` (``fcntl.flock``): exclusive for a
    writer, shared for a reader. It is released when the process ends, however it ends,
    so a killed writer never leaves a folder locked. The holder writes its pid and
    command into the lock file, so a refused second writer can say who holds it."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.fd: int | None = None

    def acquire(self, exclusive: bool = True, command: str | None = None) -> FolderLock:
        import fcntl

        try:
            if exclusive:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
            else:  # a reader needs no write permission: a lock on a read-only descriptor will do
                try:
                    fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
                except FileNotFoundError:
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        except OSError as exc:
            if not exclusive and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return self  # a folder the reader cannot write cannot change under it through fuelseal
            raise os_error(exc, self.folder) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:  # never write through a hard link
            os.close(fd)
            raise ScenarioError(f"{LOCK_NAME} is not fuelseal's lock file (a hard link or not a regular file); "
                                "remove it first", source=str(self.folder))
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(fd)
            os.close(fd)
            raise ScenarioError(f"in use by {holder}; wait for it to finish or stop it first",
                                source=str(self.folder)) from None
        except OSError as exc:
            os.close(fd)
            raise os_error(exc, self.folder) from None
        if exclusive:
            info = json.dumps({"pid": os.getpid(), "command": command or " ".join(sys.argv[:2])}).encode()
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, info, 0)
            except OSError:
                pass  # the lock holds without the note
        self.fd = fd
        return self

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
            return f"process {int(info['pid'])} ({str(info['command'])[:80]})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
