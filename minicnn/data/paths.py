"""Where dataset files are looked for, and what to tell the user when they are not there.

Base directories, searched in this order:

1. the ``root`` argument of the dataset, if given;
2. ``$MINICNN_DATA``, if set;
3. ``~/.cache/minicnn/``;
4. system-wide directories (``SYSTEM_DIRS``), e.g. ``/usr/share/datasets/`` where
   Debian's ``dataset-fashion-mnist`` package installs Fashion-MNIST.

In each base directory the dataset's own subfolder(s) come first (``mnist/``,
``fashion-mnist/``, ``cifar-10-batches-bin/``, ...), then the base directory
itself (not for system directories, which hold many datasets). Subfolders first
because MNIST and Fashion-MNIST use the *same* file names: keep each dataset in
its subfolder and they can never be mixed up.

A download goes into the dataset's first subfolder of the first user base
directory: ``<root or $MINICNN_DATA or ~/.cache/minicnn>/mnist/`` for MNIST.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

ENV_VAR = "MINICNN_DATA"
SYSTEM_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets"),)


def cache_dir() -> Path:
    """``~/.cache/minicnn``: the default home of downloaded datasets."""
    return Path.home() / ".cache" / "minicnn"


def user_base_dirs(root: str | os.PathLike | None = None) -> list[Path]:
    """The user's base directories in search order: ``root``, ``$MINICNN_DATA``, the cache."""
    bases = []
    if root is not None:
        bases.append(Path(root).expanduser())
    if os.environ.get(ENV_VAR):
        bases.append(Path(os.environ[ENV_VAR]).expanduser())
    bases.append(cache_dir())
    return bases


def search_dirs(root: str | os.PathLike | None, subdirs: Sequence[str]) -> list[Path]:
    """Every directory searched for a dataset, in order (see the module docstring)."""
    dirs = []
    for base in user_base_dirs(root):
        dirs += [base / sub for sub in subdirs] + [base]
    for base in SYSTEM_DIRS:
        dirs += [base / sub for sub in subdirs]
    return list(dict.fromkeys(dirs))  # drop repeats (root == $MINICNN_DATA), keep order


def download_dir(root: str | os.PathLike | None, subdir: str) -> Path:
    """Where a download goes: the dataset's subfolder of the first user base directory."""
    return user_base_dirs(root)[0] / subdir


def _is_file(path: Path) -> bool:
    """``path.is_file()``, but False where the folder cannot be read (a permission
    error on one directory of the search path must not end the whole search)."""
    try:
        return path.is_file()
    except OSError:
        return False


def find_in_dir(directory: Path, names: Sequence[str]) -> Path | None:
    """The first of ``names`` present in ``directory``, each tried as is and with ``.gz``."""
    for name in names:
        for candidate in (directory / name, directory / (name + ".gz")):
            if _is_file(candidate):
                return candidate
    return None


def find_files(dirs: Sequence[Path], wanted: dict[str, Sequence[str]]) -> dict[str, Path] | None:
    """The first directory holding *all* wanted files, as {key: path}, or None.

    ``wanted`` maps a key (e.g. ``"images"``) to the accepted names of that file.
    All files of a split must sit in the same directory, so an images file from one
    copy is never paired with the labels of another.
    """
    for directory in dirs:
        found = {key: find_in_dir(directory, names) for key, names in wanted.items()}
        if all(found.values()):
            return found  # type: ignore[return-value]
    return None


def not_found_message(
    title: str, filenames: Sequence[str], dirs: Sequence[Path], reason: str, hint: str = ""
) -> str:
    """The text of a DatasetNotFoundError: which files to put where, and why none was found."""
    lines = [
        f"{title} not found. Put these files (gzip-compressed with .gz or not):",
        *(f"    {name}" for name in filenames),
        "into one of these directories (searched in this order):",
        *(f"    {d}" for d in dirs),
        f"or point ${ENV_VAR} (or the root= argument) at a directory holding them.",
        reason,
    ]
    if hint:
        lines.append(hint)
    return "\n".join(lines)
