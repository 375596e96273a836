"""Archives: round trip, provenance, atomic writes, clear errors for non-archives."""
import json
import os

import numpy as np
import pytest
import xarray as xr

from workbench import archive


def _ds():
    ds = xr.Dataset(
        {
            "spike_neuron": ("spike", np.array([0, 2, 1], dtype=np.int32), {"units": "1", "long_name": "neuron"}),
            "spike_time": ("spike", np.array([1.0, 2.5, 3.0]), {"units": "ms", "long_name": "spike time"}),
            "v": (("neuron", "time"), np.random.default_rng(0).normal(size=(3, 4)), {"units": "mV", "long_name": "v"}),
            "test_accuracy": ((), 0.875, {"units": "1", "long_name": "test accuracy"}),
            "mask": ("neuron", np.array([True, False, True]), {"units": "1", "long_name": "mask"}),
        },
        coords={"time": ("time", np.arange(4) * 0.1, {"units": "ms", "long_name": "time"})},
    )
    ds.attrs.update(archive.provenance(protocol="demo", config={"a": 1, "tau": "5.0 ms"}, config_hash="abc",
                                       seed=3, backend="numpy", wall_time=1.0))
    return ds


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_round_trip_identical(tmp_path, suffix):
    ds = _ds()
    path = archive.save(ds, tmp_path / f"run{suffix}")
    back = archive.open_archive(path)
    xr.testing.assert_identical(back, ds)
    assert back["mask"].dtype == bool


def test_provenance_fields():
    attrs = _ds().attrs
    for key in ("protocol", "config", "config_hash", "seed", "backend", "workbench_version", "brian2_version",
                "numpy_version", "git_commit", "start_time", "end_time", "wall_time_s"):
        assert key in attrs, key
    assert json.loads(attrs["config"]) == {"a": 1, "tau": "5.0 ms"}


def test_interrupted_save_keeps_old_archive(tmp_path, monkeypatch):
    path = tmp_path / "run.nc"
    archive.save(_ds(), path)
    good = path.read_bytes()

    def boom(self, *a, **k):
        with open(a[0], "wb") as fh:
            fh.write(b"half-written")
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
    with pytest.raises(KeyboardInterrupt):
        archive.save(_ds(), path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["run.nc"]  # no temporary left behind


def test_not_an_archive(tmp_path):
    bad = tmp_path / "junk.nc"
    bad.write_bytes(b"this is not netcdf")
    with pytest.raises(archive.ArchiveError, match="junk.nc"):
        archive.open_archive(bad)
    plain = tmp_path / "plain.nc"
    xr.Dataset({"x": ("a", [1, 2])}).to_netcdf(plain, engine="h5netcdf")
    with pytest.raises(archive.ArchiveError, match="not a workbench archive"):
        archive.open_archive(plain)
    with pytest.raises(archive.ArchiveError, match="no such archive"):
        archive.open_archive(tmp_path / "missing.nc")


def test_quantity_attr_refused(tmp_path):
    from brian2 import ms

    ds = _ds()
    ds["v"].attrs["tau"] = 5 * ms
    with pytest.raises(archive.ArchiveError, match="quantity"):
        archive.save(ds, tmp_path / "x.nc")


def test_save_needs_provenance(tmp_path):
    with pytest.raises(archive.ArchiveError, match="provenance"):
        archive.save(xr.Dataset({"x": ("a", [1])}), tmp_path / "x.nc")
