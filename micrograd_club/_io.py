"""Writing files so that nothing is lost: a crash mid-write leaves the old file intact.
Errors name the path the user gave and what to do, never the hidden temporary file.

Also: writing the ∂ and σ of the printouts to a console or file that has no such letters,
showing names chosen by someone else without the control characters that would act on
the terminal, and counting things in words ("1 epoch", "3 epochs")."""

import contextlib
import errno
import os
import secrets
import time

WINDOWS = os.name == "nt"
# Dots per inch of every PNG the project writes, plots and graph diagrams alike: sharp on a
# slide or a printed handout (Graphviz alone gives 96, soft on paper). SVG and PDF are sharp at any size.
PNG_DPI = 150
# Windows refuses to replace a file that a program has open, which a virus scanner or the
# search indexer does for a moment with any new file: wait this long (seconds) and try again.
REPLACE_RETRY_DELAYS = (0.1, 0.2, 0.4)

# errno -> why a file could not be written into ``folder``, and what to do about it
ADVICE = {
    errno.ENOENT: "the folder {folder} does not exist: create it first, or check the path for a typo",
    errno.ENOTDIR: "part of the folder {folder} is a file, not a folder: check the path",
    errno.EACCES: "the folder {folder} is not writable: save somewhere you may write, or change its permissions",
    errno.EPERM: "the folder {folder} is not writable: save somewhere you may write, or change its permissions",
    errno.EROFS: "the folder {folder} is on a read-only file system: save somewhere else",
    errno.ENOSPC: "the disk is full (or your quota is used up): free some space, or save somewhere else",
    errno.ENAMETOOLONG: "the file name is too long for the file system: choose a shorter one",
}
# why the new file, written in full, could not take the old one's place (the folder is writable)
FILE_IN_USE = ("the old file could not be replaced: if another program has it open (a spreadsheet, an image "
               "viewer), close it and try again, or save under another name")  # Windows
FILE_NOT_YOURS = ("the old file could not be replaced: in a shared folder such as /tmp only its owner may replace "
                  "it, and a file marked immutable (chattr +i) cannot be: save under another name")  # elsewhere


def file_path(path):
    """``path`` as a str, or a TypeError unless it is a str or an os.PathLike (pathlib.Path):
    open() and os.stat() would take an int such as 123 for a file descriptor. An empty name
    is a ValueError: written, it would be taken for the current folder, and named as such."""
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(name, str):
        raise TypeError(f"path must be a file name (a str or a pathlib.Path), got {type(path).__name__}: {path!r:.60}")
    if not name:
        raise ValueError("path is empty: give a file name, such as 'model.json'")
    return name


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``,
    which swaps the new file in at once (readers see the old file or the new, never half).

    Refuses a path ending in a separator (it names a folder) and an existing file that is
    not writable (replacing it would bypass its read-only mode). An OSError is raised again,
    of the same type and errno, naming ``path`` and what to do instead of the temporary file."""
    given, path = _destination(path)
    folder = os.path.dirname(path)
    tmp, replacing = None, False
    try:
        fd, tmp = _new_temporary_file(folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):  # the new file keeps the old one's permissions
            os.chmod(tmp, os.stat(path).st_mode & 0o777)
        replacing = True
        _replace(tmp, path)
    except BaseException as error:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(error, OSError) and error.errno is not None:
            raise _with_advice(error, given, folder, replacing) from None
        raise


def check_writable(path):
    """Raise now the OSError that ``atomic_write_bytes(path, …)`` would raise because of where
    the file goes (a folder's name, a missing or unwritable folder, a read-only file), writing
    nothing: a command checks each file it will write before the work that makes them, so it
    fails at once and leaves every file as it was. Returns ``path`` as a str."""
    given, path = _destination(path)
    folder = os.path.dirname(path)
    try:
        fd, tmp = _new_temporary_file(folder)
    except OSError as error:
        raise _with_advice(error, given, folder) from None
    os.close(fd)
    os.unlink(tmp)
    return given


def _destination(path):
    """(the name given, the real path it writes to) of a file about to be written, or the
    OSError saying why it cannot be: the name ends in a separator, names a folder, a device
    or a pipe, or a read-only file."""
    given = file_path(path)
    if given.endswith(os.sep) or (os.altsep and given.endswith(os.altsep)):
        raise IsADirectoryError(
            errno.EISDIR, f"the path ends in {given[-1]!r}, so it names a folder, not a file: add a file name", given
        )
    path = os.path.realpath(given)  # through a symlink to its target, so the link stays a link
    if os.path.exists(path) and not os.path.isfile(path):
        raise IsADirectoryError(f"{path} is not a regular file (a folder, a device or a pipe): write to a file name")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        advice = "the file is read-only: make it writable (chmod u+w; on Windows untick Read-only in its Properties) " \
            "or save under another name"
        raise PermissionError(errno.EACCES, f"{os.strerror(errno.EACCES)}; {advice}", given)
    return given, path


def _with_advice(error, given, folder, replacing=False):
    """``error`` (an OSError while writing ``given`` into ``folder``) again, of the same type and
    errno, naming ``given`` and saying what to do; ``replacing``: the new file was written in
    full and failed to take the old one's place."""
    advice = ADVICE.get(error.errno, "check that the folder {folder} exists and that you may write to it")
    if replacing and isinstance(error, PermissionError):  # the folder is writable: the file is in the way
        advice = FILE_IN_USE if WINDOWS else FILE_NOT_YOURS
    return type(error)(error.errno, f"{os.strerror(error.errno)}; {advice.format(folder=repr(folder))}", given)


def _replace(tmp, path):
    """``os.replace(tmp, path)``, on Windows tried again after each of REPLACE_RETRY_DELAYS
    while it raises PermissionError (the file is open in another program)."""
    if WINDOWS:
        for delay in REPLACE_RETRY_DELAYS:
            try:
                return os.replace(tmp, path)
            except PermissionError:
                time.sleep(delay)
    os.replace(tmp, path)


def _new_temporary_file(folder):
    """(fd, path) of a new empty file in ``folder`` named ``.tmp-`` and 8 hex digits: a short
    name, so any name the file system allows for the real file works, and the permissions a
    plain open() gives (0o666 less the umask; tempfile.mkstemp would make it private, 0o600).

    On Windows os.open makes a text-mode descriptor unless given O_BINARY, and every byte 10
    written through it becomes 13 10: a PNG or PDF would come out corrupted."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".tmp-{secrets.token_hex(4)}")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # another writer drew the same name: draw again
            continue


def atomic_write_text(path, text):
    """``atomic_write_bytes`` for text, as UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))


def writes_unicode(stream):
    """Switch ``stream`` (sys.stdout, sys.stderr) to UTF-8 if its encoding cannot write the
    ∂, σ and ✓ that the command line and the demos print (output redirected to a file or a
    pipe on Windows is cp1252), instead of stopping midway with a UnicodeEncodeError.
    The stream keeps its error handler: given an encoding alone, reconfigure would make it
    "strict", and a file name that the locale could not decode (kept as surrogates, which
    stdout's "surrogateescape" writes back as the original bytes) would stop the command.
    Returns whether it switched ``stream``."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or not hasattr(stream, "reconfigure"):
        return False  # not a text file with an encoding (io.StringIO takes any text)
    try:
        "∂σ✓".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        stream.reconfigure(encoding="utf-8", errors=stream.errors)
        return True
    return False


@contextlib.contextmanager
def unicode_output(*streams):
    """``writes_unicode`` for each of ``streams`` while the with-block runs, and then each
    switched one back to its own encoding: a command run in-process (``cli.main()`` from a
    test, a notebook or ``python -c``) leaves sys.stdout and sys.stderr as it found them."""
    encodings = [(stream, getattr(stream, "encoding", None)) for stream in streams]
    switched = [(stream, encoding) for stream, encoding in encodings if writes_unicode(stream)]
    try:
        yield
    finally:
        for stream, encoding in switched:
            stream.reconfigure(encoding=encoding, errors=stream.errors)


def plural(n, one, many=None):
    """n and its noun, singular for 1: "1 epoch", "3 epochs" (``many`` for an irregular plural)."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def printable(text):
    """``text`` with each character that ``str.isprintable`` refuses (a newline, a tab, the
    escape that starts a terminal's colour codes, a lone surrogate, a right-to-left override)
    written as a repr writes it: \\n, \\x1b, \\udcff, \\u202e. A label or a name read
    from a file then shows what it holds, and can neither break a Graphviz label nor send
    control sequences to the terminal that prints it."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
