"""Checks what `pa import` reads from the FIT, GPX, TCX and OFX fixtures against fitdecode, gpxpy,
python-tcxparser and ofxparse.

Each fixture is imported into a new store with `pa import`, the activities are read back with
`pa export`, and their figures are compared with what the peer reports for the same track:
distance, duration, moving time and climb (gpxpy, per track with times); distance, timer time,
calories, climb and heart rate (tcxparser). pa keeps the exact mean heart rate where tcxparser
truncates it to an integer, so that one is compared after truncation. FIT: every non-transition
session's start, elapsed and timer time, distance, climb, calories, heart rate and power
(fitdecode), the number of records in its time window, and its laps (count, distance and
elapsed time of each); the damaged files must be refused.
OFX: per account, the transactions (FITIDs and amounts) and the ledger balance (ofxparse; pa turns
a card's balance into a positive amount owed, so the sign is compared accordingly), and the
positions of investment accounts. Where ofxparse refuses a file pa reads (an amount written `$120`),
pa must skip just that transaction and say so. Investment accounts: the positions, the investment
transactions (FITIDs, units, unit price and total; pa keeps a transfer's cash effect as 0, as
ofxparse does) and the cash movements (INVBANKTRAN, pa's ordinary transactions on the account).

Skips with a message when ../shared/fixtures is absent.

Usage: python compare_tracks.py path/to/pa path/to/fixtures
"""

import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import fitdecode
import gpxpy
import ofxparse
import tcxparser

TOL = 1e-6
# fitdecode warns about the COROS file's odd field sizes; the comparison is what matters here.
warnings.simplefilter("ignore")



def hide_number(number: str, fitid: str) -> str:
    """The FITID as pa stores it: each run of more than four digits that the account number also
    holds written as as many '*'s."""
    if len(number) <= 4:
        return fitid
    hidden = [False] * len(fitid)
    for start in range(len(fitid)):
        end = start
        while end < len(fitid) and fitid[end].isdigit() and fitid[start:end + 1] in number:
            end += 1
        if end - start > 4:
            hidden[start:end] = [True] * (end - start)
    return "".join("*" if h else c for c, h in zip(fitid, hidden))

def exported(pa: str, path: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as d:
        db = str(Path(d) / "pa.db")
        subprocess.run([pa, "--db", db, "-q", "import", str(path)], check=True, stderr=subprocess.DEVNULL)
        out = subprocess.run([pa, "--db", db, "export"], check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def activities(pa: str, path: Path) -> list[dict]:
    return [line["record"] for line in exported(pa, path) if line["kind"] == "activity"]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOL * max(1.0, abs(b))


def main() -> int:
    pa, fixtures = sys.argv[1], Path(sys.argv[2])
    if not fixtures.is_dir():
        print(f"tracks: skipped, {fixtures} is absent")
        # CI always has the fixtures: there, their absence is a failure, not a skip.
        return 1 if os.environ.get("CI") else 0
    failures, compared = 0, 0

    def check(what: str, ours: float | None, theirs: float | None) -> None:
        nonlocal failures, compared
        compared += 1
        if not close(ours, theirs):
            failures += 1
            print(f"DIFF {what}: pa {ours} vs peer {theirs}")

    for path in sorted((fixtures / "gpx").glob("*.gpx")):
        ours = {a["start"]["utc"]: a for a in activities(pa, path)}
        with open(path, encoding="utf-8") as f:
            gpx = gpxpy.parse(f)
        for track in gpx.tracks:
            times = [p.time for s in track.segments for p in s.points if p.time]
            if not times:
                continue
            start = times[0].strftime("%Y-%m-%dT%H:%M:%SZ")
            a = ours.get(start)
            if a is None:
                failures += 1
                print(f"MISSING {path.name} track {track.name!r} starting {start}")
                continue
            name = f"{path.name} {track.name!r}"
            check(f"{name} distance", a.get("distance_m"), track.length_2d())
            check(f"{name} duration", a.get("elapsed_s"), track.get_duration())
            check(f"{name} moving", a.get("moving_s"), track.get_moving_data().moving_time)
            check(f"{name} climb", a.get("elevation_gain_m"), track.get_uphill_downhill().uphill)

    for path in sorted((fixtures / "tcx").glob("*.tcx")):
        (a,) = activities(pa, path)
        t = tcxparser.TCXParser(str(path))
        name = path.name
        check(f"{name} distance", a.get("distance_m"), float(t.distance))
        check(f"{name} timer time", a.get("moving_s"), float(t.duration))
        check(f"{name} calories", a.get("calories_kcal"), float(t.calories) or None)
        check(f"{name} climb", a.get("elevation_gain_m"), t.ascent if t.altitude_points() else None)
        if t.hr_values():
            check(f"{name} max hr", a.get("max_hr_bpm"), float(t.hr_max))
            check(f"{name} mean hr (truncated)", float(int(a["avg_hr_bpm"])), float(t.hr_avg))

    for path in sorted((fixtures / "fit").glob("*.fit")):
        sessions, records, laps = [], [], []
        try:
            with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as fit:
                for frame in fit:
                    if isinstance(frame, fitdecode.FitDataMessage):
                        if frame.name == "session":
                            sessions.append(frame)
                        elif frame.name == "lap" and frame.has_field("start_time"):
                            laps.append(frame)
                        elif frame.name == "record" and frame.has_field("timestamp"):
                            records.append(frame.get_value("timestamp"))
        except fitdecode.FitError:
            refused = subprocess.run([pa, "--db", ":memory:", "-q", "import", "--dry-run", str(path)],
                                     capture_output=True, text=True)
            compared += 1
            if refused.returncode != 65:
                failures += 1
                print(f"DIFF {path.name}: fitdecode refuses it, pa exit {refused.returncode}")
            continue
        ours = {a["start"]["utc"]: a for a in activities(pa, path)}
        for s in sessions:
            if s.get_value("sport") == "transition":
                continue
            start = s.get_value("start_time")
            key = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            a = ours.get(key)
            if a is None:
                failures += 1
                print(f"MISSING {path.name} session starting {key}")
                continue
            name = f"{path.name} {key}"
            def field(n: str) -> float | None:
                v = s.get_value(n, fallback=None)
                return None if v is None else float(v)
            elapsed = field("total_elapsed_time")
            check(f"{name} elapsed", a.get("elapsed_s"), elapsed)
            timer = field("total_timer_time")
            check(f"{name} timer", a.get("moving_s"), None if timer is None else min(timer, elapsed or timer))
            for ours_key, theirs in [("distance_m", "total_distance"), ("elevation_gain_m", "total_ascent"),
                                     ("calories_kcal", "total_calories"), ("avg_power_w", "avg_power")]:
                check(f"{name} {ours_key}", a.get(ours_key), field(theirs))
            if field("max_heart_rate") is not None:
                check(f"{name} max hr", a.get("max_hr_bpm"), field("max_heart_rate"))
            end = start.timestamp() + (elapsed or 0)
            n = sum(1 for t in records if start.timestamp() <= t.timestamp() <= end)
            got = len(a["streams"]["time_s"]) if a.get("streams") else 0
            check(f"{name} records", float(got), float(n))
            # Laps: those starting within the session, with their distances.
            mine = a.get("laps", [])
            theirs = [l for l in laps
                      if start.timestamp() <= l.get_value("start_time").timestamp() < max(end, start.timestamp() + 1)]
            check(f"{name} laps", float(len(mine)), float(len(theirs)))
            for i, (m, t) in enumerate(zip(mine, theirs)):
                d = t.get_value("total_distance", fallback=None)
                check(f"{name} lap {i + 1} distance", m.get("distance_m"), None if d is None else float(d))
                e = t.get_value("total_elapsed_time", fallback=None)
                check(f"{name} lap {i + 1} elapsed", m.get("elapsed_s"), 0.0 if e is None else float(e))

    for path in sorted((fixtures / "ofx").glob("*.ofx")):
        lines = exported(pa, path)
        txs = [l["record"] for l in lines if l["kind"] == "transaction"]
        bals = [l["record"] for l in lines if l["kind"] == "balance"]
        holdings = [l["record"] for l in lines if l["kind"] == "holding"]
        invtx = [l["record"] for l in lines if l["kind"] == "investment_transaction"]
        accounts = {l["record"]["id"]: l["record"] for l in lines if l["kind"] == "account"}
        try:
            with open(path, "rb") as f:
                peer = ofxparse.OfxParser.parse(f)
        except Exception as e:  # ofxparse refuses the file: pa must have skipped what it could not read
            compared += 1
            report = subprocess.run([pa, "--format", "json", "-q", "import", "--dry-run", str(path)],
                                    check=True, capture_output=True, text=True)
            skipped = json.loads(report.stdout)[0]["skipped"]
            if not any(s["what"].startswith("transaction") for s in skipped):
                failures += 1
                print(f"DIFF {path.name}: ofxparse refuses it ({e}); pa skipped {skipped}")
            continue
        for acct in peer.accounts:
            number = "".join(c for c in acct.account_id if c.isdigit())
            mask = number[-4:]
            # pa masks runs of the account number's digits in FITIDs (docs/import.md); so does this.
            hide = lambda fitid, number=number: hide_number(number, fitid)
            mine = [a for a in accounts.values() if a.get("mask") == mask]
            name = f"{path.name} …{mask}"
            compared += 1
            if len(mine) != 1:
                failures += 1
                print(f"DIFF {name}: {len(mine)} matching accounts in pa")
                continue
            a = mine[0]
            st = acct.statement
            if a["kind"] == "investment":
                positions = getattr(st, "positions", None) or []
                check(f"{name} positions", float(len([h for h in holdings if h["account"] == a["id"]])), float(len(positions)))
                peer_inv = {hide(t.id): t for t in st.transactions if type(t).__name__ == "InvestmentTransaction"}
                peer_cash = {hide(t.id): t.amount for t in st.transactions if type(t).__name__ == "Transaction"}
                mine_inv = {t["external"]["external_id"].rsplit("/", 1)[1]: t for t in invtx if t["account"] == a["id"]}
                mine_cash = {t["external"]["external_id"].rsplit("/", 1)[1]: t["amount"]["amount"]
                             for t in txs if t["account"] == a["id"]}
                compared += 2
                if set(peer_inv) != set(mine_inv) or set(peer_cash) != set(mine_cash):
                    failures += 1
                    print(f"DIFF {name}: investment FITIDs pa {sorted(mine_inv)} / {sorted(mine_cash)}"
                          f" vs ofxparse {sorted(peer_inv)} / {sorted(peer_cash)}")
                    continue
                for fitid, t in peer_inv.items():
                    m = mine_inv[fitid]
                    if t.type in ("buystock", "buymf", "sellstock", "sellmf", "transfer"):
                        check(f"{name} {fitid} units", float(m["quantity"]), float(t.units))
                        check(f"{name} {fitid} price", float(m["price"]["amount"]), float(t.unit_price))
                    check(f"{name} {fitid} total", float(m["amount"]["amount"]), float(t.total))
                    check(f"{name} {fitid} security", 1.0, float(m["security"] == t.security))
                for fitid, amount in peer_cash.items():
                    check(f"{name} {fitid} cash", float(mine_cash[fitid]), float(amount))
                continue
            theirs = {hide(t.id): t.amount for t in getattr(st, "transactions", [])}
            ours = {t["external"]["external_id"].rsplit("/", 1)[1]: t["amount"]["amount"]
                    for t in txs if t["account"] == a["id"]}
            compared += 1
            if set(theirs) != set(ours):
                failures += 1
                print(f"DIFF {name}: FITIDs pa {sorted(ours)} vs ofxparse {sorted(theirs)}")
            for fitid, amount in theirs.items():
                if fitid in ours:
                    check(f"{name} {fitid}", float(ours[fitid]), float(amount))
            balance = getattr(st, "balance", None)
            if balance is not None:
                b = [x for x in bals if x["account"] == a["id"]]
                sign = -1 if a["kind"] == "credit" else 1
                check(f"{name} ledger balance", float(b[0]["current"]["amount"]) if b else None, sign * float(balance))

    print(f"imports vs fitdecode/gpxpy/tcxparser/ofxparse: {compared} figures compared, {failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
