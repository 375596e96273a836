"""The fi-curve protocol and figure at small size."""
import numpy as np
import pytest

from workbench.archive import open_archive
from workbench.params import ParameterError
from workbench.protocol import load_figure, load_protocol, run


def test_fi_curve_protocol_and_figure(tmp_path):
    out = tmp_path / "fi.nc"
    run(load_protocol("fi-curve"), dict(models="lif,adex,izhikevich", n_currents=6, duration="300 ms"),
        backend="numpy", seed=1, out=out, progress=False)
    ds = open_archive(out)
    assert list(ds["model"].values) == ["lif", "adex", "izhikevich"]
    for name, var in ds.variables.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    rate = ds["rate"]
    # rates grow with current, and zero current gives silence for these models
    for m in ds["model"].values:
        r = rate.sel(model=m).values
        assert r[0] == 0 and r[-1] > 10 and np.all(np.diff(r) >= 0), (m, r)
    # LIF: spike counts in 300 ms against the analytic rate (count resolution 1/T = 3.3 Hz)
    lif = rate.sel(model="lif").values
    analytic = ds["lif_rate_analytic"].values
    assert np.all(np.abs(lif - analytic) <= 1 / 0.3 + 0.01 * analytic), (lif, analytic)
    fig = load_figure("fi-curves")(ds)
    fig.savefig(tmp_path / "fi.png")
    assert (tmp_path / "fi.png").stat().st_size > 5000


def test_fi_curve_rejects_unknown_models():
    with pytest.raises((ParameterError, ValueError), match="unknown neuron model"):
        run(load_protocol("fi-curve"), dict(models="lif,nonsense", n_currents=2, duration="10 ms"),
            backend="numpy", progress=False)
