"""Atomic writes: an error names the user's path and what to do (never the hidden temporary
file), keeps the old file, and leaves no temporary file behind."""

import contextlib
import errno
import os

import pytest

from micrograd_club import Value, _io
from micrograd_club._io import atomic_write_bytes, atomic_write_text
from micrograd_club.nn import MLP
from micrograd_club.train import History
from micrograd_club.viz import save_graph


# Windows keeps a read-only flag, not Unix permission bits
unix_permissions = pytest.mark.skipif(os.name == "nt", reason="Windows files have no Unix permission bits")


@contextlib.contextmanager
def umask(mask):
    """The file-creation mask set to ``mask`` for the block (os.umask sets the old one back)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def assert_names_the_path_not_the_temp_file(error, path):
    assert error.filename == str(path)
    assert ".tmp-" not in str(error)


@pytest.mark.parametrize(
    "write",
    [
        lambda path: MLP(2, [1], seed=0).save(path),
        lambda path: History({"loss": [0.5]}).to_csv(path),
        lambda path: save_graph(Value(1.0, "x"), path),
        lambda path: atomic_write_text(path, "text"),
        _io.check_writable,
    ],
    ids=["Module.save", "History.to_csv", "save_graph", "atomic_write_text", "check_writable"],
)
def test_a_missing_folder_is_named_with_what_to_do(tmp_path, write):
    path = tmp_path / "no-such-folder" / "out.dot"
    with pytest.raises(FileNotFoundError, match="No such file or directory; the folder .*no-such-folder' does not "
                                                "exist: create it first") as caught:
        write(path)
    assert caught.value.errno == errno.ENOENT
    assert_names_the_path_not_the_temp_file(caught.value, path)


def test_a_file_where_the_folder_should_be_is_named(tmp_path):
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    path = tmp_path / "notes.txt" / "model.json"
    with pytest.raises(NotADirectoryError, match="notes.txt' is a file, not a folder") as caught:
        atomic_write_text(path, "{}")
    assert_names_the_path_not_the_temp_file(caught.value, path)


@pytest.mark.parametrize("write", [lambda path: atomic_write_text(path, "{}"), _io.check_writable],
                         ids=["atomic_write_text", "check_writable"])
def test_an_unwritable_folder_is_named(tmp_path, monkeypatch, write):
    real_open = os.open

    def refuse(name, *args, **kwargs):  # as os.open does in a folder without write permission (root may write anywhere)
        if os.path.basename(name).startswith(".tmp-"):
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(_io.os, "open", refuse)
    path = tmp_path / "model.json"
    with pytest.raises(PermissionError, match="the folder .* is not writable: save somewhere you may write") as caught:
        write(path)
    assert caught.value.errno == errno.EACCES
    assert_names_the_path_not_the_temp_file(caught.value, path)


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old", encoding="utf-8")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device; the disk is full") as caught:
        atomic_write_text(path, "new")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["model.json"]


@pytest.mark.parametrize("name", ["existing/", "new" + os.sep])
def test_a_path_ending_in_a_separator_is_refused(tmp_path, name):
    (tmp_path / "existing").mkdir()
    with pytest.raises(IsADirectoryError, match="names a folder, not a file: add a file name"):
        atomic_write_text(os.path.join(tmp_path, name), "text")  # once wrote a file named after the folder
    assert sorted(os.listdir(tmp_path)) == ["existing"] and os.listdir(tmp_path / "existing") == []


def test_a_read_only_file_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("keep me", encoding="utf-8")
    path.chmod(0o444)
    monkeypatch.setattr(_io.os, "access", lambda name, mode: False)  # as for a user who is not root
    with pytest.raises(PermissionError, match="the file is read-only: make it writable") as caught:
        atomic_write_text(path, "new")
    assert caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "keep me"


def test_check_writable_refuses_what_a_write_would_and_writes_nothing(tmp_path, monkeypatch):
    """A command checks its files before its work: the checks are the write's own, and leave no trace."""
    assert _io.check_writable(tmp_path / "new.json") == str(tmp_path / "new.json")
    (tmp_path / "old.json").write_text("keep me", encoding="utf-8")
    assert _io.check_writable(tmp_path / "old.json") == str(tmp_path / "old.json")
    (tmp_path / "a folder").mkdir()
    with pytest.raises(IsADirectoryError, match="is not a regular file"):
        _io.check_writable(tmp_path / "a folder")
    monkeypatch.setattr(_io.os, "access", lambda name, mode: False)  # as for a user who is not root
    with pytest.raises(PermissionError, match="the file is read-only: make it writable") as caught:
        _io.check_writable(tmp_path / "old.json")
    assert caught.value.filename == str(tmp_path / "old.json")
    assert sorted(os.listdir(tmp_path)) == ["a folder", "old.json"]
    assert (tmp_path / "old.json").read_text(encoding="utf-8") == "keep me"


def test_check_writable_returns_the_name_as_given_and_closes_the_file_it_tried(tmp_path, monkeypatch):
    """The name comes back as the caller wrote it (not resolved to an absolute path), and the
    empty file made to try the folder is closed as well as removed (on Windows an open file
    cannot be removed, and a command checks several files)."""
    made = []  # (descriptor, name) of each file made to try the folder
    new_temporary_file = _io._new_temporary_file

    def recorded(folder):
        made.append(new_temporary_file(folder))
        return made[-1]

    monkeypatch.setattr(_io, "_new_temporary_file", recorded)
    monkeypatch.chdir(tmp_path)
    assert _io.check_writable("new.json") == "new.json"
    [(fd, tmp)] = made
    assert not os.path.exists(tmp)
    with pytest.raises(OSError) as closed:
        os.fstat(fd)
    assert closed.value.errno == errno.EBADF


def test_check_writable_tries_the_folder_a_symbolic_link_points_into(tmp_path):
    """A write through a link makes its temporary file beside the link's target, so that is the
    folder to check, not the link's own."""
    link = tmp_path / "model.json"
    try:
        link.symlink_to(tmp_path / "gone" / "model.json")
    except OSError:  # Windows without the right to make links
        pytest.skip("this system does not let the test make a symbolic link")
    with pytest.raises(FileNotFoundError, match="gone' does not exist: create it first") as caught:
        _io.check_writable(link)
    assert_names_the_path_not_the_temp_file(caught.value, link)


def test_a_long_file_name_works_and_a_too_long_one_is_named(tmp_path):
    path = tmp_path / ("m" * 245 + ".json")  # 250 characters: the temporary file's name stays short
    atomic_write_bytes(path, b"{}")
    assert path.read_bytes() == b"{}" and os.listdir(tmp_path) == [path.name]
    too_long = tmp_path / ("m" * 300 + ".json")
    with pytest.raises(OSError, match="the file name is too long for the file system: choose a shorter one") as caught:
        atomic_write_bytes(too_long, b"{}")
    assert_names_the_path_not_the_temp_file(caught.value, too_long)
    assert os.listdir(tmp_path) == [path.name]


@unix_permissions
def test_a_new_file_gets_the_usual_mode_and_an_old_one_keeps_its_own(tmp_path):
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    old.write_text("", encoding="utf-8")
    old.chmod(0o640)
    with umask(0o022):  # the usual one; Ubuntu gives its users 0o002, which makes new files 0o664
        atomic_write_text(new, "x")
        atomic_write_text(old, "x")
    assert new.stat().st_mode & 0o777 == 0o644 and old.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("path", [123, None, b"model.json"])
def test_a_path_must_be_a_str_or_a_path(path):
    with pytest.raises(TypeError, match=r"path must be a file name \(a str or a pathlib.Path\)"):
        atomic_write_text(path, "text")  # 123 would be taken for a file descriptor


@pytest.mark.parametrize("write", [
    lambda: atomic_write_text("", "text"),
    lambda: History({"loss": [0.5]}).to_csv(""),
    lambda: MLP(2, [1], seed=0).save(""),
    lambda: MLP(2, [1], seed=0).load(""),
], ids=["atomic_write_text", "History.to_csv", "Module.save", "Module.load"])
def test_an_empty_path_is_named_as_empty(tmp_path, monkeypatch, write):
    """An empty name was taken for the current folder: "/home/you is not a regular file (a
    folder …)", naming a folder the user never gave (and load said "No such file: ''")."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="path is empty: give a file name, such as 'model.json'"):
        write()
    assert os.listdir(tmp_path) == []


@unix_permissions
def test_a_new_file_gets_the_permissions_a_plain_open_gives(tmp_path):
    with umask(0o077):  # a user who keeps files private
        atomic_write_text(tmp_path / "private.json", "{}")
    assert os.stat(tmp_path / "private.json").st_mode & 0o777 == 0o600
    (tmp_path / "shared.json").write_text("old", encoding="utf-8")
    os.chmod(tmp_path / "shared.json", 0o664)
    atomic_write_text(tmp_path / "shared.json", "new")  # an existing file keeps its permissions
    assert os.stat(tmp_path / "shared.json").st_mode & 0o777 == 0o664


def test_the_temporary_file_is_opened_in_binary_mode(tmp_path, monkeypatch):
    """On Windows a descriptor from os.open is in text mode unless O_BINARY is given, and
    writing through it turns every b"\\n" into b"\\r\\n", which corrupts a PNG or a PDF."""
    o_binary = 0x8000  # Windows' value; Linux has no O_BINARY
    monkeypatch.setattr(_io.os, "O_BINARY", o_binary, raising=False)
    real_open, flags = os.open, []

    def record(name, given_flags, *args, **kwargs):
        flags.append(given_flags)
        return real_open(name, given_flags & ~o_binary, *args, **kwargs)

    monkeypatch.setattr(_io.os, "open", record)
    atomic_write_bytes(tmp_path / "picture.png", b"\x89PNG\r\n\x1a\n")
    assert flags and all(given & o_binary for given in flags)
    assert (tmp_path / "picture.png").read_bytes() == b"\x89PNG\r\n\x1a\n"


def refuse_to_replace(monkeypatch, failures):
    """os.replace raising PermissionError the first ``failures`` times, as on Windows while
    another program has the old file open; returns the list of calls."""
    real_replace, calls = os.replace, []

    def replace(*args):
        calls.append(args)
        if len(calls) <= failures:
            raise PermissionError(errno.EACCES, "Access is denied")
        return real_replace(*args)

    monkeypatch.setattr(_io.os, "replace", replace)
    monkeypatch.setattr(_io.time, "sleep", lambda seconds: None)
    return calls


@pytest.mark.parametrize("windows, reason", [
    (False, r"the old file could not be replaced: in a shared folder such as /tmp only its owner may replace it"),
    (True, r"the old file could not be replaced: if another program has it open \(a spreadsheet, an image viewer\), "
           "close it"),
])
def test_a_file_that_cannot_be_replaced_is_named_as_the_reason_and_kept(tmp_path, monkeypatch, windows, reason):
    """Windows cannot replace a file that Excel has open, Linux one of another user's in /tmp:
    the folder is writable, so saying it is not sends the user the wrong way."""
    monkeypatch.setattr(_io, "WINDOWS", windows)
    calls = refuse_to_replace(monkeypatch, failures=100)
    path = tmp_path / "history.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(PermissionError, match=reason) as caught:
        History({"loss": [0.5]}).to_csv(path)
    assert "not writable" not in str(caught.value)
    assert_names_the_path_not_the_temp_file(caught.value, path)
    assert path.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["history.csv"]
    assert len(calls) == (len(_io.REPLACE_RETRY_DELAYS) + 1 if windows else 1)


def test_on_windows_a_file_held_open_for_a_moment_is_replaced_after_a_wait(tmp_path, monkeypatch):
    """A virus scanner or the search indexer opens each new file for a moment."""
    monkeypatch.setattr(_io, "WINDOWS", True)
    calls = refuse_to_replace(monkeypatch, failures=2)
    atomic_write_text(tmp_path / "model.json", "new")
    assert (tmp_path / "model.json").read_text(encoding="utf-8") == "new" and len(calls) == 3


@pytest.mark.parametrize("n, words", [(1, "1 class"), (0, "0 classes"), (2, "2 classes")])
def test_plural_is_singular_for_one_only_and_takes_an_irregular_plural(n, words):
    """"0 class" reads as a slip, and "classs" (the noun plus s) is what an irregular plural is for."""
    assert _io.plural(n, "class", "classes") == words
    assert _io.plural(n, "epoch") == words.replace("class", "epoch").replace("epoches", "epochs")
