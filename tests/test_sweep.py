"""Parameter sweeps on Dask: grid validation, point archives, resume, failures, collect, builds, clusters."""
import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench import cli  # noqa: E402
from workbench.archive import open_archive  # noqa: E402
from workbench.protocol import load_protocol  # noqa: E402
from workbench.sweep import SweepError, collect, expand, parse_grid, sweep  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TINY = {"models": "lif", "n_currents": "3", "duration": "50 ms"}

# A protocol whose swept current goes through run_args (one build for every current), while
# the group size N is structure (one build per N).  Written into a temporary protocols/ folder.
PROBE = '''
"""Sweep probe: LIF neurons under a constant current given through run_args."""
import numpy as np
import xarray as xr
from brian2 import Network, SpikeMonitor, defaultclock, ms, pA, second
from workbench import models
from workbench.backends import Simulation, model_key, use_backend
from workbench.params import Param
from workbench.protocol import Protocol


def _run(params, ctx):
    if params.fail:
        raise RuntimeError("probe asked to fail")
    key = model_key("sweep-probe", params.N, params.duration)
    with use_backend(ctx.backend, key=key, seed=ctx.seed) as be:
        defaultclock.dt = 0.1 * ms
        G = models.neuron_group(models.neuron("lif"), params.N, name="probe")
        # unnamed on purpose: Brian2 names it (and its clock) after the objects still alive, so a
        # sweep worker that kept the last point's network would generate different code
        G.run_regularly("v = v", dt=10 * ms)
        M = SpikeMonitor(G, name="probe_spikes")
        sim = Simulation(Network(G, M), params.duration, be)
        sim.run({G.I: np.full(params.N, float(params.current / pA)) * pA})
        count = np.asarray(M.count[:], dtype=float)
    rate = count / float(params.duration / second)
    return xr.Dataset({
        "rate": (("neuron",), rate, {"units": "Hz", "long_name": "firing rate"}),
        "mean_rate": ((), rate.mean(), {"units": "Hz", "long_name": "mean firing rate"}),
        "count": (("neuron",), count.astype(np.int64), {"units": "1", "long_name": "spike count"}),
    })


PROTOCOL = Protocol(
    name="sweep-probe", func=_run, default_backend="cpp_standalone",
    params={"N": Param(4, "neurons"), "current": Param(400 * pA, "constant current"),
            "duration": Param(100 * ms, "simulated time"), "fail": Param(False, "raise on purpose")},
)
'''


@pytest.fixture
def probe_root(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "protocols").mkdir(parents=True)
    (root / "protocols" / "sweep_probe.py").write_text(PROBE)
    monkeypatch.setenv("WORKBENCH_ROOT", str(root))
    return root


# ----------------------------------------------------------------------------- grid


def test_parse_grid_commas_semicolons_and_errors():
    assert parse_grid(["a=1,2", "b=x"]) == {"a": ["1", "2"], "b": ["x"]}
    assert parse_grid(["models=lif,adex;hh_traub"]) == {"models": ["lif,adex", "hh_traub"]}
    with pytest.raises(SweepError, match="twice"):
        parse_grid(["a=1", "a=2"])
    with pytest.raises(SweepError, match="empty entry"):
        parse_grid(["a=1,,2"])
    with pytest.raises(SweepError, match="key=v1"):
        parse_grid(["a"])


def test_expand_validates_every_point_and_names_the_key():
    proto = load_protocol("fi-curve")
    points, units, backend, seeds = expand(proto, ["current_scale=0.5,1", "dt=0.05ms,0.1 ms"],
                                           overrides=TINY, seeds=3)
    assert len(points) == 2 * 2 * 3 and seeds == [0, 1, 2] and backend == "numpy"
    assert units == {"current_scale": "1", "dt": "ms"}
    assert sorted({p.coords["dt"] for p in points}) == [0.05, 0.1]
    assert len({p.hash for p in points}) == len(points)  # seed and values are in the hash
    with pytest.raises(SweepError, match="'dt'.*units"):
        expand(proto, ["dt=0.05ms,3 mV"], overrides=TINY)
    with pytest.raises(SweepError, match="unknown parameter 'n_current'"):
        expand(proto, ["n_current=3,4"])
    with pytest.raises(SweepError, match="both fixed"):
        expand(proto, ["n_currents=3,4"], overrides=TINY)
    with pytest.raises(SweepError, match="same parameter value"):
        expand(proto, ["dt=0.1ms,100us"], overrides=TINY)


# ----------------------------------------------------------------------------- local cluster, CLI


def test_cli_sweep_failure_resume_collect_and_heatmap(tmp_path, capsys, monkeypatch):
    out = tmp_path / "sw"
    args = ["sweep", "fi-curve", "--grid", "current_scale=0.8,1.2", "--grid", "models=lif;no_such_model",
            "--set", "n_currents=3", "--set", "duration=50ms", "--seeds", "2", "--workers", "2",
            "--out", str(out), "--quiet"]
    rc = cli.main(args)
    text = capsys.readouterr().out
    assert rc == 1, text  # two grid points fail ...
    assert "8 points" in text and "4 ran" in text and "4 failed" in text
    ok = sorted(out.glob("points/*.nc"))
    errors = sorted(out.glob("points/*.error.json"))
    assert len(ok) == 4 and len(errors) == 4  # ... and do not take the sweep down
    err = json.loads(errors[0].read_text())
    assert "no_such_model" in err["error"] and "Traceback" in err["traceback"]
    # every archive is named by its point hash and carries it
    ds = open_archive(ok[0])
    assert ok[0].stem == f"point-{ds.attrs['sweep_point']}" and ds.attrs["status"] == "complete"

    # resume: nothing left but the failed points; delete one good archive -> only it (and the failures) rerun
    ok[0].unlink()
    rc = cli.main(args)
    text = capsys.readouterr().out
    assert "3 already done" in text and "1 ran" in text and "4 failed" in text, text

    nc = tmp_path / "sweep.nc"
    assert cli.main(["collect", str(out), "--out", str(nc)]) == 0
    merged = open_archive(nc)
    assert merged.sizes["current_scale"] == 2 and merged.sizes["models"] == 2 and merged.sizes["seed"] == 2
    status = merged["point_status"]
    assert int((status == 1).sum()) == 4 and int((status == 0).sum()) == 4
    bad = merged.sel(models="no_such_model")
    assert bool(np.isnan(bad["rate"]).all()) and "no_such_model" in str(bad["point_error"].values.flat[0])
    good = merged.sel(models="lif", model="lif")
    assert merged["current_scale"].attrs["units"] == "1" and merged["rate"].attrs["units"] == "Hz"
    # more current -> more spikes, for each seed
    assert bool((good["rate"].sel(current_scale=1.2).sum("step") > good["rate"].sel(current_scale=0.8).sum("step")).all())

    png = tmp_path / "heat.png"
    assert cli.main(["figure", "sweep-heatmap", str(nc), "--out", str(png)]) == 0
    assert png.stat().st_size > 5000
    # the figure script's own __main__, with a metric and axes chosen
    png2 = tmp_path / "heat2.png"
    monkeypatch.setattr(sys, "argv", ["sweep_heatmap.py", str(nc), "--out", str(png2), "--metric", "rate",
                                      "--x", "current_scale", "--y", "models"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(ROOT / "figures" / "sweep_heatmap.py"), run_name="__main__")
    assert exit_.value.code == 0 and png2.exists()

    # the Python API: lazy, Dask-backed until loaded or saved
    import dask.array as da

    lazy = collect(out)
    assert isinstance(lazy["rate"].data, da.Array)
    lazy.close()
    with pytest.raises(SweepError, match="no sweep.json"):
        collect(tmp_path)


# ----------------------------------------------------------------------------- standalone builds


def test_standalone_builds_are_reused_across_run_args_points_and_workers(probe_root, tmp_path, monkeypatch):
    from workbench import backends

    monkeypatch.setenv("WORKBENCH_BUILD_DIR", str(tmp_path / "builds"))
    grid = {"current": ["300 pA", "500 pA", "700 pA"], "N": ["3", "5"]}
    if not getattr(backends, "BUILD_LOCKING", False):
        with pytest.raises(SweepError, match="BUILD_LOCKING"):
            sweep("sweep-probe", grid, out=tmp_path / "s", build_cache="shared")
        pytest.skip("backends do not lock build directories: no shared build cache")
    # two workers sharing one build cache (the backends lock each build directory)
    res = sweep("sweep-probe", grid, out=tmp_path / "s", workers=2, build_cache="shared", progress=False)
    assert res.n_complete == 6, res.summary()
    # one compile per distinct structure (N), not per point nor per worker (a worker waiting for the
    # other's compile may observe it too: events are counted once, as (path, mtime))
    assert len(res.compile_events) == 2, res.compile_events
    assert len(list((tmp_path / "builds" / "sweep-shared" / "seed-0").glob("cpp_standalone-*/main"))) == 2
    # the worker's own work around each point, in CPU time (robust to load), is recorded
    for r in res.records:
        assert 0 < r["overhead_cpu_s"] < r["task_cpu_s"] and r["protocol_cpu_s"] > 0
    ds = collect(tmp_path / "s", lazy=False)
    rate = ds["mean_rate"].sel(seed=0)
    assert bool((rate.diff("current") > 0).all()), rate.values  # the run_args values were really used
    # N=3 and N=5 points: the 'neuron' dim is padded with NaN, also for integer variables on disk
    collect(tmp_path / "s", out=tmp_path / "s.nc")
    saved = open_archive(tmp_path / "s.nc")
    counts = saved["count"].values
    assert np.isnan(counts).sum() == 3 * 2 and np.nanmin(counts) >= 0
    np.testing.assert_array_equal(counts, ds["count"].values)
    # a rerun of the finished sweep compiles and runs nothing
    again = sweep("sweep-probe", grid, out=tmp_path / "s", workers=1, progress=False)
    assert again.n_skipped == 6 and not again.records


def test_garbage_of_the_last_point_is_freed_without_walking_every_object(monkeypatch):
    import gc
    import weakref

    from workbench.sweep import worker as sw

    class Node:
        pass

    monkeypatch.setattr(sw, "_GC_POINTS", [0])
    monkeypatch.setattr(sw, "GC_FULL_EVERY", 4)
    try:
        assert sw._collect_garbage() == "full"
        assert gc.get_freeze_count() > 0  # what survived is out of later collections
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle, as in a finished point's Brian2 network
        last_point = weakref.ref(a)
        del a, b
        assert sw._collect_garbage() == "young"
        assert last_point() is None  # freed by the cheap collection
        c, d = Node(), Node()
        c.other, d.other = d, c
        assert sw._collect_garbage() == "young"  # c and d are alive: frozen now
        frozen = weakref.ref(c)
        del c, d
        assert sw._collect_garbage() == "young"
        assert frozen() is not None  # frozen garbage waits for ...
        assert sw._collect_garbage() == "full"
        assert frozen() is None  # ... the periodic full collection
    finally:
        gc.unfreeze()


# ----------------------------------------------------------------------------- an existing cluster


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cli():
    exe = shutil.which("dask")
    if exe:
        return [exe]
    return [sys.executable, "-m", "distributed.cli.dask_scheduler"]  # pragma: no cover


def test_sweep_on_an_existing_scheduler_and_workers(probe_root, tmp_path):
    if not shutil.which("dask"):
        pytest.skip("the 'dask' command is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    logs = [open(tmp_path / f"{n}.log", "w") for n in ("scheduler", "worker")]
    procs = []
    try:
        procs.append(subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], stdout=logs[0], stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True))
        procs.append(subprocess.Popen(["dask", "worker", address, "--nthreads", "1", "--nworkers", "2",
                                       "--no-dashboard", "--name", "ext"], stdout=logs[1],
                                      stderr=subprocess.STDOUT, env=env, start_new_session=True))
        from distributed import Client

        with Client(address, timeout="60s") as c:
            c.wait_for_workers(2, timeout=120)
        res = sweep("sweep-probe", {"current": ["300 pA", "600 pA"], "fail": ["false", "true"]},
                    out=tmp_path / "s", backend="numpy", scheduler=address, progress=False)
        assert res.n_workers == 2
        assert res.n_complete == 2 and res.n_failed == 2, res.summary()
        assert {r["worker"] for r in res.records} <= {"ext-0", "ext-1"}
        ds = collect(tmp_path / "s", lazy=False)
        assert ds["point_status"].sel(fail=1).values.tolist() == [[0], [0]]
        assert bool((ds["mean_rate"].sel(fail=0, seed=0).diff("current") > 0).all())
        with pytest.raises(SweepError, match="--workers"):
            sweep("sweep-probe", {"current": ["300 pA"]}, out=tmp_path / "t", scheduler=address, workers=2)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, 15)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
        for fh in logs:
            fh.close()


def test_unreachable_scheduler_gives_a_clear_error(tmp_path):
    port = _free_port()
    t0 = time.perf_counter()
    with pytest.raises(SweepError, match="cannot reach the Dask scheduler"):
        sweep("fi-curve", ["current_scale=1"], overrides=TINY, out=tmp_path / "s",
              scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=2)
    assert time.perf_counter() - t0 < 30
