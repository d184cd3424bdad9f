"""Writing files so that a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic_with(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a new temporary file next to ``path``, then rename it over ``path``.

    The file gets the permissions a new file would get (the umask applies); on any error the
    temporary file is removed and whatever was at ``path`` stays as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic_with`)."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    write_atomic_with(path, write)
