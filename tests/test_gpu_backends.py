"""GPU backends (Brian2GeNN, brian2cuda): clear errors without the stack, code generation in the profiles.

The GPU stacks pin their own Brian2, so they live in separate environments
(constraints/genn.txt, constraints/cuda.txt, docs/GPU.md).  Point these tests at
them with ``WORKBENCH_CUDA_PYTHON=/path/to/wb-cuda/bin/python`` and
``WORKBENCH_GENN_PYTHON=/path/to/wb-genn/bin/python``; without them (or without
a GPU for the run tests) those tests skip with the reason.  Brian2GeNN's limit on
synaptic delays is checked in any environment (``workbench.protocol.gpu.genn_check``).
The install checks live in ``workbench.backends.gpu``, the protocol checks in
``workbench.protocol.gpu``, the command line in ``workbench.gpu``.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench import backends, cli, gpu
from workbench.backends.gpu import GeNNUnsupported, stack_report
from workbench.protocol.gpu import genn_check

ROOT = Path(__file__).resolve().parent.parent


def _importable(module: str) -> bool:
    try:
        __import__(module)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("name, package, install", [
    ("genn", "brian2genn", "constraints/genn.txt"),
    ("cuda", "brian2cuda", "constraints/cuda.txt"),
])
def test_selecting_a_gpu_backend_without_its_stack_says_what_to_install(name, package, install):
    if _importable(package):
        pytest.skip(f"{package} is installed here: the error path cannot be exercised")
    with pytest.raises(backends.BackendUnavailable) as err:
        backends.check_available(name)
    msg = str(err.value)
    assert package in msg.lower() and install in msg and "pip install" in msg
    with pytest.raises(backends.BackendUnavailable):
        with backends.use_backend(name):
            pass


def test_cli_run_on_a_missing_gpu_backend_exits_with_the_install_message(tmp_path, capsys):
    if _importable("brian2cuda"):
        pytest.skip("brian2cuda is installed here")
    out = tmp_path / "x.nc"
    rc = cli.main(["run", "fi-curve", "--backend", "cuda", "--set", "models=lif", "--set", "n_currents=2",
                   "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "constraints/cuda.txt" in err and not out.exists()


def test_constraint_files_pin_the_stacks_that_pypi_can_satisfy():
    genn = (ROOT / "constraints" / "genn.txt").read_text()
    cuda = (ROOT / "constraints" / "cuda.txt").read_text()
    assert "brian2genn==1.7.0" in genn and "brian2==2.5.4" in genn and "numpy<2" in genn
    # brian2cuda 1.0b1 pins brian2==2.10.1, which needs Python >= 3.12: the profile uses 1.0a7 (brian2 2.8.0)
    assert "brian2cuda==1.0a7" in cuda and "brian2==2.8.0" in cuda


def test_gpu_stack_report_runs_here():
    rep = stack_report()
    assert rep["brian2"] and rep["python"]
    for key in ("brian2cuda", "brian2genn", "nvcc", "gpu", "GENN_PATH"):
        assert key in rep


def _profile_python(var: str) -> str:
    exe = os.environ.get(var)
    if not exe:
        pytest.skip(f"set {var} to the python of that GPU profile's environment (docs/GPU.md)")
    if not Path(exe).exists():
        pytest.skip(f"{var}={exe} does not exist")
    return exe


def _codegen(python: str, backend: str, protocol: str, *sets: str, tmp_path: Path) -> dict:
    cmd = [python, "-m", "workbench.gpu", "codegen", protocol, "--backend", backend,
           "--directory", str(tmp_path / f"{backend}-{protocol}")]
    for s in sets:
        cmd += ["--set", s]
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKBENCH_BUILD_DIR=str(tmp_path / "builds"))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout[proc.stdout.index("{"):])


def test_fi_curve_network_passes_brian2cuda_code_generation(tmp_path):
    py = _profile_python("WORKBENCH_CUDA_PYTHON")
    res = _codegen(py, "cuda", "fi-curve", "n_currents=3", tmp_path=tmp_path)
    build = Path(res["build_dir"])
    assert res["backend"] == "cuda" and (build / "main.cu").exists() and (build / "makefile").exists()
    # every neuron model of the library became a CUDA state updater
    from workbench.models import NEURONS

    for name in NEURONS:
        assert (build / "code_objects" / f"fi_{name}_stateupdater_codeobject.cu").exists(), name


def test_fi_curve_network_passes_brian2genn_code_generation(tmp_path):
    py = _profile_python("WORKBENCH_GENN_PYTHON")
    res = _codegen(py, "genn", "fi-curve", "n_currents=3", tmp_path=tmp_path)
    assert res["backend"] == "genn"
    assert (Path(res["build_dir"]) / "magicnetwork_model.cpp").exists()  # the GeNN model definition


# the three networks of the issue at small sizes: every neuron model, the LSM liquid, Diehl & Cook
NETWORKS = {
    "fi-curve": ("n_currents=3",),
    "lsm": ("n_pairs=2", "samples_per_class=4"),
    "stdp-digits": ("n_exc=10", "n_train=20", "n_test=10", "batch=20"),
}


def _codegen_proc(python: str, backend: str, protocol: str, *sets: str, tmp_path: Path):
    cmd = [python, "-m", "workbench.gpu", "codegen", protocol, "--backend", backend,
           "--directory", str(tmp_path / f"{backend}-{protocol}")]
    for s in sets:
        cmd += ["--set", s]
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKBENCH_BUILD_DIR=str(tmp_path / "builds"))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)


@pytest.mark.parametrize("protocol", ["lsm", "stdp-digits"])
def test_lsm_and_diehl_cook_pass_brian2cuda_code_generation(protocol, tmp_path):
    py = _profile_python("WORKBENCH_CUDA_PYTHON")
    res = _codegen(py, "cuda", protocol, *NETWORKS[protocol], tmp_path=tmp_path)
    build = Path(res["build_dir"])
    assert (build / "main.cu").exists() and (build / "makefile").exists()
    # no C++ that only cpp_standalone defines (the per-batch reseeding once used brian::_random_generators,
    # which made nvcc fail on the GPU machine)
    sources = [p for p in build.rglob("*") if p.suffix in (".cu", ".cpp", ".h", ".cuh")]
    assert len(sources) > 10
    offending = [str(p.relative_to(build)) for p in sources if "_random_generators" in p.read_text(errors="replace")]
    assert not offending, offending


def test_brian2genn_refuses_the_lsm_liquids_delays_with_a_clear_error(tmp_path):
    py = _profile_python("WORKBENCH_GENN_PYTHON")
    proc = _codegen_proc(py, "genn", "lsm", *NETWORKS["lsm"], tmp_path=tmp_path)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-3000:]
    err = proc.stderr
    assert "heterogeneous synaptic delays" in err and "cpp_standalone" in err and "Traceback" not in err
    assert "Synapses 'liquid_exc_synapses'" in err or "Synapses 'liquid_inh_synapses'" in err


# A network whose synaptic delays are set in each of the ways Brian2 allows (written into a temporary
# protocols/ folder): only one delay given to the Synapses initializer is what Brian2GeNN accepts.
DELAY_PROBE = '''
"""Delay probe: four neurons, all-to-all synapses with no, one, or one delay per synapse."""
import numpy as np
import xarray as xr
from brian2 import Network, NeuronGroup, SpikeMonitor, Synapses, ms
from workbench.backends import Simulation, model_key, use_backend
from workbench.params import Param
from workbench.protocol import Protocol


def _run(params, ctx):
    with use_backend(ctx.backend, key=model_key("delay-probe", params.delays), seed=ctx.seed) as be:
        G = NeuronGroup(4, "dv/dt = (2 - v) / (10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", name="cells")
        if params.delays == "initializer":
            S = Synapses(G, G, on_pre="v_post += 0.1", delay=2 * ms, name="recurrent")
        else:
            S = Synapses(G, G, on_pre="v_post += 0.1", name="recurrent")
        S.connect()
        if params.delays == "expression":
            S.delay = "j * 1*ms"
        elif params.delays == "array":
            S.delay = np.arange(16) * 0.5 * ms  # 4 x 4 synapses
        M = SpikeMonitor(G, name="cell_spikes")
        Simulation(Network(G, S, M), 20 * ms, be).run()
        n = len(M.t[:])
    return xr.Dataset({"n_spikes": ((), n, {"units": "1", "long_name": "spike count"})})


PROTOCOL = Protocol(name="delay-probe", func=_run, default_backend="cpp_standalone",
                    params={"delays": Param("none", "how delays are set",
                                            choices=("none", "initializer", "expression", "array"))})
'''


@pytest.fixture
def delay_probe(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "protocols").mkdir(parents=True)
    (root / "protocols" / "delay_probe.py").write_text(DELAY_PROBE)
    monkeypatch.setenv("WORKBENCH_ROOT", str(root))
    monkeypatch.setenv("WORKBENCH_BUILD_DIR", str(tmp_path / "builds"))
    return root


@pytest.mark.parametrize("delays, ok", [("none", True), ("initializer", True), ("expression", False),
                                        ("array", False)])
def test_genn_check_applies_brian2genns_delay_rule_without_gpu_software(delay_probe, delays, ok, capsys):
    """Brian2GeNN 1.7 accepts a delay only as one value given to the Synapses initializer; the check
    finds any other assignment before Brian2GeNN, GeNN or a GPU is needed."""
    if ok:
        assert genn_check("delay-probe", {"delays": delays})["n_sources"] > 0
        return
    with pytest.raises(GeNNUnsupported, match="heterogeneous synaptic delays") as err:
        genn_check("delay-probe", {"delays": delays})
    assert "'recurrent'" in str(err.value) and "cpp_standalone" in str(err.value)
    assert isinstance(err.value, backends.BackendError)
    # the command line says the same and exits with status 2
    assert gpu.main(["genn-check", "delay-probe", "--set", f"delays={delays}"]) == 2
    assert "heterogeneous synaptic delays" in capsys.readouterr().err
    # and 'workbench run --backend genn' refuses it the same way, before GeNN is needed
    assert cli.main(["run", "delay-probe", "--backend", "genn", "--set", f"delays={delays}", "--no-save",
                     "--quiet"]) == 2
    assert "heterogeneous synaptic delays" in capsys.readouterr().err


def test_genn_check_names_the_lsm_liquid(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_BUILD_DIR", str(tmp_path / "builds"))
    with pytest.raises(GeNNUnsupported, match="'liquid_(exc|inh)_synapses'"):
        genn_check("lsm", {"n_pairs": 2, "samples_per_class": 4})
    # the check leaves the standalone device as it found it: a normal run still works afterwards
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    assert "variableview_set_with_expression" not in CPPStandaloneDevice.__dict__


@pytest.mark.gpu
def test_cuba_on_cuda_matches_cpp_standalone_rate(tmp_path):
    py = _profile_python("WORKBENCH_CUDA_PYTHON")
    if not shutil.which("nvidia-smi") or subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode:
        pytest.skip("no NVIDIA GPU here")
    out = tmp_path / "cuba.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([py, str(ROOT / "benchmarks" / "gpu_cuba.py"), "--backends", "cpp_standalone", "cuda",
                           "--N", "4000", "--duration", "0.5", "--json", str(out)],
                          capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    rows = {r["backend"]: r for r in map(json.loads, out.read_text().splitlines())}
    # the same network (different random draws): the same mean rate within 5%
    assert abs(rows["cuda"]["rate_Hz"] - rows["cpp_standalone"]["rate_Hz"]) < 0.05 * rows["cpp_standalone"]["rate_Hz"]
