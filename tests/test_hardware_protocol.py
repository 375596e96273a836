"""The hardware protocol end to end on a small synthetic stdp-digits archive and on a tiny real biosignal (LSM)
archive, and its figure scripts."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_hardware_fixtures import synthetic_dc_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hw_archive(tmp_path_factory):
    from workbench.protocol import run

    d = tmp_path_factory.mktemp("hw")
    src = synthetic_dc_archive(d / "dc.nc", per_class=2)
    chip = d / "mini.toml"
    chip.write_text('base = "loihi"\nname = "loihi-16"\nneurons_per_core = 16\n')
    out = d / "hw.nc"
    ds = run("hardware", dict(source=str(src), chip=str(chip), n_test=20, n_assign=30, t_present="120 ms",
                              sweep_bits="1,4,8"), out=out, progress=False)
    return ds, out, d


def test_protocol_reports_accuracy_energy_latency_traffic(hw_archive):
    ds, out, _ = hw_archive
    for k in ("test_accuracy", "float_accuracy", "energy_per_inference", "latency_per_inference",
              "spikes_per_inference", "packets_per_inference", "cores_used"):
        assert k in ds and ds[k].attrs["units"] and ds[k].attrs["long_name"]
    assert float(ds["float_accuracy"]) > 0.4  # class-mean receptive fields classify digits
    # 8-bit weights track the chip's own arithmetic in float64 (the conductance-to-current conversion of a
    # chip without conductance synapses, in float_accuracy - chip_float_accuracy, is not quantization)
    assert abs(float(ds["chip_float_accuracy"]) - float(ds["test_accuracy"])) <= 0.15
    assert float(ds["cores_used"]) >= 3  # 40 neurons on 16-neuron cores
    e = ds["energy_by_event"].values
    assert np.isclose(e.sum(), float(ds["energy_per_inference"]))
    assert float(ds["sweep_accuracy"].sel(bits=8)) >= float(ds["sweep_accuracy"].sel(bits=1))
    assert ds["sweep_weight_error"].sel(bits=1) > ds["sweep_weight_error"].sel(bits=8)
    assert len(ds["aer_tick"]) > 0


def test_figure_scripts(hw_archive):
    """Every figure script makes a non-empty figure from the archive; one runs as a script (its __main__)."""
    from workbench.plotting import save
    from workbench.protocol import load_figure

    ds, out, d = hw_archive
    for name in ("hw-bits", "hw-links", "hw-cores"):
        fig = load_figure(name)(ds)
        png = save(fig, d / f"{name}.png")
        assert png.stat().st_size > 10_000 and len(fig.axes) >= 2
    png = d / "hw_energy.png"
    r = subprocess.run([sys.executable, str(ROOT / "figures" / "hw_energy.py"), str(out), "--out", str(png)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert png.stat().st_size > 10_000


def test_cli_with_learning_and_bad_source(hw_archive, tmp_path):
    from workbench.protocol import run
    from workbench.params import ParameterError

    _, _, d = hw_archive
    ds = run("hardware", dict(source=str(d / "dc.nc"), chip="loihi", weight_bits=4, n_test=10, n_assign=20,
                              t_present="80 ms", learning="chip", n_learn=3, nir=str(tmp_path / "dc.nir")),
             progress=False)
    assert 0 <= float(ds["test_accuracy"]) <= 1 and ds.attrs["learning"] == "chip"
    import nir

    g = nir.read(tmp_path / "dc.nir")
    from workbench.archive import open_archive

    n_in = open_archive(d / "dc.nc")["receptive_field"][0].size
    assert g.nodes["input_exc"].weight.shape == (20, n_in) and "exc" in g.nodes
    with pytest.raises(ParameterError, match="source"):
        run("hardware", dict(source=""), progress=False)
    r = subprocess.run([sys.executable, "-m", "workbench.cli", "run", "hardware", "--set", f"source={d / 'dc.nc'}",
                        "--set", "chip=truenorth", "--set", "n_test=5", "--set", "n_assign=10",
                        "--set", "t_present=50 ms", "--out", str(tmp_path / "tn.nc")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "tn.nc").exists()


def test_biosignal_lsm_archive_is_deployed(tmp_path):
    """A tiny real biosignal (LSM) run; its archive alone (liquid, encoded spikes, folds) is deployed."""
    from brian2 import Hz, ms

    from workbench.archive import open_archive
    from workbench.networks.liquid import liquid_from_dataset
    from workbench.protocol import run

    bio = run("biosignal", {"synthetic_per_class": 4, "cv_folds": 2, "n_time": 60, "fs": 250 * Hz,
                            "shape": [4, 3, 3], "n_readout": 2, "dt": 0.5 * ms}, backend="numpy", seed=3,
              out=tmp_path / "bio.nc", progress=False)
    src = open_archive(tmp_path / "bio.nc")
    assert liquid_from_dataset(src).N == 36 and src["encoded_spike_time"].attrs["units"] == "ms"
    role = src["fold_role"].values  # 2-fold CV: every sample once for training (1), once for testing (2)
    assert role.shape == (2, 12) and np.all(np.sort(role, axis=0) == [[1], [2]])
    hw = run("hardware", dict(source=str(tmp_path / "bio.nc"), chip="loihi", weight_bits=6, dt="1 ms",
                              sweep_bits="2,8"), progress=False)
    assert hw.attrs["source_protocol"] == "biosignal"
    assert 0 <= float(hw["test_accuracy"]) <= 1 and float(hw["spikes_per_inference"]) > 0
    assert float(hw["energy_per_inference"]) > 0 and len(hw["bits"]) == 2 and hw.sizes["test_image"] == 12
    assert np.array_equal(np.sort(hw["label"].values), np.sort(bio["label"].values))
    assert "static" in json.loads(hw.attrs["approximations"])[-1]
    # same archive, same seed: the same deployment
    again = run("hardware", dict(source=str(tmp_path / "bio.nc"), chip="loihi", weight_bits=6, dt="1 ms"),
                progress=False)
    assert float(again["spikes_per_inference"]) == float(hw["spikes_per_inference"])
