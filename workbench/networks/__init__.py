"""Network builders: named Brian2 objects made from :mod:`workbench.models`, with each network's
defining constants (and their sources) written here once.

- :mod:`.liquid`: the liquid of Maass, Natschläger & Markram 2002 (LSM)
"""
from .liquid import PAPER as LIQUID_PAPER, Liquid, LiquidRun, make_liquid

__all__ = ["LIQUID_PAPER", "Liquid", "LiquidRun", "make_liquid"]
