"""f-I curves of every neuron model in the library (constant current, 1 s per step).

    workbench run fi-curve --out fi.nc
    workbench figure fi-curves fi.nc
"""
from workbench.experiments.fi_curve import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults(n_currents=25)
