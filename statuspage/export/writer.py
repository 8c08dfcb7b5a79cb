"""Write a static copy into a temporary directory beside its target, then swap it in."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class WriteError(Exception):
    """The export directory cannot be written; the message says which and why."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); return False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in {22, 38, 95}:  # EINVAL, ENOSYS, EOPNOTSUPP: this filesystem cannot
        return False
    raise OSError(errno, os.strerror(errno), str(b))


class StagedDirectory:
    """A temporary directory beside target that replaces target on commit().

    Readers of target see the old copy or the new one, never a mix: on Linux the
    two directories are exchanged atomically; elsewhere the old one is renamed
    away just before the new one is renamed in. Leaving the block without
    commit() (an error) deletes the staged files and leaves target untouched.
    """

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.files = 0
        self.bytes = 0
        parent = self.target.parent
        if self.target.exists() and not self.target.is_dir():
            raise WriteError(f"{self.target} exists and is not a directory")
        if not parent.is_dir():
            raise WriteError(f"{parent} does not exist")
        try:
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.new-", dir=parent))
        except OSError as exc:
            raise WriteError(f"cannot write beside {self.target}: {exc.strerror}") from exc
        self.path.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        self._committed = False

    def __enter__(self) -> StagedDirectory:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            shutil.rmtree(self.path, ignore_errors=True)

    def write(self, relative: str, data: bytes) -> None:
        """Write one file of the copy (relative path with forward slashes)."""
        path = self.path.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
        self.files += 1
        self.bytes += len(data)

    def copy(self, relative: str, source: Path) -> None:
        """Copy one existing file into the copy."""
        self.write(relative, source.read_bytes())

    def commit(self) -> None:
        """Put the staged copy in place of target and delete the old copy."""
        try:
            if self.target.exists() and _exchange(self.path, self.target):
                old = self.path  # after the exchange the staged path holds the old copy
            elif self.target.exists():
                old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
                shutil.rmtree(old, ignore_errors=True)
                os.rename(self.target, old)
                os.rename(self.path, self.target)
            else:
                os.rename(self.path, self.target)
                old = None
        except OSError as exc:
            raise WriteError(f"cannot replace {self.target}: {exc.strerror or exc}") from exc
        self._committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
