"""Writes sample-loads.csv: one athlete's year of daily training loads (TSS), deterministic.

A 52-week periodised plan: base, build and peak blocks of three loading weeks and one recovery
week, a taper and race in early June, an easy transition, a second block for an autumn race, and
a few missed days. Some days hold two sessions (two rows with the same date), rest days have no
row. Run: python3 make_sample.py > sample-loads.csv
"""
import datetime
import random

rng = random.Random(2026)
start = datetime.date(2025, 11, 17)  # a Monday
print("date,load")
for week in range(52):
    block = week % 4
    if week < 12:
        weekly = 380 + 25 * week
    elif week < 26:
        weekly = 620 + 15 * (week - 12)
    elif week < 28:
        weekly = 300  # taper and race
    elif week < 31:
        weekly = 200  # transition
    elif week < 46:
        weekly = 500 + 20 * (week - 31)
    elif week < 48:
        weekly = 320
    else:
        weekly = 420
    if block == 3 and not 26 <= week < 31:
        weekly *= 0.6  # recovery week
    shares = [0.0, 0.16, 0.12, 0.18, 0.0, 0.14, 0.40]  # Mon rest, Fri rest, long Sunday
    for dow, share in enumerate(shares):
        day = start + datetime.timedelta(days=7 * week + dow)
        if share == 0 or rng.random() < 0.04:
            continue
        load = weekly * share * rng.uniform(0.85, 1.15)
        if week == 27 and dow == 6:
            load = 285.0  # race day
        if dow == 3 and load > 60 and rng.random() < 0.5:
            first = round(load * 0.35, 1)
            print(f"{day},{first}")
            load -= first
        print(f"{day},{round(load, 1)}")
