"""Deploy a trained Diehl & Cook (stdp-digits) network on a simulated Loihi-like AER chip.

    workbench run stdp-digits --out dc.nc
    workbench run hardware --set source=dc.nc --set chip=loihi --set weight_bits=8 --out hw.nc
    workbench figure hw-bits hw.nc      (needs --set sweep_bits=1,2,4,8,16)
    workbench figure hw-energy hw.nc; workbench figure hw-links hw.nc; workbench figure hw-cores hw.nc
"""
from workbench.experiments.hardware import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults(chip="loihi", weight_bits=8)
