"""The README's Python snippet runs as written, in a fresh folder."""

import os
import pathlib
import re

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
