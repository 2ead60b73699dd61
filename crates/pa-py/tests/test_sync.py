"""Sync through the binding: link accounts into the vault, update from Google Calendar and
mirror into Airtable, with progress callbacks and the asyncio forms. The services are small
fakes on 127.0.0.1 written here (the faithful fakes with fault injection are the Rust suite's);
what is tested is the binding: arguments, results, callbacks, errors."""

import asyncio
import datetime
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import pa

PASS = "correct horse"
REFRESH = "1//py-refresh"
AIRTABLE = "patPY.token"


class Fake(BaseHTTPRequestHandler):
    """Google Calendar (one calendar, three events, sync tokens) and Airtable (upsert by Key)."""

    revoked = False
    rows: dict[str, dict[str, Any]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length", "0")))

    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.body().decode())
        if Fake.revoked or form.get("refresh_token") != [REFRESH]:
            self.reply(400, {"error": "invalid_grant"})
        else:
            self.reply(200, {"access_token": "ya29.py", "expires_in": 3599, "token_type": "Bearer"})

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("authorization", "")
        if url.path.startswith("/v0/"):
            if auth != f"Bearer {AIRTABLE}":
                return self.reply(401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "invalid authentication token"}})
            table = urllib.parse.unquote(url.path.split("/")[3])
            records = [r for r in Fake.rows.values() if r["table"] == table]
            return self.reply(200, {"records": [{"id": r["id"], "createdTime": "2026-12-01T00:00:00.000Z", "fields": r["fields"]} for r in records]})
        if auth != "Bearer ya29.py":
            return self.reply(401, {"error": {"code": 401, "message": "Invalid Credentials", "errors": [{"reason": "authError"}]}})
        if url.path.endswith("/calendarList"):
            return self.reply(200, {"items": [{"id": "me@example.com", "summary": "Work", "timeZone": "Europe/Berlin"}], "nextSyncToken": "c"})
        if "syncToken" in query:
            return self.reply(200, {"items": [], "nextSyncToken": "s1"})
        items = [
            {"id": f"e{i}", "status": "confirmed", "summary": f"Meeting {i}", "etag": '"1"',
             "start": {"dateTime": f"2026-12-0{i + 1}T09:00:00+01:00", "timeZone": "Europe/Berlin"},
             "end": {"dateTime": f"2026-12-0{i + 1}T10:00:00+01:00", "timeZone": "Europe/Berlin"}}
            for i in range(3)
        ]
        if "pageToken" in query:
            self.reply(200, {"items": items[2:], "nextSyncToken": "s1"})
        else:
            self.reply(200, {"items": items[:2], "nextPageToken": "p2"})

    def do_PATCH(self) -> None:
        table = urllib.parse.unquote(urllib.parse.urlparse(self.path).path.split("/")[3])
        request = json.loads(self.body())
        out = []
        for record in request["records"]:
            fields = {k: v for k, v in record["fields"].items() if v not in (None, "", [], False)}
            key = (table, fields["Key"])
            row = Fake.rows.setdefault(json.dumps(key), {"id": f"rec{len(Fake.rows):014}", "table": table, "fields": {}})
            row["fields"] = fields
            out.append({"id": row["id"], "createdTime": "2026-12-01T00:00:00.000Z", "fields": fields})
        self.reply(200, {"records": out})

    def do_DELETE(self) -> None:
        self.reply(200, {"records": []})


@pytest.fixture()
def server() -> Iterator[str]:
    Fake.revoked = False
    Fake.rows = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def credentials(url: str) -> str:
    return json.dumps({"token": "expired", "refresh_token": REFRESH, "token_uri": f"{url}/token",
                       "client_id": "cid", "client_secret": "cs", "expiry": "2026-01-01T00:00:00Z"})


def test_calendar_then_dashboard_with_progress_and_asyncio(server: str, tmp_path: Any) -> None:
    store = pa.Store(str(tmp_path / "pa.db"), now=datetime.datetime(2026, 12, 4, 18, tzinfo=datetime.timezone.utc))
    me = store.user("me")
    vault = store.unlock(PASS)
    me.link_google(vault, credentials(server))
    pages: list[dict[str, Any]] = []
    reports = me.sync_calendar(vault, api_url=f"{server}/calendar/v3", progress=lambda **p: pages.append(p))
    assert [(r["source"], r["written"]["added"], r["pages"]) for r in reports] == [("google_calendar:me@example.com", 3, 2)]
    assert pages[-1] == {"source": "google_calendar:me@example.com", "pages": 2, "changes": 3}
    again = asyncio.run(me.sync_calendar_async(vault, api_url=f"{server}/calendar/v3"))
    assert again[0]["written"]["added"] == 0
    done: list[dict[str, Any]] = []
    report = me.sync_airtable(vault, "appPY", token=AIRTABLE, url=server, window_days=7, progress=lambda **p: done.append(p))
    day = next(t for t in report["tables"] if t["table"] == "Day")
    assert day["created"] == 7
    events = next(t for t in report["tables"] if t["table"] == "Calendar Events")
    assert events["created"] == 3
    assert done and set(done[0]) == {"table", "done", "total"}
    # The token is in the vault now: no need to pass it again; nothing changed, nothing written.
    quiet = asyncio.run(me.sync_airtable_async(vault, "appPY", url=server, window_days=7))
    assert quiet["writes"] == 0
    named = me.sync_airtable(vault, "appPY", url=server, window_days=7, units="statute",
                             tables={"day": "Days", "tasks": "Tasks"}, fields={"Date": "ISO date"})
    assert {t["table"] for t in named["tables"]} >= {"Days", "Tasks"}
    days = [r["fields"] for r in Fake.rows.values() if r["table"] == "Days"]
    assert days and all("ISO date" in f and "Date" not in f for f in days)
    status = me.sync_status()
    assert {s["source"]: s["has_cursor"] for s in status["states"]} == {"google_calendar:me@example.com": True}
    assert status["runs"][0]["outcome"] == "succeeded"


def test_errors_are_typed(server: str, tmp_path: Any) -> None:
    store = pa.Store(str(tmp_path / "pa.db"))
    me = store.user("me")
    vault = store.unlock(PASS)
    with pytest.raises(pa.InvalidInputError):
        me.link_google(vault, '{"refresh_token": "x"}')
    with pytest.raises(pa.InvalidInputError):
        me.link_airtable(vault, "  ")
    with pytest.raises(pa.AuthError):
        me.sync_calendar(vault, api_url=f"{server}/calendar/v3")
    me.link_google(vault, credentials(server))
    Fake.revoked = True
    with pytest.raises(pa.AuthError, match="re-link needed"):
        me.sync_calendar(vault, api_url=f"{server}/calendar/v3")
    with pytest.raises(pa.AuthError, match="AUTHENTICATION_REQUIRED"):
        me.sync_airtable(vault, "appPY", token="patWRONG", url=server)
    with pytest.raises(pa.InvalidInputError):
        me.sync_airtable(vault, "appPY", url=server, units="furlongs")  # type: ignore[arg-type]
    with pytest.raises(pa.InvalidInputError, match="not a table role"):
        me.sync_airtable(vault, "appPY", url=server, tables={"meals": "Meals"})

    def boom(**_: object) -> None:
        raise RuntimeError("from the callback")

    Fake.revoked = False
    with pytest.raises(RuntimeError, match="from the callback"):
        me.sync_calendar(vault, api_url=f"{server}/calendar/v3", progress=boom)


class PlaidFake(Fake):
    """Plaid: Link, exchange, one Item with two transactions on two pages, balances."""

    login_required = False

    def do_POST(self) -> None:
        request = json.loads(self.body())
        if self.headers.get("plaid-secret") != "py-secret":
            return self.reply(400, {"error_type": "INVALID_INPUT", "error_code": "INVALID_API_KEYS",
                                    "error_message": "invalid client_id or secret provided", "request_id": "r"})
        path = urllib.parse.urlparse(self.path).path
        if path == "/link/token/create":
            return self.reply(200, {"link_token": "link-sandbox-py", "expiration": "x", "request_id": "r"})
        if path == "/item/public_token/exchange":
            return self.reply(200, {"access_token": "access-sandbox-py", "item_id": "itemPY", "request_id": "r"})
        if PlaidFake.login_required:
            return self.reply(400, {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED",
                                    "error_message": "a user login is required", "request_id": "r"})
        account = {"account_id": "acc", "name": "Checking", "official_name": None, "mask": "0000",
                   "type": "depository", "subtype": "checking",
                   "balances": {"current": 120.5, "available": 100, "limit": None,
                                "iso_currency_code": "USD", "unofficial_currency_code": None}}
        if path == "/accounts/balance/get":
            return self.reply(200, {"accounts": [account], "item": {"item_id": "itemPY"}, "request_id": "r"})
        page = request.get("cursor", "")
        txs = [{"transaction_id": f"t{i}", "account_id": "acc", "amount": 4.2 + i, "iso_currency_code": "USD",
                "unofficial_currency_code": None, "date": f"2026-12-0{i + 1}", "authorized_date": None,
                "name": f"SHOP {i}", "merchant_name": None, "pending": False, "pending_transaction_id": None}
               for i in range(2)]
        if page == "":
            self.reply(200, {"added": txs[:1], "modified": [], "removed": [], "accounts": [account],
                             "next_cursor": "c1", "has_more": True, "request_id": "r"})
        elif page == "c1":
            self.reply(200, {"added": txs[1:], "modified": [], "removed": [], "accounts": [],
                             "next_cursor": "c2", "has_more": False, "request_id": "r"})
        else:
            self.reply(200, {"added": [], "modified": [], "removed": [], "accounts": [],
                             "next_cursor": "c2", "has_more": False, "request_id": "r"})


def test_plaid_link_sync_and_relink(tmp_path: Any) -> None:
    PlaidFake.login_required = False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PlaidFake)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        store = pa.Store(str(tmp_path / "pa.db"), now=datetime.datetime(2026, 12, 4, 18, tzinfo=datetime.timezone.utc))
        me = store.user("me")
        vault = store.unlock(PASS)
        assert me.plaid_link_token("cid", "py-secret", url=url) == "link-sandbox-py"
        with pytest.raises(pa.AuthError, match="client id or secret"):
            me.plaid_link_token("cid", "wrong", url=url)
        assert me.link_plaid(vault, "public-sandbox-py", "cid", "py-secret", url=url) == "itemPY"
        assert me.plaid_items(vault) == ["itemPY"]
        pages: list[dict[str, Any]] = []
        reports = me.sync_plaid(vault, "cid", "py-secret", url=url, progress=lambda **p: pages.append(p))
        assert [(r["item_id"], r["transactions"]["pages"], r["relink_needed"]) for r in reports] == [("itemPY", 2, None)]
        assert pages[-1]["source"] == "plaid:itemPY:balances"
        amounts = sorted(str(t.amount.amount) for t in me.transactions())
        assert amounts == ["-4.20", "-5.20"]
        again = asyncio.run(me.sync_plaid_async(vault, "cid", "py-secret", url=url))
        assert again[0]["transactions"]["written"]["added"] == 0
        PlaidFake.login_required = True
        relink = me.sync_plaid(vault, "cid", "py-secret", url=url)
        assert "ITEM_LOGIN_REQUIRED" in relink[0]["relink_needed"]
        with pytest.raises(pa.InvalidInputError, match="PLAID_ENV"):
            me.sync_plaid(vault, "cid", "py-secret", env="development")
    finally:
        httpd.shutdown()
        httpd.server_close()


class GarminFake(Fake):
    """Garmin Connect: the profile, one ride, a day's summary, sleep, HRV and a weigh-in."""

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if self.headers.get("authorization") != "Bearer garmin-py":
            self.send_response(401)
            self.send_header("www-authenticate", 'Bearer error="invalid_token", error_description="Token is not active"')
            self.send_header("content-length", "0")
            self.end_headers()
            return
        path = url.path
        if path.endswith("/socialProfile"):
            return self.reply(200, {"displayName": "runner42"})
        if path.endswith("/search/activities"):
            items = [{"activityId": 7, "activityName": "Ride", "startTimeGMT": "2026-12-01 17:00:00",
                      "activityType": {"typeKey": "cycling"}, "duration": 3600.0, "distance": 30000.0,
                      "averageHR": 140.0, "trainingStressScore": 70.5}]
            return self.reply(200, items if query.get("start") == ["0"] else [])
        if "/details" in path:
            return self.reply(404, {})
        if "/usersummary/daily/" in path:
            return self.reply(200, {"calendarDate": query["calendarDate"][0], "totalSteps": 8000, "restingHeartRate": 50})
        if "/dailySleepData/" in path:
            return self.reply(200, {"dailySleepDTO": {"id": 1, "sleepTimeSeconds": 27000}})
        if path.startswith("/hrv-service/"):
            return self.reply(200, {"hrvSummaries": [{"calendarDate": "2026-12-02", "lastNightAvg": 51}]})
        if path.startswith("/weight-service/"):
            return self.reply(200, {"dateWeightList": [{"timestampGMT": 1764658800000, "weight": 71500.0}]})
        self.reply(404, {})


def test_garmin_link_and_sync(tmp_path: Any) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), GarminFake)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        store = pa.Store(str(tmp_path / "pa.db"), now=datetime.datetime(2026, 12, 3, 18, tzinfo=datetime.timezone.utc))
        me = store.user("me")
        vault = store.unlock(PASS)
        with pytest.raises(pa.AuthError, match="no Garmin token"):
            me.sync_garmin(vault, url=url)
        with pytest.raises(pa.InvalidInputError, match="neither JSON"):
            me.link_garmin(vault, "not a token!")
        folder = tmp_path / "garminconnect"
        folder.mkdir()
        (folder / "garmin_tokens.json").write_text(json.dumps({"di_token": "garmin-py", "di_refresh_token": "r"}))
        me.link_garmin(vault, path=folder)
        pages: list[dict[str, Any]] = []
        report = me.sync_garmin(vault, since=datetime.date(2026, 12, 1), url=url, auth_url=url,
                                progress=lambda **p: pages.append(p))
        assert (report["from"], report["to"], report["ranges"]) == ("2026-12-01", "2026-12-03", 1)
        assert pages and pages[-1]["pages"] == 1
        ride = me.activities()[0]
        assert (ride.distance_m, ride.training_load) == (30000.0, 70.5)
        assert [h.hrv_rmssd_ms for h in me.daily_health()] == [None, 51.0, None]
        again = asyncio.run(me.sync_garmin_async(vault, url=url, auth_url=url))
        assert again["written"]["added"] == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
