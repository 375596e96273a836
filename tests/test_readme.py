"""The README's Python example runs as written."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    counts = [int(x) for x in capsys.readouterr().out.split()]
    assert len(counts) == 2 and counts[0] > 0 and counts[1] > 0 and counts[0] != counts[1]
