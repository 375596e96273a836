"""The command line: list, run, info, figure, and errors that name the problem."""
import re
import subprocess
import sys

import pytest

from workbench.cli import main


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for word in ("protocols:", "fi-curve", "neuron models:", "lif", "adex", "plasticity rules:", "triplet_stdp",
                 "backends:", "cpp_standalone", "genn"):
        assert word in out, word


def test_run_info_figure(tmp_path, capsys):
    out = tmp_path / "fi.nc"
    rc = main(["run", "fi-curve", "--set", "models=lif,if", "--set", "n_currents=4", "--set", "duration=100 ms",
               "--seed", "3", "--out", str(out), "--quiet"])
    assert rc == 0 and out.exists()
    text = capsys.readouterr().out
    assert "archive:" in text and str(out) in text
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "rate" in info and "config_hash" in info and re.search(r"^\s*seed\s+3$", info, re.M)
    png = tmp_path / "fi.png"
    assert main(["figure", "fi-curves", str(out), "--out", str(png)]) == 0
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("argv,fragment", [
    (["run", "no-such-protocol"], "unknown protocol 'no-such-protocol'"),
    (["run", "fi-curve", "--set", "n_curents=3"], "unknown parameter 'n_curents'"),
    (["run", "fi-curve", "--set", "duration=3 mV"], "'duration'"),
    (["run", "fi-curve", "--set", "n_currents=many"], "'n_currents'"),
    (["run", "fi-curve", "--backend", "tpu"], "unknown backend 'tpu'"),
    (["info", "missing.nc"], "no such archive"),
    (["figure", "no-such-figure", "missing.nc"], "unknown figure"),
])
def test_errors_exit_nonzero_and_write_nothing(tmp_path, capsys, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    assert main(argv + (["--out", "x.nc"] if argv[0] == "run" else [])) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert not (tmp_path / "x.nc").exists() and not (tmp_path / "data").exists()


def test_unknown_key_lists_valid_keys(capsys):
    assert main(["run", "fi-curve", "--set", "bogus=1"]) == 2
    err = capsys.readouterr().err
    assert "valid parameters" in err and "n_currents" in err and "duration" in err


def test_gpu_backend_without_stack_says_how_to_install(capsys):
    pytest.importorskip("brian2")
    try:
        import brian2genn  # noqa: F401
        pytest.skip("brian2genn is installed here")
    except ImportError:
        pass
    assert main(["run", "fi-curve", "--backend", "genn", "--no-save", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "GeNN" in err and "constraints/genn.txt" in err and "GENN_PATH" in err


def test_console_script_entry_point():
    res = subprocess.run([sys.executable, "-m", "workbench.cli", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and "workbench" in res.stdout


def test_config_file(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('models = "lif"\nn_currents = 3\nduration = "50 ms"\n')
    out = tmp_path / "r.nc"
    assert main(["run", "fi-curve", "--config", str(cfg), "--out", str(out), "--quiet"]) == 0
    from workbench.archive import config_of, open_archive

    conf = config_of(open_archive(out))
    assert conf["n_currents"] == 3 and conf["models"] == ["lif"] and conf["duration"] == "50 ms"
    bad = tmp_path / "bad.toml"
    bad.write_text("n_currentz = 3\n")
    assert main(["run", "fi-curve", "--config", str(bad), "--out", str(tmp_path / "b.nc")]) == 2
    assert "n_currentz" in capsys.readouterr().err and not (tmp_path / "b.nc").exists()
