"""Where the project's folders are: the checkout (``protocols/``, ``figures/``) and the download cache."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "cache_dir"]


def project_root() -> Path:
    """The folder holding ``protocols/`` and ``figures/``: ``$WORKBENCH_ROOT``, the source
    checkout the package was installed from (editable install), or the working directory."""
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    if (here / "protocols").is_dir():
        return here
    return Path.cwd()


def cache_dir() -> Path:
    """Downloads: ``$WORKBENCH_DATA_CACHE``, or ``data/cache`` in the project root (git-ignored)."""
    env = os.environ.get("WORKBENCH_DATA_CACHE")
    return Path(env) if env else project_root() / "data" / "cache"
