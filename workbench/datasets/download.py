"""Downloads into the cache with checksums and retries, through :mod:`pooch`.

:func:`fetch` puts one file at a path: a file already there is checked against its SHA-256 (and
kept, or refused with the fix); a missing one is downloaded (HTTP, HTTPS or FTP) into a temporary
file beside it, retried :data:`RETRIES` times, checked, and only then renamed into place, so a
failed or corrupt download leaves nothing behind.  :func:`fetch_from_mirrors` tries each mirror in
turn.  Errors are :class:`DatasetError` naming the file and the fix.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pooch

from .errors import DatasetError

__all__ = ["RETRIES", "fetch", "fetch_from_mirrors", "sha256_of"]

#: Further attempts after a failed download (pooch waits 1 s, 2 s, ... between them).
RETRIES = 2


def sha256_of(path) -> str:
    """The SHA-256 of a file (hex)."""
    return pooch.file_hash(str(path), alg="sha256")


def _check_cached(dest: Path, sha256: str | None) -> None:
    if sha256 is not None and (got := sha256_of(dest)) != sha256.lower():
        raise DatasetError(f"{dest}: wrong checksum (sha256 {got}, expected {sha256}); "
                           "delete it to download it again")


def fetch(url: str, dest, sha256: str | None = None, *, retries: int | None = None) -> Path:
    """The file ``dest``, downloaded from ``url`` unless it is there already, checked against
    ``sha256`` (hex; ``None``: no check).  Raises :class:`DatasetError` if the download fails or
    the checksum differs (nothing is saved then)."""
    dest = Path(dest)
    if dest.is_file():
        _check_cached(dest, sha256)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    store = pooch.create(path=dest.parent, base_url="", registry={dest.name: f"sha256:{sha256}" if sha256 else None},
                         urls={dest.name: url}, retry_if_failed=RETRIES if retries is None else retries,
                         allow_updates=False)
    try:
        return Path(store.fetch(dest.name))
    except ValueError as exc:  # pooch: the downloaded file's hash differs (its temporary file is gone)
        raise DatasetError(f"{dest.name}: wrong checksum of the download from {url} ({exc}); "
                           "nothing was saved") from None
    except Exception as exc:  # network errors come in many types (requests, ftplib, OSError)
        raise DatasetError(f"{dest.name}: download from {url} failed ({type(exc).__name__}: {exc}); "
                           f"put the file at {dest} by hand") from None


def fetch_from_mirrors(fname: str, mirrors: Sequence[str], folder, sha256: str | None = None, *,
                       download: bool = True) -> Path:
    """``folder/fname``, from the cache or downloaded from the first of ``mirrors`` (base URLs
    ending in ``/``) that serves it with the right checksum."""
    dest = Path(folder) / fname
    if dest.is_file():
        _check_cached(dest, sha256)
        return dest
    if not download:
        raise DatasetError(f"{dest}: not found and downloads are off; download it or use idx:DIR")
    errors = []
    for base in mirrors:
        try:
            return fetch(base + fname, dest, sha256)
        except DatasetError as exc:
            errors.append(str(exc))
    raise DatasetError(f"could not get {fname}: " + " | ".join(errors))
