"""Biomedical signal classification: spike encoding, LSM + linear readout, raw and input baselines.

    workbench run biosignal --set dataset=mitdb:../shared/data/mitdb --set model=lsm --set encoder=delta --out run.nc
    workbench run biosignal --set dataset=aeon:JapaneseVowels --set encoder=rate --set fs=100Hz --out jv.nc
    workbench figure biosignal-encoding run.nc; workbench figure biosignal-raster run.nc
    workbench figure biosignal-confusion run.nc; workbench figure biosignal-size run.nc
"""
from workbench.experiments.biosignal import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults()
