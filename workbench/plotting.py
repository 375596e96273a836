"""Shared figure style and helpers: every figure script uses :func:`use_style`."""
from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

__all__ = ["use_style", "STYLE", "label", "save"]

STYLE = Path(__file__).with_name("workbench.mplstyle")


def use_style():
    """Select the non-interactive backend and the workbench style sheet."""
    matplotlib.use("Agg", force=False)
    plt.style.use(str(STYLE))
    return plt


def label(da) -> str:
    """Axis label ``long_name (units)`` from a DataArray's attributes."""
    name = da.attrs.get("long_name", da.name)
    units = da.attrs.get("units", "")
    return f"{name} ({units})" if units and units != "1" else str(name)


def save(fig, path) -> Path:
    """Save ``fig`` (creating the folder) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
