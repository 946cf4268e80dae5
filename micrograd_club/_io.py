"""Writing files so that nothing is lost: a crash mid-write leaves the old file intact."""

import os
import tempfile


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``,
    which swaps the new file in at once (readers see the old file or the new, never half)."""
    path = os.path.realpath(os.fspath(path))  # through a symlink to its target, so the link stays a link
    if os.path.exists(path) and not os.path.isfile(path):
        raise IsADirectoryError(f"{path} is not a regular file (a folder, a device or a pipe): write to a file name")
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text):
    """``atomic_write_bytes`` for text, as UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))
