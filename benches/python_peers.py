"""The Python module side by side with the Python tools, in one run (issue 8's benchmarks).

- PMC over ten years of daily loads from a pandas Series (`pa.pmc_series` on the Series' start
  date and values, the call and its float-array columns included) against pandas `ewm` producing
  the same table (checked equal first); and `pa.pmc` from plain lists of dates and floats.
- FIT import from Python (`User.import_files(dry_run=True)`: read, decode, build the activities)
  against fitdecode reading every frame, on the 1 MB multisport fixture.
- ICS parse and expansion over 2020-2029 of every calendar fixture (`pa.read_calendar`) against
  icalendar + recurring-ical-events (occurrence counts printed; `tests/python/compare_ics.py`
  checks them occurrence by occurrence).
- The overhead of a trivial call (`pa.form` of a TSB value).

Best of several runs each. Needs pandas and fitdecode in the environment (the venv `scripts/test`
makes, plus `pip install pandas`), and the module built in release mode for figures worth quoting
(`maturin develop --release`). Usage: python benches/python_peers.py [path/to/fixtures]
"""

import datetime as dt
import math
import pathlib
import sys
import tempfile
import timeit

import fitdecode
import icalendar
import pandas as pd
import recurring_ical_events

import pa


def best(f, number: int, repeat: int = 5) -> float:
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def main() -> int:
    fixtures = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures")
    start = dt.date(2016, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(3650)]
    loads = [max(0.0, 80 + 60 * math.sin(i / 9.0)) for i in range(3650)]
    # Each tool gets the loads in its own form, made before timing: pandas a daily Series, pa the
    # first day and a float64 array (numpy's; the Series' own values).
    series = pd.Series(loads, index=pd.date_range(start, periods=len(loads)))
    values = series.to_numpy()

    def with_pa() -> dict:
        return pa.pmc_series(start, values)

    def with_pandas() -> pd.DataFrame:
        s = series
        k42, k7 = 1 - math.exp(-1 / 42), 1 - math.exp(-1 / 7)
        ctl = pd.concat([pd.Series([0.0]), s.reset_index(drop=True)]).ewm(alpha=k42, adjust=False).mean()[1:]
        atl = pd.concat([pd.Series([0.0]), s.reset_index(drop=True)]).ewm(alpha=k7, adjust=False).mean()[1:]
        df = pd.DataFrame({"load": s.values, "ctl": ctl.values, "atl": atl.values}, index=s.index)
        df["tsb"] = (df["ctl"] - df["atl"]).shift(1, fill_value=0.0)
        df["ramp"] = df["ctl"] - df["ctl"].shift(7, fill_value=0.0)
        return df

    ours, theirs = with_pa(), with_pandas()
    for column in ("ctl", "atl", "tsb", "ramp"):
        diff = max(abs(a - b) for a, b in zip(ours[column], theirs[column]))
        assert diff < 1e-9, (column, diff)
    t_pa, t_pd = best(with_pa, 2000), best(with_pandas, 200)
    print(f"PMC 3,650 days from a pandas Series: pa.pmc_series {t_pa * 1e6:.1f} µs, pandas ewm {t_pd * 1e6:.0f} µs: {t_pd / t_pa:.0f}x (target 50x)")
    t_lists = best(lambda: pa.pmc(days, loads), 200)
    print(f"PMC 3,650 days from lists of dates and floats (pa.pmc): {t_lists * 1e6:.0f} µs, {t_pd / t_lists:.1f}x pandas")

    t_call = best(lambda: pa.form(-12.5), 200000)
    print(f"a trivial call (pa.form of a TSB): {t_call * 1e9:.0f} ns (goal 1 µs)")

    fit = fixtures / "fit" / "activity-large-fenxi2-multisport.fit"
    if fit.exists():
        with tempfile.TemporaryDirectory() as d:
            me = pa.Store(pathlib.Path(d) / "pa.db").user()
            t_ours = best(lambda: me.import_files([fit], dry_run=True), 5)

        def decode() -> None:
            with fitdecode.FitReader(str(fit)) as r:
                for _ in r:
                    pass

        t_fd = best(decode, 1, repeat=3)
        print(f"FIT import of {fit.name} from Python: pa {t_ours * 1e3:.1f} ms, fitdecode {t_fd * 1e3:.0f} ms: {t_fd / t_ours:.0f}x (target 100x)")
    else:
        print(f"FIT: skipped, {fit} is absent")

    calendars = sorted((fixtures / "ics").glob("*.ics"))
    if calendars:
        start, end = dt.date(2020, 1, 1), dt.date(2029, 12, 31)

        def with_pa_ics() -> int:
            n = 0
            for p in calendars:
                try:
                    n += len(pa.read_calendar(p, start, end))
                except pa.PaError:
                    pass  # the peer's ratio below leaves out what either side refuses
            return n

        def with_peer_ics() -> int:
            n = 0
            for p in calendars:
                try:
                    for cal in icalendar.Calendar.from_ical(p.read_bytes(), multiple=True):
                        n += len(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end + dt.timedelta(days=1)))
                except Exception:
                    pass
            return n

        n_pa, n_peer = with_pa_ics(), with_peer_ics()
        t_pa_ics, t_peer_ics = best(with_pa_ics, 3), best(with_peer_ics, 1, repeat=3)
        print(
            f"ICS parse + expansion 2020-2029 of {len(calendars)} files from Python: pa.read_calendar {t_pa_ics * 1e3:.1f} ms "
            f"({n_pa} occurrences), icalendar + recurring-ical-events {t_peer_ics * 1e3:.0f} ms ({n_peer}): "
            f"{t_peer_ics / t_pa_ics:.0f}x (target 50x)"
        )
    else:
        print(f"ICS: skipped, {fixtures / 'ics'} is absent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
