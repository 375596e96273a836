"""BENCHMARKS.md from result archives: placeholders, numbers typed by hand, stale archives."""
import importlib.util
import json
from pathlib import Path

import pytest
import xarray as xr

from workbench import archive
from workbench.recording import scalar
from workbench.sources import changed_sources, science_sources, source_hashes

ROOT = Path(__file__).resolve().parent.parent


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


report = _load("wb_report", ROOT / "benchmarks" / "report.py")


def _package(tmp_path):
    """A throwaway package: a science module, a plumbing module, a script importing both."""
    pkg = tmp_path / "workbench"
    (pkg / "models").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "models" / "__init__.py").write_text("from .lif import EQS\n")
    (pkg / "models" / "lif.py").write_text("EQS = 'dv/dt = -v/tau : volt'\n")
    (pkg / "params.py").write_text("X = 1\n")
    script = tmp_path / "bench.py"
    script.write_text("from workbench.models import EQS\nfrom workbench import params\n")
    return script


def test_science_sources_follow_imports_and_leave_plumbing_out(tmp_path):
    script = _package(tmp_path)
    rel = {str(p.relative_to(tmp_path)) for p in science_sources([script], tmp_path)}
    assert rel == {"bench.py", "workbench/__init__.py", "workbench/models/__init__.py", "workbench/models/lif.py"}


def test_changed_sources_names_the_edited_file(tmp_path):
    script = _package(tmp_path)
    recorded = source_hashes(science_sources([script], tmp_path), tmp_path)
    assert changed_sources(recorded, tmp_path) == []
    (tmp_path / "workbench" / "models" / "lif.py").write_text("EQS = 'dv/dt = -2*v/tau : volt'\n")
    assert changed_sources(recorded, tmp_path) == ["workbench/models/lif.py (changed)"]
    (tmp_path / "bench.py").unlink()
    assert "bench.py (missing)" in changed_sources(recorded, tmp_path)


def test_docstrings_comments_and_layout_do_not_make_a_result_stale(tmp_path):
    script = _package(tmp_path)
    lif = tmp_path / "workbench" / "models" / "lif.py"
    lif.write_text('"""LIF."""\nEQS = "dv/dt = -v/tau : volt"\n\n\ndef f(x):\n    return 2 * x\n')
    recorded = source_hashes(science_sources([script], tmp_path), tmp_path)
    lif.write_text('"""The leaky integrate-and-fire neuron."""\nEQS = "dv/dt = -v/tau : volt"  # a comment\n'
                   'def f(x):\n    """Twice x."""\n    return 2*x\n')
    assert changed_sources(recorded, tmp_path) == []
    lif.write_text('"""LIF."""\nEQS = "dv/dt = -v/tau : volt"\ndef f(x):\n    return 3 * x\n')
    assert changed_sources(recorded, tmp_path) == ["workbench/models/lif.py (changed)"]


def _archive(folder, name, hashes=None, **values):
    ds = xr.Dataset({k: scalar(v, "1", k) for k, v in values.items()})
    ds.attrs.update(archive.provenance(protocol=f"benchmark:{name}", config={}, config_hash="", seed=0,
                                       backend=""))
    ds.attrs.update(command=f"python benchmarks/{name}.py", source_hashes=json.dumps(hashes or {}))
    archive.save(ds, folder / f"{name}.nc")


def test_render_formats_values_and_names_the_archive(tmp_path):
    _archive(tmp_path, "dc", acc=0.7421, ms=9.51)
    text = report.render("| 400 neurons | {{dc.acc:%}} | {{dc.ms:.1f}} ms | {{dc@archive}} |\n"
                         "run: {{dc@command}}\n", report.Archives(tmp_path))
    assert "| 400 neurons | 74.2% | 9.5 ms | [`dc`](benchmarks/results/dc.nc) |" in text
    assert "run: `python benchmarks/dc.py`" in text


def test_missing_archive_or_variable_is_an_error(tmp_path):
    _archive(tmp_path, "dc", acc=0.5)
    with pytest.raises(report.ReportError, match="no archive"):
        report.render("{{nothere.acc}}", report.Archives(tmp_path))
    with pytest.raises(report.ReportError, match="no variable 'loss'"):
        report.render("{{dc.loss}}", report.Archives(tmp_path))


def test_hand_typed_numbers_in_tables_are_refused():
    ok = "| what | value |\n|---|---|\n| 400 neurons | {{dc.acc:%}} (`--set n=3`) |\n"
    assert report.hand_typed_numbers(ok) == []
    typed = "| what | value |\n|---|---|\n| 400 neurons | 74.2% |\n| other | {{dc.acc}} vs 77.6% |\n"
    bad = report.hand_typed_numbers(typed)
    assert len(bad) == 2 and "names no archive" in bad[0] and "typed by hand" in bad[1]


def test_stale_archive_is_reported(tmp_path, monkeypatch):
    script = _package(tmp_path)
    hashes = source_hashes(science_sources([script], tmp_path), tmp_path)
    _archive(tmp_path, "dc", hashes=hashes, acc=0.5)
    monkeypatch.setattr(report, "ROOT", tmp_path)
    archives = report.Archives(tmp_path)
    report.render("{{dc.acc}}", archives)
    assert report.stale(archives) == []
    (tmp_path / "workbench" / "models" / "lif.py").write_text("EQS = ''\n")
    msg = report.stale(archives)
    assert len(msg) == 1 and "workbench/models/lif.py (changed)" in msg[0] and "benchmarks/dc.py" in msg[0]


def test_include_pulls_in_section_files(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "a.md").write_text("## A\n{{dc.acc}}\n")
    text = report.expand("# B\n{{include sections/a.md}}\nend\n", tmp_path)
    assert text == "# B\n## A\n{{dc.acc}}\nend\n"
    with pytest.raises(report.ReportError, match="no file"):
        report.expand("{{include sections/none.md}}\n", tmp_path)


def test_stale_results_are_marked_on_the_page():
    text = report.HEADER + "# Benchmarks\n\nIntro.\n\n| a | b |\n"
    out = report.mark_stale(text, ["dc.nc was made by code that has changed since: lif.py (changed) (re-run: x)"])
    assert out.index("# Benchmarks") < out.index("Stale results") < out.index("Intro.")
    assert "> - dc.nc: lif.py (changed) (re-run: x)" in out
