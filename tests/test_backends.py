"""Backend selection, standalone re-runs with run_args, build caching."""
import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, ms

from workbench import backends


def _net():
    G = NeuronGroup(4, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1", reset="v = 0", method="exact")
    G.I = np.array([1.2, 1.5, 2.0, 3.0])
    M = SpikeMonitor(G)
    return G, M, Network(G, M)


def test_unknown_backend():
    with pytest.raises(backends.BackendError, match="valid backends"):
        backends.canonical("tpu")


@pytest.mark.parametrize("name", ["genn", "cuda"])
def test_gpu_backends_unavailable_message(name):
    mod = "brian2genn" if name == "genn" else "brian2cuda"
    try:
        __import__(mod)
        pytest.skip(f"{mod} is installed here")
    except ImportError:
        pass
    with pytest.raises(backends.BackendUnavailable) as exc:
        backends.check_available(name)
    assert f"constraints/{name}.txt" in str(exc.value) and "pip install" in str(exc.value)


@pytest.mark.parametrize("name", ["numpy", "cpp_standalone"])
def test_rerun_with_new_values(name, tmp_path):
    with backends.use_backend(name, build_dir=tmp_path / "b" if name != "numpy" else None, seed=1) as be:
        G, M, net = _net()
        sim = backends.Simulation(net, 100 * ms, be)
        sim.run()
        first = np.array(M.count[:])
        sim.run({G.I: np.array([3.0, 2.0, 1.5, 1.2])})
        second = np.array(M.count[:])
    assert np.all(np.diff(first) > 0)
    np.testing.assert_array_equal(second, first[::-1])


def test_standalone_resets_device_afterwards(tmp_path):
    from brian2 import get_device

    with backends.use_backend("cpp_standalone", build_dir=tmp_path / "b"):
        pass
    assert type(get_device()).__name__ == "RuntimeDevice"


def test_openmp_warns(tmp_path):
    with pytest.warns(UserWarning, match="OpenMP"):
        with backends.use_backend("cpp_standalone", build_dir=tmp_path / "b", threads=2):
            pass


def test_fast_math_linked(tmp_path):
    with backends.use_backend("cpp_standalone", build_dir=tmp_path / "b") as be:
        G, M, net = _net()
        backends.Simulation(net, 10 * ms, be).run()
    makefile = (tmp_path / "b" / "makefile").read_text()
    lflags = [line for line in makefile.splitlines() if line.startswith("LFLAGS")][0]
    assert "-ffast-math" in lflags


def test_make_jobs_bounded(monkeypatch):
    """Standalone builds compile with a bounded make -j (Brian2's default is unbounded)."""
    from brian2 import prefs

    from workbench.backends import BackendError, make_jobs, use_backend

    monkeypatch.setenv("WORKBENCH_MAKE_JOBS", "3")
    assert make_jobs() == 3
    with use_backend("cpp_standalone", seed=1):
        assert prefs.devices.cpp_standalone.extra_make_args_unix == ["-j3"]
    assert prefs.devices.cpp_standalone.extra_make_args_unix != ["-j3"]   # restored afterwards
    for bad in ("0", "many"):
        monkeypatch.setenv("WORKBENCH_MAKE_JOBS", bad)
        with pytest.raises(BackendError, match="WORKBENCH_MAKE_JOBS"):
            make_jobs()
    monkeypatch.delenv("WORKBENCH_MAKE_JOBS")
    assert make_jobs() >= 1
