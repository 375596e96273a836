"""Faults and bad input (issue 16): Ctrl-C and SIGTERM stop a real run cleanly, SIGKILL then --resume
gives the uninterrupted result, a second run with the same --out is refused, bad numbers exit 2
before anything is built, a blank image terminates stdp-digits, IDX labels >= 10 are refused.

How each can fail (checked by breaking the rule):
- signals: with Brian2's ``core.stop_on_keyboard_interrupt`` left on (runner._interrupt_raises and
  use_backend not setting it off) SIGINT only cuts the running batch: the run carries on and exits 0
  with a "complete" archive; without the CLI's SIGTERM handler the exit status is -15 and a
  ``.NAME.nc.*.tmp`` may remain.
- same --out: without runner.out_lock the second run proceeds and exits 0.
- bad numbers: without params.check_value the runs start (dt=-1 us exits 0).
- blank image: without phases.MAX_REPEATS the run never ends (the subprocess timeout fails the test).
- IDX labels: without the check in load_idx_dir the run completes with every neuron in class 0.
"""
import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from workbench.archive import open_archive
from workbench.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from test_hardware_fixtures import synthetic_dc_archive  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--set", "t_present=200 ms", "--set", "t_rest=50 ms", "--set", "epochs=1"]
SMALL = ["--set", "n_exc=10", "--set", "n_train=36", "--set", "n_assign=6", "--set", "n_test=6",
         "--set", "batch=6"] + FAST


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _start(out, *extra):
    cmd = [sys.executable, "-m", "workbench.cli", "run", "stdp-digits", "--backend", "numpy", "--quiet",
           "--seed", "5", "--out", str(out)] + SMALL + list(extra)
    return subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_checkpoint(proc, out, timeout=240):
    t0 = time.time()
    while not out.exists():
        if proc.poll() is not None:
            pytest.fail(f"run ended before its first checkpoint: {proc.communicate()}")
        if time.time() - t0 > timeout:
            proc.kill()
            pytest.fail("no checkpoint in time")
        time.sleep(0.2)


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_a_real_run_cleanly(tmp_path, sig, code):
    out = tmp_path / "run.nc"
    proc = _start(out)
    _wait_for_checkpoint(proc, out)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err and "report" not in err.lower()
    ck = open_archive(out)
    assert ck.attrs["status"] == "checkpoint"                  # never "complete"
    assert int(ck.attrs["ckpt_pos"]) % 6 == 0                   # whole batches only
    assert not list(tmp_path.glob(".run.nc.*.tmp"))             # temp files removed


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    full = tmp_path / "full.nc"
    assert main(["run", "stdp-digits", "--backend", "numpy", "--quiet", "--seed", "5", "--out", str(full)]
                + SMALL) == 0
    out = tmp_path / "killed.nc"
    proc = _start(out)
    _wait_for_checkpoint(proc, out)
    proc.kill()
    proc.communicate(timeout=60)
    assert open_archive(out).attrs["status"] == "checkpoint"
    assert main(["run", "stdp-digits", "--backend", "numpy", "--quiet", "--seed", "5", "--out", str(out),
                 "--resume", str(out)] + SMALL) == 0
    a, b = open_archive(full), open_archive(out)
    for name in ("receptive_field", "theta", "prediction", "test_spike_count"):
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    assert b.attrs["status"] == "complete" and b.attrs["resumed"] == 1 and b.attrs["segments"] == 2
    assert b.attrs["wall_time_s"] >= b.attrs["segment_wall_time_s"]


FI = ["run", "fi-curve", "--quiet", "--set", "models=lif", "--set", "n_currents=2", "--set", "duration=20 ms"]


def test_same_out_twice_is_refused(tmp_path, capsys):
    out = tmp_path / "fi.nc"
    with FileLock(str(tmp_path / ".fi.nc.lock"), timeout=0):    # another run holds it
        assert main(FI + ["--out", str(out)]) == 2
        assert "another run is writing" in capsys.readouterr().err
    assert not out.exists()
    assert main(FI + ["--out", str(out)]) == 0                  # free again
    ds = open_archive(out)
    assert ds.attrs["threads"] == 1 and ds.attrs["resumed"] == 0 and ds.attrs["Conventions"].startswith("CF-")
    assert "workbench run fi-curve" in ds.attrs["history"] and ds.attrs["title"]
    mask = os.umask(0)
    os.umask(mask)
    assert (out.stat().st_mode & 0o777) == (0o666 & ~mask)     # not mkstemp's 0600


@pytest.mark.parametrize("args,fragment", [
    (["fi-curve", "--set", "dt=-1 us"], "greater than '0 s'"),
    (["fi-curve", "--set", "dt=0 ms"], "greater than '0 s'"),
    (["fi-curve", "--set", "duration=5"], "no unit"),
    (["stdp-digits", "--set", "nu_pre=nan"], "not a finite number"),
    (["stdp-digits", "--set", "n_exc=10000000"], "lower n_exc"),
    (["fi-curve", "--resume", "x.nc"], "cannot resume"),
    (["fi-curve", "--out", "/proc/no/x.nc"], "cannot write"),
    (["hardware", "--set", "source=/no/such.nc"], "no such archive"),
])
def test_user_errors_exit_2_without_traceback(tmp_path, capsys, args, fragment):
    assert main(["run"] + args + (["--out", str(tmp_path / "x.nc")] if "--out" not in args else [])) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "x.nc").exists()


def test_debug_shows_the_traceback(capsys):
    assert main(["--debug", "run", "hardware", "--set", "source=/no/such.nc", "--no-save"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_threads_and_workers_zero_refused(capsys):
    for argv in (["run", "fi-curve", "--threads", "0"], ["sweep", "fi-curve", "--grid", "n_currents=2,3",
                                                           "--workers", "0", "--out", "x"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert "positive integer" in capsys.readouterr().err


def _write_idx(folder, train_images, train_labels, test_images, test_labels):
    folder.mkdir(parents=True, exist_ok=True)

    def put(name, arr, magic):
        head = bytes([0, 0, 8, magic]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        with gzip.open(folder / f"{name}.gz", "wb") as fh:
            fh.write(head + np.ascontiguousarray(arr, dtype=np.uint8).tobytes())

    put("train-images-idx3-ubyte", train_images, 3)
    put("train-labels-idx1-ubyte", train_labels, 1)
    put("t10k-images-idx3-ubyte", test_images, 3)
    put("t10k-labels-idx1-ubyte", test_labels, 1)


def _digits_like(n, seed):
    rng = np.random.default_rng(seed)
    img = np.zeros((n, 28, 28), dtype=np.uint8)
    img[:, 8:20, 8:20] = rng.integers(100, 255, (n, 12, 12))
    return img


def test_idx_labels_outside_0_9_refused(tmp_path, capsys):
    d = tmp_path / "idx"
    _write_idx(d, _digits_like(4, 0), np.array([0, 1, 12, 3]), _digits_like(2, 1), np.array([0, 1]))
    assert main(["run", "stdp-digits", "--set", f"dataset=idx:{d}", "--no-save", "--quiet"]) == 2
    assert "labels outside 0..9" in capsys.readouterr().err


def test_blank_image_terminates(tmp_path):
    d = tmp_path / "idx"
    train = _digits_like(3, 0)
    train[1] = 0                                              # a blank image: no input spikes at all
    _write_idx(d, train, np.array([0, 1, 2]), _digits_like(2, 1), np.array([0, 1]))
    code = ("import warnings, sys; warnings.simplefilter('ignore');"
            "import workbench.experiments.stdp_digits.phases as p; p.MAX_REPEATS = 3;"
            "from workbench.cli import main; sys.exit(main(sys.argv[1:]))")
    out = tmp_path / "blank.nc"
    res = subprocess.run([sys.executable, "-c", code, "run", "stdp-digits", "--backend", "numpy", "--quiet",
                          "--set", f"dataset=idx:{d}", "--set", "n_exc=5", "--set", "n_train=3", "--set", "n_test=2",
                          "--set", "batch=4", "--set", "t_present=50 ms", "--set", "t_rest=10 ms", "--set",
                          "epochs=1", "--out", str(out)],
                         cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    ds = open_archive(out)
    assert ds.attrs["status"] == "complete" and ds.attrs["skipped_images"] >= 1
    assert len(ds["prediction"]) == 2


def test_memory_estimate_refuses_and_is_recorded(tmp_path, monkeypatch, capsys):
    """A run whose estimate exceeds the available memory is refused, naming the parameter; a run that fits
    records its estimate.  Fails without runner.check_memory (the run starts) or the archive attribute."""
    src = synthetic_dc_archive(tmp_path / "dc.nc")
    args = ["run", "hardware", "--quiet", "--set", f"source={src}", "--set", "n_test=4", "--set", "n_assign=4",
            "--set", "t_present=30 ms"]
    monkeypatch.setenv("WORKBENCH_MEMORY_LIMIT", "100MiB")
    assert main(args + ["--out", str(tmp_path / "hw.nc")]) == 2
    assert "lower n_test" in capsys.readouterr().err and not (tmp_path / "hw.nc").exists()
    monkeypatch.delenv("WORKBENCH_MEMORY_LIMIT")
    assert main(args + ["--out", str(tmp_path / "hw.nc")]) == 0
    ds = open_archive(tmp_path / "hw.nc")
    assert ds.attrs["memory_estimate_bytes"] > 0 and "n_exc=" in ds.attrs["memory_estimate"]


def _session_processes(sid):
    """Processes still alive in the session ``sid`` (the run's and its descendants', as a terminal's job)."""
    import psutil
    left = []
    for p in psutil.process_iter(["pid", "name"]):
        try:
            if os.getsid(p.pid) == sid:
                left.append(p.info["name"])
        except (ProcessLookupError, PermissionError):
            pass
    return left


def _stops_within(proc, seconds):
    """Whether the (psutil) process ends, or is a zombie waiting for its parent, within ``seconds``."""
    import psutil
    t0 = time.time()
    while time.time() - t0 < seconds:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False


def test_ctrl_c_during_a_standalone_batch(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the standalone program runs
    a batch of a real cpp_standalone run: exit 130, the archive stays a checkpoint of the batches finished
    before (the cut one not saved), no temp files, no standalone ``main`` left running.

    Fails (checked by breaking the rule) when a KeyboardInterrupt in the standalone program is swallowed and
    the run carries on (Simulation._run_standalone returning normally, as Brian2's stop_on_keyboard_interrupt
    did: exit 0, "complete"), and when ``main`` outlives its parent (run_cmd_unix through a shell that ignores
    SIGINT: the orphan is found)."""
    import psutil
    out = tmp_path / "run.nc"
    # batches of 60 one-second images: the standalone program runs for seconds, so an orphan would outlive the run
    sizes = ["--set", "n_exc=20", "--set", "n_train=120", "--set", "n_assign=60", "--set", "n_test=60",
             "--set", "batch=60", "--set", "epochs=1", "--set", "t_present=1000 ms", "--set", "t_rest=50 ms"]
    cmd = [sys.executable, "-m", "workbench.cli", "run", "stdp-digits", "--backend", "cpp_standalone", "--quiet",
           "--seed", "5", "--out", str(out)] + sizes
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group: killpg below is the terminal's Ctrl-C
    try:
        _wait_for_checkpoint(proc, out, timeout=300)            # compiled, the first batch saved
        t0 = time.time()
        while True:                                             # the next batch's standalone program
            if proc.poll() is not None or time.time() - t0 > 60:
                pytest.fail(f"no standalone batch seen running: {proc.communicate()}")
            kids = [c for c in psutil.Process(proc.pid).children(recursive=True) if c.name() == "main"]
            if kids:
                saved = os.stat(out)                            # the checkpoint of the batches before it
                if kids[0].is_running():
                    os.killpg(proc.pid, signal.SIGINT)
                    main = kids[0]
                    break
        stopped = _stops_within(main, 1.0)                      # the standalone program stops with the run
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert stopped and _session_processes(proc.pid) == []   # no orphan standalone program
    assert "Traceback" not in err and "report" not in err.lower()
    ck = open_archive(out)
    assert ck.attrs["status"] == "checkpoint"                   # never "complete"
    assert int(ck.attrs["ckpt_pos"]) % 60 == 0                  # whole batches only
    after = os.stat(out)                                        # the cut batch not saved: no checkpoint since
    assert (after.st_ino, after.st_mtime_ns) == (saved.st_ino, saved.st_mtime_ns)
    assert not list(tmp_path.glob(".run.nc.*.tmp"))             # temp files removed


@pytest.mark.parametrize("name,overrides,bigger", [
    ("fi-curve", {}, {"n_currents": 2500}),
    ("stdp-window", {}, {"n_trials": 100000}),
    ("lsm", {}, {"samples_per_class": 10000}),
    ("eprop", {"task": "evidence"}, {"batch": 320}),
    ("biosignal", {"synthetic_per_class": 5, "baselines": "raw,minirocket"}, {"synthetic_per_class": 50}),
    ("convert", {"dataset": "digits", "hidden": [64]}, {"hidden": [64000]}),
])
def test_every_protocol_estimates_its_memory(name, overrides, bigger, monkeypatch):
    """Each protocol states its peak memory before it runs (the compiler only on standalone backends), the
    estimate grows with the parameter it names, and a run that would not fit is refused naming it.  Fails
    without the protocol's estimate (None) or with a formula that ignores its parameters."""
    from workbench.params import ParameterError
    from workbench.protocol import load_protocol
    from workbench.protocol.estimates import ESTIMATES
    from workbench.protocol.memory import BASE_BYTES
    from workbench.protocol.memory import check_memory as check
    proto = load_protocol(name)

    def check_memory(p, params, backend):
        return check(p, params, backend, ESTIMATES.get(name))
    small = check_memory(proto, proto.resolve(overrides), "numpy")
    large = check_memory(proto, proto.resolve({**overrides, **bigger}), "numpy")
    standalone = check_memory(proto, proto.resolve(overrides), "cpp_standalone")
    assert small is not None and small.bytes > BASE_BYTES and small.formula
    assert large.bytes > small.bytes and standalone.bytes >= small.bytes
    monkeypatch.setenv("WORKBENCH_MEMORY_LIMIT", str(small.bytes))
    with pytest.raises(ParameterError, match=f"lower {large.parameter}"):
        check_memory(proto, proto.resolve({**overrides, **bigger}), "numpy")


def test_estimates_read_the_protocols_tables():
    """The runner's estimates read stdp-window's rules and e-prop's task sizes from the loaded protocol
    scripts (no copies to fall out of step): changing the script's table changes the estimate.  Fails with a
    copied table."""
    import dataclasses
    import types
    from workbench.protocol import load_protocol
    from workbench.protocol.estimates import eprop_memory, stdp_window_memory
    ep_proto = load_protocol("eprop")
    params = ep_proto.resolve({"task": "evidence"})
    base = eprop_memory(params, "numpy", protocol=ep_proto).bytes
    table = dict(ep_proto.func.__globals__["TASK_VALUES"])
    table["batch"] = (1, 64)
    fake = dataclasses.replace(ep_proto, func=type(ep_proto.func)(ep_proto.func.__code__,
                                                                   {**ep_proto.func.__globals__, "TASK_VALUES": table}))
    assert eprop_memory(params, "numpy", protocol=fake).bytes > base
    sw_proto = load_protocol("stdp-window")
    one = stdp_window_memory(sw_proto.resolve({"rules": ["stdp_add"]}), "numpy", protocol=sw_proto).bytes
    every = stdp_window_memory(sw_proto.resolve({}), "numpy", protocol=sw_proto).bytes
    assert every > one  # empty rules: all of the script's RULES
    only_add = types.SimpleNamespace(RULES={"stdp_add": None})
    fake = dataclasses.replace(sw_proto, func=type(sw_proto.func)(sw_proto.func.__code__,
                                                                   {**sw_proto.func.__globals__, "sw": only_add}))
    assert stdp_window_memory(sw_proto.resolve({}), "numpy", protocol=fake).bytes == one


def test_progress_bar_beats_while_a_phase_does_not_count():
    """A protocol's progress bar redraws its elapsed time while one long phase runs without updating it (the
    hardware deployment of a liquid counts nothing until every sample has run), so a slow run is told from a
    stuck one.  Fails with a plain tqdm bar (one draw at the start only)."""
    import io
    from workbench.protocol.context import HeartbeatBar
    out = io.StringIO()
    bar = HeartbeatBar(desc="phase", unit="img", file=out, heartbeat=0.05, mininterval=0)
    time.sleep(0.5)
    bar.close()
    assert out.getvalue().count("phase") >= 4
    quiet = io.StringIO()
    HeartbeatBar(desc="phase", file=quiet, heartbeat=0.05, disable=True).close()
    assert quiet.getvalue() == ""


def test_run_heartbeat_speaks_only_while_no_progress_bar_is_open():
    """A run without a progress bar (convert, lsm, the crossbar deployment) says every period that it goes on
    and for how long; while a bar of the run is open the bar's own redraws do that and the heartbeat is silent;
    with progress off it says nothing.  Fails if the heartbeat is missing or talks over an open bar."""
    import io
    from workbench.protocol.context import RunContext
    ctx = RunContext(protocol="crossbar", backend="numpy", seed=0)
    out = io.StringIO()
    with ctx.heartbeat(period=0.05, file=out):
        time.sleep(0.4)
    said = out.getvalue().count("workbench run crossbar: running")
    assert said >= 3 and "elapsed" in out.getvalue()
    out = io.StringIO()
    with ctx.heartbeat(period=0.05, file=out):
        bar = ctx.progress_bar(total=3, desc="phase")
        assert ctx.open_bars == 1
        time.sleep(0.4)
        bar.close()
        bar.close()   # closed twice (a with block and the garbage collector): counted once
    assert ctx.open_bars == 0 and out.getvalue().count("running") <= 1
    quiet = RunContext(protocol="crossbar", backend="numpy", seed=0, progress=False)
    out = io.StringIO()
    with quiet.heartbeat(period=0.05, file=out):
        time.sleep(0.2)
    assert out.getvalue() == ""


def test_biosignal_estimate_counts_every_grid_liquid_and_one_chunk_at_the_refractory_bound():
    """The LSM holds every grid liquid's filtered states until the inner-CV choice and one chunk's spikes at a
    time, at most one spike per refractory period (issue 15: 217 Hz measured where 50 Hz was assumed).
    Fails if the estimate ignores the grid, the chunk or the bound."""
    from workbench.protocol import load_protocol
    from workbench.protocol.estimates import LIQUID_MAX_RATE, biosignal_memory
    proto = load_protocol("biosignal")
    base = {"synthetic_per_class": 20, "baselines": "raw", "grid_input_scale": "1", "chunk": 0}
    one = biosignal_memory(proto.resolve(base), backend="numpy")
    six = biosignal_memory(proto.resolve({**base, "grid_input_scale": "0.5,1,2", "grid_weight_scale": "0.5,1"}),
                           backend="numpy")
    small_chunk = biosignal_memory(proto.resolve({**base, "chunk": 6}), backend="numpy")
    assert six.bytes > one.bytes and "liquids=6" in six.formula
    assert small_chunk.bytes < one.bytes and one.parameter == "chunk"
    assert 360 < LIQUID_MAX_RATE < 370   # 0.8 / 3 ms + 0.2 / 2 ms


def test_biosignal_estimate_presents_resampled_samples_at_the_data_rate():
    """With ``n_time`` set and ``fs`` left at 0 the run presents the resampled samples at the data's own rate
    (``encode_dataset``: a sample lasts n_time / fs), and the estimate sizes the liquid run for that duration.
    Fails if the estimate keeps the sample's original duration (it did before)."""
    from workbench.datasets.biosignal import load_signals
    from workbench.protocol import load_protocol
    from workbench.protocol.estimates import _signal_sizes
    proto = load_protocol("biosignal")
    sset = load_signals("synthetic-ecg", n_per_class=4, seed=0)
    length = max(len(s) for s in sset.samples)
    params = proto.resolve({"synthetic_per_class": 4, "n_time": 2 * length})
    n, t, c, fs = _signal_sizes(params)
    assert t == 2 * length and fs == sset.fs
    assert t / fs == 2 * length / sset.fs
