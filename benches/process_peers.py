"""Whole process, as a user runs it: `pa import FILE` into an existing store against each Python
peer parsing the same file in its own `python -c` process, and from Python, end to end, the
PMC of ten years (a pandas Series in, a DataFrame out) against pandas computing the same
CTL/ATL/TSB/ramp table, and 2,400 demo transactions into a DataFrame.

Each `pa import` run copies a small existing store into place first (not timed), so every run
imports the file anew. Medians of `--runs` runs (default 9). Prints one table and checks issue
16's targets; exits 1 when one is missed.

Usage: python benches/process_peers.py [--runs N] [path/to/fixtures]
       (from the repository root, after `cargo build --release -p pa-cli` and
       `pip install ./crates/pa-py fitdecode icalendar recurring-ical-events ofxtools pandas`)
"""

import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PA = ROOT / "target" / "release" / "pa"

PEERS = {
    "fit": ("fitdecode", "import fitdecode,sys\nwith fitdecode.FitReader(sys.argv[1]) as r:\n    for f in r: pass"),
    "ics": (
        "icalendar + recurring-ical-events",
        "import icalendar,recurring_ical_events,sys,datetime as d\n"
        "c=icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read())\n"
        "list(recurring_ical_events.of(c).between(d.date(2020,1,1),d.date(2030,1,1)))",
    ),
    "ofx": ("ofxtools", "from ofxtools.Parser import OFXTree\nimport sys\nt=OFXTree()\nt.parse(sys.argv[1])\nt.convert()"),
}
FILES = {
    "fit": "fit/activity-large-fenxi2-multisport.fit",
    "ics": "ics/issue42.ics",
    "ofx": "ofx/fidelity.ofx",
}
# (peer ratio, pa import ms) targets of issue 16; None: no target.
TARGETS = {"fit": (100, 15.0), "ics": (50, 35.0), "ofx": (10, None)}


def median_ms(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    args = sys.argv[1:]
    runs = 9
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    fixtures = Path(args[0]) if args else ROOT.parent / "shared" / "fixtures"
    work = Path(tempfile.mkdtemp())
    base, db = work / "base.db", work / "run.db"
    env = dict(os.environ, PA_NOW="2026-12-05T08:00:00Z")
    subprocess.run([PA, "--db", base, "-q", "profile", "set", "--zone", "Europe/Berlin"], check=True, env=env, stdout=subprocess.DEVNULL)

    def pa_import(path: Path, dry: bool) -> float:
        """One import into a fresh copy of the existing store: seconds, the copy left out."""
        shutil.copy(base, db)
        t = time.perf_counter()
        flags = ["--dry-run"] if dry else []
        subprocess.run([PA, "--db", db, "-q", "import", *flags, path], check=True, env=env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t

    failed = False
    print(f"{'file':44} {'pa import':>10} {'dry run':>9} {'peer':>11} {'ratio':>7}  peer")
    for kind, rel in FILES.items():
        path = fixtures / rel
        timed = [statistics.median(pa_import(path, dry) for _ in range(runs)) * 1000 for dry in (False, True)]
        name, code = PEERS[kind]
        peer = median_ms(lambda: subprocess.run([sys.executable, "-c", code, path], check=True), max(3, runs // 3))
        ratio = peer / timed[0]
        print(f"{rel:44} {timed[0]:8.1f} ms {timed[1]:6.1f} ms {peer:8.0f} ms {ratio:6.0f}×  {name}")
        want_ratio, want_ms = TARGETS[kind]
        if ratio < want_ratio:
            print(f"  MISSED: {ratio:.0f}× < {want_ratio}× {name}")
            failed = True
        if want_ms is not None and timed[0] > want_ms:
            print(f"  MISSED: {timed[0]:.1f} ms > {want_ms} ms")
            failed = True

    # From Python, end to end.
    import numpy as np
    import pandas as pd

    import pa

    days = 3650
    rng = np.random.default_rng(1)
    series = pd.Series(rng.uniform(0, 150, days), index=pd.date_range("2016-01-01", periods=days))

    def with_pa() -> pd.DataFrame:
        return pa.pmc_frame(series)

    def with_pandas() -> pd.DataFrame:
        load = series
        ctl = load.ewm(alpha=1 - np.exp(-1 / 42), adjust=False).mean()
        atl = load.ewm(alpha=1 - np.exp(-1 / 7), adjust=False).mean()
        return pd.DataFrame({"load": load, "ctl": ctl, "atl": atl, "tsb": ctl.shift(1) - atl.shift(1), "ramp": ctl - ctl.shift(7)})

    t_pa = median_ms(with_pa, 51)
    t_pd = median_ms(with_pandas, 51)
    print(f"PMC, 10 years, Series in, DataFrame out: pa {t_pa:.2f} ms, pandas {t_pd:.2f} ms ({t_pd / t_pa:.1f}×; target ≥ 10×)")
    if t_pd / t_pa < 10:
        print("  MISSED: PMC ≥ 10× pandas")
        failed = True
    store = pa.Store(work / "demo.db")
    me = store.user()
    me.load_demo(dt.date(2026, 12, 5))
    t_read = median_ms(me.transactions, 11)
    txs = me.transactions()
    t_frame = median_ms(txs.to_pandas, 11)
    print(f"2,400 transactions to a DataFrame: read {t_read:.1f} ms + to_pandas {t_frame:.1f} ms = {t_read + t_frame:.1f} ms (target ≤ 5 ms)")
    if t_read + t_frame > 5:
        print("  MISSED: transactions to a DataFrame ≤ 5 ms")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
