"""A small stdp-digits-like archive built without training (class-mean receptive fields), for the tests."""
import numpy as np
import xarray as xr

from workbench.archive import provenance, save

DC = dict(v_rest_e=(-65, "mV"), v_reset_e=(-65, "mV"), v_thresh_e=(-52, "mV"), v_rest_i=(-60, "mV"),
          v_reset_i=(-45, "mV"), v_thresh_i=(-40, "mV"), t_ref_e=(5, "ms"), t_ref_i=(2, "ms"), tau_e=(100, "ms"),
          tau_i=(10, "ms"), E_exc=(0, "mV"), E_inh_e=(-100, "mV"), tau_ge=(1, "ms"), tau_gi=(2, "ms"),
          theta_offset=(20, "mV"), w_ei=(10.4, "1"), w_ie=(17.0, "1"), rate_per_level=(0.125, "Hz"),
          intensity0=(2.0, "1"), d_intensity=(1.0, "1"))


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
