"""Archive variables with units: quantities stored in a unit, plain numbers labelled, monitors and
synapses to xarray, and the check that finds variables without units or long names."""
import numpy as np
import pytest
import xarray as xr
from brian2 import (DimensionMismatchError, Hz, Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, mV,
                    ms, second)

from workbench import archive
from workbench.recording import check_attrs, scalar, spikes, states, variable, weights


def test_quantities_are_stored_in_the_unit_given():
    t = variable(np.array([1.0, 2.5]) * second, "time", ms, "time")
    assert t.attrs == {"units": "ms", "long_name": "time"} and t.values.tolist() == [1000.0, 2500.0]
    assert variable(np.array([1.0]) * second, "time", "ms", "time").values.tolist() == [1000.0]
    r = scalar(20 * Hz, Hz, "mean rate")
    assert r.ndim == 0 and float(r) == pytest.approx(20.0) and r.attrs["units"] == "Hz"


def test_plain_numbers_are_labelled_not_converted():
    v = variable(np.arange(3), "step", "1", "current step")
    assert v.values.tolist() == [0, 1, 2] and v.attrs["units"] == "1"
    assert variable([2.0], "x", "bit", "weight bits").attrs["units"] == "bit"


def test_unit_mistakes_raise():
    with pytest.raises(DimensionMismatchError, match="'v'.*cannot store a quantity in ms"):
        variable(np.ones(2) * mV, "time", ms, "v")
    with pytest.raises(DimensionMismatchError, match="plain numbers given with the unit ms.*values \\* ms"):
        variable(np.ones(2), "time", ms, "t")
    with pytest.raises(ValueError, match="'bit' is not a Brian2 unit"):
        variable(np.ones(2) * mV, "time", "bit", "v")


def test_check_attrs_names_what_lacks_units_or_long_name():
    ds = xr.Dataset({"a": variable([1.0], "x", "1", "a"), "b": xr.DataArray([1.0], dims="x", attrs={"units": "s"})},
                    coords={"x": variable([0], "x", "1", "index")})
    with pytest.raises(ValueError, match=r"b \(long_name\)"):
        check_attrs(ds)
    assert check_attrs(ds.drop_vars("b")) is not None


def test_monitors_and_synapses_to_xarray_round_trip(tmp_path):
    G = NeuronGroup(3, "dv/dt = (1.2 - v) / (10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact",
                    name="cells")
    G.v = [0.0, 0.3, 0.6]
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="recurrent")
    S.connect(i=[0, 1], j=[1, 2])
    S.w = [0.1, 0.2]
    sm, st = SpikeMonitor(G, name="cell_spikes"), StateMonitor(G, "v", record=[0, 2], name="cell_v")
    Network(G, S, sm, st).run(30 * ms)
    ds = xr.Dataset({**spikes(sm, prefix="exc"), **states(st, prefix="exc"), **weights(S)})
    check_attrs(ds)
    assert ds["exc_spike_time"].attrs["units"] == "ms" and ds.sizes["exc_spike"] == len(sm.t[:])
    assert np.all(np.diff(ds["exc_spike_time"].values) >= 0)  # sorted by time
    assert ds["exc_v"].dims == ("exc_neuron", "exc_time") and ds["exc_neuron"].values.tolist() == [0, 2]
    assert ds["w"].values.tolist() == [0.1, 0.2] and ds["pre"].values.tolist() == [0, 1]
    ds.attrs = archive.provenance(protocol="test", config={}, config_hash="0", seed=0, backend="numpy")
    path = archive.save(ds, tmp_path / "r.nc")
    xr.testing.assert_identical(archive.open_archive(path), ds)
