"""Side by side: pa's importers and the Python tools people use, on the shared fixtures.

The same machine, the same run, the same files. pa's figures come from the release build of
`crates/pa-integrations/examples/import_timings.rs` (median of 20 runs of the whole job); each
peer's are the best of 3 runs of the equivalent job:

- FIT: decode the file (fitparse: every message; fitdecode: every frame). pa decodes and builds
  the activities with their streams and normalized power, which is more work, not less.
- ICS: parse, and list every occurrence from 2020-01-01 to 2030-01-01 (icalendar +
  recurring-ical-events); pa parses, maps to its events and expands each one over the window.
- OFX: parse the statement (ofxtools: parse and convert to its models; ofxparse too).

Prints one row per file and the ratio on the sum over each format's files (leaving out, for each
peer, the files it refuses: ofxtools stops at once on two damaged OFX files that pa reads), then
checks the
targets of issue 6 (>= 300x fitparse, >= 150x fitdecode, >= 50 MB/s FIT decoding, >= 100x
icalendar + recurring-ical-events, >= 50x ofxtools); exits 1 when one is missed.

Usage: python benches/imports_peers.py [path/to/fixtures]  (run from the repository root)
"""

import datetime as dt
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

warnings.simplefilter("ignore")

import fitdecode  # noqa: E402
import fitparse  # noqa: E402
import icalendar  # noqa: E402
import ofxparse  # noqa: E402
import recurring_ical_events  # noqa: E402
from ofxtools.Parser import OFXTree  # noqa: E402


def best(job, path: Path, runs: int = 3) -> float | None:
    """The best time of `runs`, or None when the peer fails on the file: a refusal is not the
    same work as a parse, so such files are left out of that peer's ratio (and shown)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        try:
            job(path)
        except Exception:
            return None
        times.append(time.perf_counter() - t)
    return min(times)


def fitparse_job(p: Path) -> None:
    list(fitparse.FitFile(str(p)).get_messages())


def fitdecode_job(p: Path) -> None:
    with fitdecode.FitReader(str(p)) as r:
        for _ in r:
            pass


def ics_job(p: Path) -> None:
    for cal in icalendar.Calendar.from_ical(p.read_bytes(), multiple=True):
        recurring_ical_events.of(cal, skip_bad_series=True).between(dt.date(2020, 1, 1), dt.date(2030, 1, 1))


def ofxtools_job(p: Path) -> None:
    tree = OFXTree()
    tree.parse(str(p))
    tree.convert()


def ofxparse_job(p: Path) -> None:
    with open(p, "rb") as f:
        ofxparse.OfxParser.parse(f)


def ours(files: list[Path]) -> dict[str, float]:
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "pa-integrations", "--example", "import_timings"],
                   check=True)
    out = subprocess.run(["target/release/examples/import_timings", "--runs", "20", *map(str, files)],
                         check=True, capture_output=True, text=True).stdout
    return {json.loads(l)["file"]: json.loads(l)["seconds"] for l in out.splitlines()}


def main() -> int:
    fixtures = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures")
    if not fixtures.is_dir():
        print(f"skipped: {fixtures} is absent")
        return 0
    groups = {
        "fit": (sorted((fixtures / "fit").glob("*.fit")), {"fitparse": fitparse_job, "fitdecode": fitdecode_job}),
        "ics": (sorted((fixtures / "ics").glob("*.ics")), {"icalendar+recurring-ical-events": ics_job}),
        "ofx": (sorted((fixtures / "ofx").glob("*.ofx")) + sorted((fixtures / "ofx").glob("*.qfx")),
                {"ofxtools": ofxtools_job, "ofxparse": ofxparse_job}),
    }
    mine = ours([f for files, _ in groups.values() for f in files])
    ratios: dict[str, float] = {}
    fit_bytes, fit_seconds = 0, 0.0
    for fmt, (files, peers) in groups.items():
        totals = {name: 0.0 for name in peers}
        ours_for = {name: 0.0 for name in peers}
        print(f"\n{fmt}: {'file':44} {'bytes':>9} {'pa ms':>9} " + " ".join(f"{n[:24]:>26}" for n in peers))
        for f in files:
            t = mine.get(str(f))
            if t is None:
                continue
            row = []
            for name, job in peers.items():
                s = best(job, f)
                if s is None:
                    row.append(f"{'fails':>12}    {'-':>8} ")
                    continue
                totals[name] += s
                ours_for[name] += t
                row.append(f"{s * 1e3:>12.2f} ms {s / t:>8.0f}x")
            if fmt == "fit":
                fit_bytes += f.stat().st_size
                fit_seconds += t
            print(f"     {f.name[:44]:44} {f.stat().st_size:>9} {t * 1e3:>9.3f} " + " ".join(f"{c:>26}" for c in row))
        for name, s in totals.items():
            ratios[name] = s / ours_for[name]
            print(f"     all {fmt} files {name} reads: pa {ours_for[name] * 1e3:.2f} ms, {name} {s * 1e3:.1f} ms: "
                  f"{ratios[name]:.0f}x")
    mbps = fit_bytes / fit_seconds / 1e6
    print(f"\nFIT throughput (decode and build activities): {mbps:.0f} MB/s")
    targets = {"fitparse": 300, "fitdecode": 150, "icalendar+recurring-ical-events": 100, "ofxtools": 50}
    missed = [f"{n} {ratios[n]:.0f}x < {want}x" for n, want in targets.items() if ratios[n] < want]
    if mbps < 50:
        missed.append(f"FIT {mbps:.0f} MB/s < 50 MB/s")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
