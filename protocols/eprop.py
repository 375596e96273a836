"""Recurrent LIF/ALIF spiking networks trained with e-prop (Bellec et al. 2020, Nat. Commun. 11:3625).

    workbench run eprop --set task=pattern --out pattern.nc       # sum of sines, 3 outputs, 1 s
    workbench run eprop --set task=evidence --out evidence.nc     # evidence accumulation (Fig. 3)
    workbench figure eprop-learning pattern.nc
    workbench figure eprop-raster evidence.nc
    workbench figure eprop-outputs pattern.nc
"""
from workbench.experiments.eprop import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults()
