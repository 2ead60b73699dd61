"""The documented Python snippets run as written, in a fresh folder: the README's, and
docs/python.md's in order, as one session."""

import os
import pathlib
import re

import pandas as pd
import pytest

import pa

from test_front_ends import ROOT


def snippets(path: pathlib.Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_snippet_runs(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = snippets(ROOT / "README.md")
    assert len(found) == 1
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(found[0], "README.md", "exec"), scope)
    assert os.path.exists(tmp_path / "my.db")
    # What the snippet promises: the task added, November's rides, a three-day chart.
    me = scope["me"]
    assert isinstance(me, pa.User)
    assert [t.status for t in me.tasks() if t.title == "Call the bank"] == ["todo"]
    rides = scope["rides"]
    assert isinstance(rides, list) and len(rides) > 0
    chart = scope["chart"]
    assert isinstance(chart, dict) and len(chart["ctl"]) == 3


def test_the_python_guide_runs(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = snippets(ROOT / "docs" / "python.md")
    assert len(found) >= 3
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    for i, code in enumerate(found):
        exec(compile(code, f"docs/python.md snippet {i + 1}", "exec"), scope)
    # The tour imported its file and reported the missing one.
    reports = scope["reports"]
    assert isinstance(reports, list)
    assert [(r["added"], "error" in r) for r in reports] == [(1, False), (0, True)]
    frame = scope["frame"]
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
