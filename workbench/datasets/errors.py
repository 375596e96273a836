"""The data loaders' error (its own module so that every loader and the downloads share it)."""

__all__ = ["DatasetError"]


class DatasetError(OSError):
    """A data set is missing, corrupt or malformed; the message names the file and the fix."""
