"""The sweep folder: ``sweep.json`` (the manifest), ``points/`` (``point-<hash>.nc`` archives and
``point-<hash>.error.json`` records), ``sweep-log.jsonl`` (one record per point run)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .grid import SweepError

__all__ = ["MANIFEST", "POINTS", "LOG", "STATUS_COMPLETE", "STATUS_FAILED", "STATUS_MISSING", "points_dir",
           "read_manifest", "write_json"]

MANIFEST = "sweep.json"
POINTS = "points"
LOG = "sweep-log.jsonl"

#: point_status values in a collected Dataset
STATUS_COMPLETE, STATUS_FAILED, STATUS_MISSING = 1, 0, -1


def points_dir(directory: Path) -> Path:
    return directory / POINTS


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise SweepError(f"{directory}: no {MANIFEST}; is this a sweep folder (workbench sweep ... --out DIR)?")
    return json.loads(path.read_text())


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1, default=str)
    os.replace(tmp, path)
