"""The two errors the data package raises, so callers can catch them precisely.

``DatasetError`` is a ``ValueError``: a file is there but its content is wrong
(truncated, corrupt, the wrong file). ``DatasetNotFoundError`` is a
``FileNotFoundError``: the files are not anywhere we looked and could not be
downloaded; its message says which files to put where.
"""


class DatasetError(ValueError):
    """A dataset file exists but is truncated, corrupt or not the file expected."""


class DatasetNotFoundError(FileNotFoundError):
    """No copy of a dataset was found on disk and none could be downloaded."""


class DownloadError(OSError):
    """Every mirror of a file failed (network error or checksum mismatch)."""
