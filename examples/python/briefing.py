"""Opens a pa store (filling it with the demo year when it is empty) and prints a week summary.

    python examples/python/briefing.py [STORE.db] [W-YY]

With no store path, the default store (the one `pa demo` fills) is used.
"""

import datetime
import sys

import pa


def main(argv: list[str]) -> int:
    store = pa.Store(argv[1]) if len(argv) > 1 else pa.Store()
    me = store.user()
    if not me.today(datetime.date.today()).habits:
        added = me.load_demo(datetime.date.today())
        print(f"(empty store: loaded the demo year, {added} records)")
    review = me.week(argv[2] if len(argv) > 2 else None)
    t = review.training
    print(f"Week {review.label} ({review.first_day} to {review.last_day})")
    print(
        f"  training: {t.completed} done, {t.missed} missed, "
        f"{t.actual.duration_s / 3600:.1f} h, load {t.actual.load:.0f}"
    )
    if t.tsb is not None:
        print(f"  form on Sunday: TSB {t.tsb:.1f} ({t.form})")
    for h in review.habits:
        pct = "–" if h.completion_pct is None else f"{h.completion_pct:.0f}%"
        print(f"  habit {h.name}: {pct}, streak {h.streak_after}")
    tasks = review.tasks
    print(f"  tasks: {tasks.done} done, {tasks.added} added, {tasks.overdue} overdue")
    for n in review.net_worth:
        print(f"  net worth: {n.end} {n.currency} ({n.change:+} this week)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
