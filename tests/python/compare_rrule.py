"""Checks `pa calendar expand` against python-dateutil's rrule on the same rules.

Each case is expanded by both, in the same zone and window [from, to) (local midnights), and the
occurrences are compared as UTC instants. dateutil attaches the zone to wall-clock times; with
zoneinfo, a time in a spring-forward gap takes the offset before the gap and a time in a fall-back
overlap its first occurrence (fold=0), which is RFC 5545's rule and pa's.

Then the same for a few hundred rules drawn at random (seeded, so every run draws the same):
RFC 5545-valid rules of every frequency must agree, and pa may refuse only the sub-hourly rules
it documents as refused (docs/daily.md), which the rrule crate expands wrongly.

Usage: python compare_rrule.py path/to/pa
"""

import datetime as dt
import json
import random
import signal
import subprocess
import sys
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

CASES = [
    # rule, dtstart (local), zone, from, to
    ("FREQ=DAILY", "2026-01-01T09:00:00", "Europe/Berlin", "2026-01-01", "2026-12-31"),
    ("FREQ=DAILY;INTERVAL=3;COUNT=40", "2026-02-27T07:30:00", "America/New_York", "2026-01-01", "2027-01-01"),
    ("FREQ=DAILY;COUNT=5", "2026-03-06T02:30:00", "America/New_York", "2026-01-01", "2027-01-01"),
    ("FREQ=DAILY;COUNT=5", "2026-10-30T01:30:00", "America/New_York", "2026-01-01", "2027-01-01"),
    ("FREQ=DAILY;COUNT=5", "2026-03-27T02:30:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    ("FREQ=DAILY;COUNT=5", "2026-10-23T02:30:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    ("FREQ=DAILY;COUNT=6", "2026-04-03T02:15:00", "Australia/Lord_Howe", "2026-01-01", "2027-01-01"),
    ("FREQ=HOURLY;INTERVAL=5;COUNT=30", "2026-03-28T20:00:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "2026-03-02T18:00:00", "Europe/London", "2026-03-01", "2026-05-01"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20261231T000000Z", "2026-01-06T08:00:00", "Asia/Tokyo", "2026-01-01", "2027-01-01"),
    ("FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,TU", "2026-01-04T10:00:00", "UTC", "2026-01-01", "2026-06-01"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "2026-01-31T12:00:00", "Europe/Paris", "2026-01-01", "2028-01-01"),
    ("FREQ=MONTHLY;BYMONTHDAY=31", "2026-01-31T12:00:00", "UTC", "2026-01-01", "2028-01-01"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "2026-01-30T17:00:00", "America/Los_Angeles", "2026-01-01", "2028-01-01"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "2026-01-13T19:00:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "2026-01-30T09:00:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1", "2026-01-01T09:00:00", "UTC", "2026-01-01", "2027-01-01"),
    ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15;COUNT=12", "2026-01-15T08:00:00", "America/Sao_Paulo", "2026-01-01", "2030-01-01"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2024-02-29T12:00:00", "UTC", "2024-01-01", "2041-01-01"),
    ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "2026-11-26T15:00:00", "America/New_York", "2026-01-01", "2036-01-01"),
    ("FREQ=YEARLY;BYYEARDAY=1,100,-1", "2026-01-01T06:00:00", "UTC", "2026-01-01", "2031-01-01"),
    ("FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO", "2026-01-05T09:00:00", "UTC", "2026-01-01", "2036-01-01"),
    ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=TH;WKST=SU", "2026-05-14T09:00:00", "UTC", "2026-01-01", "2036-01-01"),
    ("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", "2026-03-29T02:30:00", "Europe/Berlin", "2026-01-01", "2031-01-01"),
    ("FREQ=MINUTELY;INTERVAL=90;COUNT=50", "2026-10-24T20:00:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
    # Sparse at a fine frequency: occurrences years apart must survive the iteration limit.
    ("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=9", "2024-02-29T09:00:00", "UTC", "2024-01-01", "2037-01-01"),
    ("FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,11", "2026-03-27T09:00:00", "Europe/Berlin", "2026-03-27", "2026-04-02"),
    ("FREQ=HOURLY;BYMONTHDAY=13;BYDAY=FR;BYHOUR=18", "2026-02-13T18:00:00", "Europe/Berlin", "2026-01-01", "2036-01-01"),
    ("FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "2026-01-01T09:00:00", "Europe/Berlin", "2026-01-01", "2027-01-01"),
]


def pa_expand(pa: str, rule: str, start: str, zone: str, frm: str, to: str) -> list[dt.datetime]:
    out = subprocess.run(
        [pa, "calendar", "expand", "--rrule", rule, "--dtstart", start, "--tz", zone, "--from", frm, "--to", to, "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return [dt.datetime.fromisoformat(s).astimezone(dt.timezone.utc) for s in json.loads(out)]


def dateutil_expand(rule: str, start: str, zone: str, frm: str, to: str) -> list[dt.datetime]:
    tz = ZoneInfo(zone)
    dtstart = dt.datetime.fromisoformat(start).replace(tzinfo=tz)
    lo = dt.datetime.fromisoformat(frm).replace(tzinfo=tz)
    hi = dt.datetime.fromisoformat(to).replace(tzinfo=tz)
    occurrences = rrulestr(rule, dtstart=dtstart)
    utc = dt.timezone.utc
    return [t.astimezone(utc) for t in occurrences.between(lo, hi, inc=True) if t.astimezone(utc) < hi.astimezone(utc)]


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def random_rule(rng: random.Random) -> str:
    """An RFC 5545-valid rule with a random mix of parts, finite by COUNT."""
    freq = rng.choice(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"])
    sub_hourly = freq in ("MINUTELY", "SECONDLY")
    interval = rng.choice([1, 2, 7, 15, 25, 60, 90] if sub_hourly else [1, 1, 2, 3, 5])
    parts = [f"FREQ={freq}", f"INTERVAL={interval}", f"COUNT={rng.randint(1, 40)}"]

    def some(values: list[object], most: int) -> str:
        return ",".join(map(str, rng.sample(values, rng.randint(1, most))))

    if rng.random() < 0.3:
        parts.append("BYMONTH=" + some(list(range(1, 13)), 4))
    if rng.random() < 0.25 and freq != "WEEKLY":
        parts.append("BYMONTHDAY=" + some([1, 2, 5, 15, 28, 29, 30, 31, -1, -2, -10], 3))
    if rng.random() < 0.35:
        if freq in ("MONTHLY", "YEARLY") and rng.random() < 0.5:
            parts.append("BYDAY=" + ",".join(f"{rng.choice([1, 2, 3, -1, -2])}{rng.choice(WEEKDAYS)}" for _ in range(rng.randint(1, 2))))
        else:
            parts.append("BYDAY=" + some(list(WEEKDAYS), 3))
    if rng.random() < 0.15 and freq in ("YEARLY", "HOURLY", "MINUTELY", "SECONDLY"):
        parts.append("BYYEARDAY=" + some([1, 10, 60, 100, 200, 365, 366, -1, -100], 2))
    if rng.random() < 0.15 and freq == "YEARLY":
        parts.append("BYWEEKNO=" + some([1, 2, 10, 20, 52, 53, -1], 2))
    if rng.random() < 0.3:
        parts.append("BYHOUR=" + some(list(range(24)), 4))
    if rng.random() < 0.25:
        parts.append("BYMINUTE=" + some(list(range(60)), 4))
    if rng.random() < 0.15:
        parts.append("BYSECOND=" + some(list(range(60)), 3))
    if rng.random() < 0.2 and any(p.startswith("BY") for p in parts):  # RFC: never alone
        parts.append("BYSETPOS=" + some([1, 2, 3, -1, -2], 2))
    if rng.random() < 0.2:
        parts.append("WKST=" + rng.choice(WEEKDAYS))
    return ";".join(parts)


def documented_refusal(rule: str) -> bool:
    """docs/daily.md: MINUTELY or SECONDLY with a day filter, or with BYHOUR or BYMINUTE at an
    INTERVAL that neither divides 60 nor is a multiple of it."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    if parts["FREQ"] not in ("MINUTELY", "SECONDLY"):
        return False
    if any(k in parts for k in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYDAY")):
        return True
    interval = int(parts["INTERVAL"])
    even = 60 % interval == 0 or interval % 60 == 0
    return not even and ("BYHOUR" in parts or "BYMINUTE" in parts)


def too_long(signum: int, frame: object) -> None:
    raise TimeoutError


def compare_random(pa: str, count: int, seed: int) -> tuple[int, int, int, int]:
    """(rules compared, occurrences compared, refused as documented, failures)."""
    rng = random.Random(seed)
    compared, occurrences, refused, failures = 0, 0, 0, 0
    while compared + refused < count:
        rule = random_rule(rng)
        zone = rng.choice(["UTC", "Europe/Berlin", "America/New_York"])
        start = dt.datetime(2026, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.choice([0, 30]), rng.choice([0, 15]))
        frm, to = "2026-01-01", "2036-01-01"
        # dateutil searches forever for a rule that never matches (pa ends it at a limit).
        signal.signal(signal.SIGALRM, too_long)
        signal.alarm(1)
        try:
            theirs = dateutil_expand(rule, start.isoformat(), zone, frm, to)
        except (ValueError, TimeoutError):
            continue  # a combination dateutil itself calls invalid, or never ends on
        finally:
            signal.alarm(0)
        try:
            ours = pa_expand(pa, rule, start.isoformat(), zone, frm, to)
        except subprocess.CalledProcessError as e:
            if documented_refusal(rule):
                refused += 1
            else:
                failures += 1
                print(f"REFUSED {rule} from {start} {zone}: {e.stderr.strip()}")
            continue
        compared += 1
        occurrences += len(theirs)
        if ours != theirs:
            failures += 1
            print(f"MISMATCH {rule} from {start} {zone}: pa {len(ours)} vs dateutil {len(theirs)} occurrences")
        elif documented_refusal(rule):
            failures += 1
            print(f"ACCEPTED {rule}: documented as refused")
    return compared, occurrences, refused, failures


def main() -> int:
    pa = sys.argv[1]
    failures, total = 0, 0
    for rule, start, zone, frm, to in CASES:
        ours = pa_expand(pa, rule, start, zone, frm, to)
        theirs = dateutil_expand(rule, start, zone, frm, to)
        total += len(theirs)
        if ours != theirs:
            failures += 1
            first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            print(f"MISMATCH {rule} from {start} {zone}: pa {len(ours)} vs dateutil {len(theirs)} occurrences; first difference at #{first}")
            print(f"  pa:       {ours[first:first + 3]}")
            print(f"  dateutil: {theirs[first:first + 3]}")
    print(f"rrule expansion vs python-dateutil: {total} occurrences compared over {len(CASES)} rules")
    print(f"dateutil: {len(CASES) - failures} passed, {failures} failed")
    rules, occurrences, refused, random_failures = compare_random(pa, 250, seed=2026)
    print(
        f"random rules vs python-dateutil: {rules} compared ({occurrences} occurrences), "
        f"{refused} refused as documented, {random_failures} failed"
    )
    return 1 if failures or random_failures else 0


if __name__ == "__main__":
    sys.exit(main())
