"""A small stdp-digits-like archive built without training (class-mean receptive fields), for the tests."""
import numpy as np
import xarray as xr
from brian2 import Hz, mV, ms

from workbench.archive import provenance, save
from workbench.networks.diehl_cook import DC_PARAMS


def _in_archive_units(q):
    """(value, unit) as a stdp-digits archive stores a constant (mV, ms, Hz or dimensionless)."""
    for name, unit in (("mV", mV), ("ms", ms), ("Hz", Hz)):
        if getattr(q, "dim", None) == unit.dim:
            return float(q / unit), name
    return float(q), "1"


#: The Diehl & Cook constants a deployment reads from a stdp-digits archive.
DC = {k: _in_archive_units(DC_PARAMS[k]) for k in (
    "v_rest_e", "v_reset_e", "v_thresh_e", "v_rest_i", "v_reset_i", "v_thresh_i", "t_ref_e", "t_ref_i", "tau_e",
    "tau_i", "E_exc", "E_inh_e", "tau_ge", "tau_gi", "theta_offset", "w_ei", "w_ie", "rate_per_level", "intensity0",
    "d_intensity")}


def synthetic_dc_archive(path, per_class=2, seed=0):
    """Receptive fields = mean training image of a class (plus noise), normalised to sum 78 (Diehl & Cook)."""
    from workbench.datasets import load_images

    data = load_images("digits")
    rng = np.random.default_rng(seed)
    rows, cols = data.shape
    rf, assign = [], []
    for c in range(10):
        mean = data.train_images[data.train_labels == c].astype(float).mean(axis=0)
        for _ in range(per_class):
            w = mean + rng.random(mean.shape) * 10
            rf.append(w / w.sum() * 78.0)
            assign.append(c)
    rf = np.array(rf)
    n = len(rf)
    ds = xr.Dataset({
        "receptive_field": (("neuron", "row", "col"), rf, {"units": "1", "long_name": "input weight"}),
        "theta": (("neuron",), 20 + rng.random(n) * 2, {"units": "mV", "long_name": "theta"}),
        "assignment": (("neuron",), np.array(assign), {"units": "1", "long_name": "assigned class"}),
        "input_delay": (("neuron", "row", "col"), rng.random(rf.shape) * 10, {"units": "ms", "long_name": "delay"}),
        "test_accuracy": ((), 0.0, {"units": "1", "long_name": "not trained"}),
    })
    for k, (v, u) in DC.items():
        ds[f"param_{k}"] = xr.DataArray(float(v), attrs={"units": u, "long_name": k})
    ds.attrs.update(provenance(protocol="stdp-digits", config={"dataset": "digits"}, config_hash="synthetic",
                               seed=seed, backend="none"))
    save(ds, path)
    return path
