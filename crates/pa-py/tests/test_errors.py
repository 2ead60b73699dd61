"""Every exception class: where it sits, what it carries, and what raises it."""

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
