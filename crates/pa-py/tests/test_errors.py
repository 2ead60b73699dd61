"""Every exception class: where it sits, what it carries, and what raises it."""

import datetime
import pathlib

import pytest

import pa


def test_hierarchy_and_builtins() -> None:
    expected: dict[type[pa.PaError], tuple[type[BaseException], ...]] = {
        pa.InvalidInputError: (ValueError,),
        pa.ParseError: (pa.InvalidInputError, ValueError),
        pa.NotFoundError: (LookupError,),
        pa.AuthError: (PermissionError,),
        pa.RateLimitedError: (),
        pa.NetworkError: (ConnectionError,),
        pa.StorageError: (OSError,),
        pa.NoSuchFileError: (pa.NotFoundError, FileNotFoundError, OSError),
        pa.ConflictError: (ValueError,),
        pa.ProviderError: (),
        pa.CancelledError: (),
    }
    for cls, bases in expected.items():
        assert issubclass(cls, pa.PaError), cls
        for base in bases:
            assert issubclass(cls, base), (cls, base)
        assert cls.__module__ == "pa._errors"
    assert issubclass(pa.PaError, Exception)


def test_attributes() -> None:
    limited = pa.RateLimitedError("slow down", retry_after=30.0)
    assert limited.retry_after == 30.0 and str(limited) == "slow down"
    assert pa.RateLimitedError("slow down").retry_after is None
    parse = pa.ParseError("x.gpx, line 3: bad", file="x.gpx", line=3)
    assert (parse.file, parse.line) == ("x.gpx", 3)
    assert str(pa.NetworkError("unreachable")) == "unreachable"
    provider = pa.ProviderError("plaid (HTTP 400): ITEM_LOGIN_REQUIRED", service="plaid", status=400)
    assert (provider.service, provider.status) == ("plaid", 400)
    assert pa.ProviderError("x").status is None


def test_parse_error_names_file_and_line(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    bad = tmp_path / "bad.gpx"
    bad.write_text('<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg></trk>\n</gpx>\n')
    with pytest.raises(pa.ParseError) as caught:
        me.import_files([bad])
    assert caught.value.file is not None and "bad.gpx" in caught.value.file
    assert caught.value.line == 3, str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_not_found(tmp_path: pathlib.Path) -> None:
    store = pa.Store(tmp_path / "pa.db")
    with pytest.raises(pa.NotFoundError, match="nobody"):
        store.user("nobody", create=False)
    with pytest.raises(LookupError):
        store.user("nobody", create=False)
    assert store.users() == []
    store.user("ann")
    assert store.users() == ["ann"] and store.user("ann", create=False) is not None
    assert store.delete_user("ann") and not store.delete_user("ann")
    with pytest.raises(pa.NotFoundError):
        store.user().import_files([tmp_path / "absent.gpx"])


def test_a_missing_file_is_file_not_found_with_the_os_reason(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    absent = tmp_path / "absent.gpx"
    with pytest.raises(FileNotFoundError) as caught:
        me.import_files([absent])
    err = caught.value
    assert isinstance(err, pa.NoSuchFileError) and isinstance(err, pa.PaError)
    assert (err.errno, err.strerror, err.filename) == (2, "No such file or directory", str(absent))
    assert str(err) == f"[Errno 2] No such file or directory: '{absent}'"
    with pytest.raises(FileNotFoundError):
        pa.read_calendar(tmp_path / "absent.ics", datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))


GPX = """<gpx version="1.1"><trk><trkseg>
<trkpt lat="46.0" lon="14.0"><time>2026-03-01T07:00:00Z</time></trkpt>
<trkpt lat="46.001" lon="14.0"><time>2026-03-01T07:00:30Z</time></trkpt></trkseg></trk></gpx>"""


def test_import_files_can_skip_what_cannot_be_read(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    good = tmp_path / "run.gpx"
    good.write_text(GPX)
    bad = tmp_path / "bad.gpx"
    bad.write_text('<gpx><trk><trkseg><trkpt lat="x"')
    missing = tmp_path / "missing.gpx"
    # By default the first unreadable file stops the job before anything is written.
    with pytest.raises(pa.ParseError):
        me.import_files([good, bad])
    assert me.activities() == []
    reports = me.import_files([bad, good, missing], errors="skip")
    assert [(r["format"], r["added"], "error" in r) for r in reports] == [
        (None, 0, True),
        ("gpx", 1, False),
        (None, 0, True),
    ]
    assert reports[0]["error"].startswith(f"{bad}")
    assert reports[2]["error"] == f"cannot read or write {missing}: No such file or directory (os error 2)"
    assert len(me.activities()) == 1
    with pytest.raises(pa.InvalidInputError, match="invalid errors: 'ignore' is not 'raise' or 'skip'"):
        me.import_files([good], errors="ignore")  # type: ignore[arg-type]


def test_edge_cases_behave_alike(tmp_path: pathlib.Path) -> None:
    me = pa.Store(tmp_path / "pa.db").user()
    # No input, no rows, through either PMC entry point.
    empty = pa.pmc([], [])
    assert empty["date"] == [] and len(empty["ctl"]) == 0
    assert len(pa.pmc_series(datetime.date(2026, 1, 1), [])["ctl"]) == 0
    # A window that ends before it starts is an error in every read, as in read_calendar.
    may, april = datetime.date(2026, 5, 1), datetime.date(2026, 4, 1)
    message = "invalid window: it ends on 2026-04-01, before it starts on 2026-05-01"
    for read in (me.activities, me.daily_health, me.transactions, me.net_worth, me.cash_flow):
        with pytest.raises(pa.InvalidInputError, match=message):
            read(may, april)
    with pytest.raises(pa.InvalidInputError, match="invalid min_coverage: 2 is not between 0 and 1"):
        me.health_trend("resting_hr", min_coverage=2.0)
    # A seed out of range is pa's error, not a bare OverflowError.
    for seed in (-1, 2**64):
        with pytest.raises(pa.InvalidInputError, match=f"invalid seed: {seed} is not between 0 and 2\\*\\*64 - 1"):
            me.load_demo(seed=seed)


def test_vault_auth_and_secrets(tmp_path: pathlib.Path) -> None:
    store = pa.Store(tmp_path / "pa.db")
    me = store.user()
    vault = store.unlock("correct horse")
    assert "correct" not in repr(vault)
    me.put_secret(vault, "garmin.password", "hunter2")
    assert me.secret(vault, "garmin.password") == "hunter2"
    assert me.secret(vault, "plaid.token") is None
    assert b"hunter2" not in (tmp_path / "pa.db").read_bytes()
    with pytest.raises(pa.AuthError):
        store.unlock("wrong horse")
    with pytest.raises(PermissionError):
        store.unlock("wrong horse")
    assert me.delete_secret("garmin.password") and not me.delete_secret("garmin.password")


def test_storage_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(pa.StorageError) as caught:
        pa.Store(tmp_path / "junk.db")
    assert isinstance(caught.value, OSError)
    store = pa.Store(tmp_path / "pa.db")
    store.backup(tmp_path / "copy.db")
    with pytest.raises(pa.StorageError):
        store.backup(tmp_path / "copy.db")  # never overwrites
