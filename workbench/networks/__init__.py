"""Network builders: named Brian2 objects made from :mod:`workbench.models`, each network's defining
constants (with their sources) defined once beside its builder."""
from .diehl_cook import DC_PARAMS, DiehlCookNetwork, build_network as build_diehl_cook

__all__ = ["DC_PARAMS", "DiehlCookNetwork", "build_diehl_cook"]
