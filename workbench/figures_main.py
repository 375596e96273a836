"""The ``__main__`` of every figure script: ``python figures/NAME.py ARCHIVE [--out FILE]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from .archive import open_archive
from .plotting import save, use_style

__all__ = ["figure_main"]


def figure_main(make, doc: str | None = None, argv=None) -> int:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("archive")
    p.add_argument("--out")
    args = p.parse_args(argv)
    use_style()
    ds = open_archive(args.archive)
    fig = make(ds)
    out = args.out or str(Path(args.archive).with_suffix("")) + ".png"
    save(fig, out)
    print(f"figure: {out}")
    return 0
