"""Side-by-side: pa's PMC against pandas `ewm`, the tool a Python user would reach for.

1. Builds the same 3,650-day series as `crates/pa-core/benches/training.rs`.
2. Computes the GoldenCheetah PMC with pandas (ewm with alpha = 1 - e^(-1/T), adjust=False,
   seeded with a zero row; TSB = yesterday's CTL - ATL; ramp = CTL - CTL 7 days earlier).
3. Checks pa's numbers (the `pa` CLI, JSON output) equal pandas' within 1e-9.
4. Times pandas and reads criterion's estimate for `pmc_3650_days`, printing the ratio.

Usage (after `cargo bench -p pa-core --bench training`):
    python3 benches/pmc_pandas.py [path/to/pa]
Needs pandas (`pip install pandas`); it is a benchmark, not part of the test suite.
"""

import json
import math
import pathlib
import subprocess
import sys
import tempfile
import timeit

import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
MASK = (1 << 64) - 1


def noise(n: int, seed: int) -> list[float]:
    x, out = seed, []
    for _ in range(n):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        out.append((x % 10_000) / 10_000)
    return out


def ten_years_of_loads() -> list[float]:
    return [0.0 if i % 7 == 0 else 40.0 + 120.0 * r for i, r in enumerate(noise(3650, 42))]


def pandas_pmc(loads: pd.Series, start: str | None = None) -> pd.DataFrame:
    """The PMC table; with `start`, indexed by date like pa's rows (the fair comparison)."""
    seeded = pd.concat([pd.Series([0.0]), loads], ignore_index=True)
    ctl = seeded.ewm(alpha=1 - math.exp(-1 / 42), adjust=False).mean()
    atl = seeded.ewm(alpha=1 - math.exp(-1 / 7), adjust=False).mean()
    tsb = (ctl - atl).shift(1)
    ramp = ctl - ctl.shift(7).fillna(0.0)
    table = pd.DataFrame({"load": seeded, "ctl": ctl, "atl": atl, "tsb": tsb, "ramp": ramp}).iloc[1:]
    if start is not None:
        table.index = pd.date_range(start, periods=len(loads), freq="D")
    return table


def main() -> None:
    pa = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/pa")
    loads = ten_years_of_loads()
    days = pd.date_range("2016-01-01", periods=len(loads), freq="D")
    series = pd.Series(loads)

    expected = pandas_pmc(series)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("date,load\n")
        for d, load in zip(days, loads):
            f.write(f"{d.date()},{load!r}\n")
    out = subprocess.run([pa, "training", "pmc", "--loads", f.name, "--format", "json"], check=True, capture_output=True, text=True)
    rows = json.loads(out.stdout)
    assert len(rows) == len(loads), (len(rows), len(loads))
    worst = 0.0
    for row, (_, exp) in zip(rows, expected.iterrows()):
        for key in ("load", "ctl", "atl", "tsb", "ramp"):
            worst = max(worst, abs(row[key] - exp[key]))
    assert worst < 1e-9, f"pa and pandas differ by {worst}"
    print(f"pa == pandas on {len(rows)} days (largest difference {worst:.2e})")

    runs = 200
    dated_s = min(timeit.repeat(lambda: pandas_pmc(series, "2016-01-01"), number=runs, repeat=5)) / runs
    bare_s = min(timeit.repeat(lambda: pandas_pmc(series), number=runs, repeat=5)) / runs
    print(f"pandas ewm PMC, 3650 days, dated rows (same output as pa): {dated_s * 1e6:,.0f} µs")
    print(f"pandas ewm PMC, 3650 days, no dates:                       {bare_s * 1e6:,.0f} µs")
    estimates = ROOT / "target/criterion/pmc_3650_days/new/estimates.json"
    if estimates.exists():
        pa_s = json.loads(estimates.read_text())["median"]["point_estimate"] / 1e9
        print(f"pa PMC (criterion median), dated rows: {pa_s * 1e6:,.1f} µs")
        print(f"pa is {dated_s / pa_s:,.0f}x faster than pandas on the same output ({bare_s / pa_s:,.0f}x against pandas without dates)")
    else:
        print("run `cargo bench -p pa-core --bench training` first for the ratio")


if __name__ == "__main__":
    main()
