"""Liquid state machine of Maass, Natschläger & Markram 2002: separation property (their Fig. 2)
and classification of jittered spike templates with a linear readout.

    workbench run lsm --out lsm.nc
    workbench figure lsm-separation lsm.nc; workbench figure lsm-templates lsm.nc
"""
from workbench.experiments.lsm import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults()
