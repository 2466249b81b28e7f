"""Writing output files (report pages and charts, query results) without following a link.

An output folder may be shared (a scheduled report into a web root, a drop folder): whoever
can write there can plant a symbolic link named like a file we write, or put one where the
folder should be, so that our next write lands wherever the link points. So: the folder
named and every file name we write in it are refused when they are links, and each file is
written to a new name created in that very folder (O_EXCL | O_NOFOLLOW, through a descriptor
of the folder opened with O_NOFOLLOW), then renamed over the old name. A rename replaces a
link, never what it points to, so a link planted between the check and the write is replaced
too, and a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputRefused(ValueError):
    """An output path that will not be written: a link, a missing folder, a folder for a file."""


def _link_refused(path: Path) -> OutputRefused:
    return OutputRefused(
        f"{path}: is a symbolic link; wirehouse never writes output through a link."
        " Remove the link, or name the real path"
    )


@contextmanager
def open_folder(folder: Path, *, create: bool, may_be_link: bool = False) -> Iterator[int]:
    """A descriptor of folder (created first when create and missing), not a link unless
    may_be_link (the folder holding a file named on the command line)."""
    folder = Path(os.path.abspath(folder))  # the name as given: only its last part is checked
    if folder.is_symlink() and not may_be_link:
        raise _link_refused(folder)
    if create and not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputRefused(f"{folder}: cannot create it ({exc.strerror})") from None
    try:
        fd = os.open(folder, _FOLDER & ~os.O_NOFOLLOW if may_be_link else _FOLDER)
    except FileNotFoundError:
        raise OutputRefused(f"{folder}: no such folder; create it first") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link since the check above
            raise _link_refused(folder) from None
        if exc.errno == errno.ENOTDIR:
            raise OutputRefused(f"{folder}: is a file, not a folder; choose a folder") from None
        raise
    try:
        yield fd
    finally:
        os.close(fd)


def check_name(folder_fd: int, folder: Path, name: str) -> None:
    """Raise OutputRefused when folder/name is a link or a folder, which a write must not replace."""
    try:
        found = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        raise _link_refused(folder / name)
    if stat.S_ISDIR(found.st_mode):
        raise OutputRefused(f"{folder / name}: is a folder; name a file, or remove the folder")


def replace_file(folder_fd: int, name: str, write: Callable[[BinaryIO], None]) -> None:
    """Write a new file through write() and rename it over name in the folder, never through a link."""
    partial = f".{name}.{uuid.uuid4().hex[:12]}.partial"
    out = os.fdopen(os.open(partial, _NEW_FILE, 0o666, dir_fd=folder_fd), "wb")
    try:
        with out:
            with suppress(FileNotFoundError):
                # Replacing a file keeps its permissions, as writing into it would have.
                old = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
                if stat.S_ISREG(old.st_mode):
                    os.fchmod(out.fileno(), stat.S_IMODE(old.st_mode))
            write(out)
        os.replace(partial, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(partial, dir_fd=folder_fd)
        raise


def check_folder(folder: Path, names: list[str]) -> None:
    """Raise OutputRefused now if write_files(folder, ...) would refuse these names later."""
    if not os.path.lexists(folder):
        return
    with open_folder(folder, create=False) as folder_fd:
        for name in names:
            check_name(folder_fd, folder, name)


def check_file(path: Path) -> None:
    """Raise OutputRefused now if write_file(path, ...) would refuse it later."""
    path = Path(os.path.abspath(path))
    with open_folder(path.parent, create=False, may_be_link=True) as folder_fd:
        check_name(folder_fd, path.parent, path.name)


def write_files(folder: Path, files: dict[str, bytes], *, create: bool = True) -> None:
    """Write each file into folder by name; nothing is written when any name is refused."""
    with open_folder(folder, create=create) as folder_fd:
        for name in files:
            check_name(folder_fd, folder, name)
        for name, data in files.items():
            replace_file(folder_fd, name, lambda out, data=data: out.write(data))


def write_file(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write one file through write() into its existing folder, never through a link named path."""
    path = Path(os.path.abspath(path))
    with open_folder(path.parent, create=False, may_be_link=True) as folder_fd:
        check_name(folder_fd, path.parent, path.name)
        replace_file(folder_fd, path.name, write)
