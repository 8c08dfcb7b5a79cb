"""The public response cache: no SQL when warm, publishes within 2 s, ETag/304, DB down."""

from __future__ import annotations

import gzip
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, session

from statuspage import create_app
from statuspage.components.models import Component, ComponentStatus
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident
from statuspage.maintenance.models import Maintenance
from statuspage.public.cache import CACHE_CONTROL, CACHED_ENDPOINTS, Rule, get_public_cache

TTL = 1.0


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def ticker(app: Flask) -> Ticker:
    """The app's cache clock, frozen until the test advances it."""
    clock = Ticker()
    get_public_cache(app).clock = clock
    return clock


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Record every SQL statement the app's engine runs, from any thread."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def ids(app: Flask) -> dict[str, str]:
    """Public ids of a visible component, an incident and a maintenance window."""
    with app.app_context():
        return {
            "component": db.session.scalar(
                sa.select(Component.public_id).where(Component.visible.is_(True)).limit(1)
            ),
            "incident": db.session.scalar(sa.select(Incident.public_id).limit(1)),
            "maintenance": db.session.scalar(sa.select(Maintenance.public_id).limit(1)),
        }


def public_urls(app: Flask) -> list[str]:
    """One URL for every cached endpoint (and a few query variants)."""
    known = ids(app)
    urls = [
        "/",
        f"/incidents/{known['incident']}",
        f"/maintenance/{known['maintenance']}",
        "/history",
        "/history?page=2",
        "/uptime",
        f"/uptime?component={known['component']}&months=6",
        "/history.rss",
        "/history.atom",
        f"/components/{known['component']}/history.atom",
        "/maintenance.ics",
        "/badge.svg",
        f"/components/{known['component']}/badge.svg",
        "/api/v2/summary.json",
        "/api/v2/status.json",
        "/api/v2/components.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        f"/api/v2/incidents/{known['incident']}.json",
        "/api/v2/scheduled-maintenances.json",
        "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
    ]
    return urls


# -- warm cache: no database at all -------------------------------------------------------


def test_every_cached_endpoint_has_a_url_here(frozen_clock, demo, app):
    endpoints = set()
    adapter = app.url_map.bind("localhost")
    for url in public_urls(app):
        endpoint, _args = adapter.match(url.split("?")[0])
        endpoints.add(endpoint)
    assert endpoints == set(CACHED_ENDPOINTS)


def test_warm_cache_runs_no_sql(frozen_clock, demo, app, client, ticker):
    for url in public_urls(app):
        with counted(app) as cold:
            first = client.get(url)
        assert first.status_code == 200, url
        assert cold, f"{url} was not built from the database"
        with counted(app) as warm:
            again = client.get(url)
            head = client.head(url)
            conditional = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert warm == [], f"{url} ran SQL on a warm cache: {warm}"
        assert again.status_code == 200
        assert again.data == first.data
        assert head.status_code == 200
        assert head.data == b""
        assert conditional.status_code == 304


def test_fresh_hits_skip_the_app_but_answer_and_count_the_same(
    frozen_clock, demo, app, client, ticker
):
    from statuspage.observability.metrics import get_metrics

    ran: list[str] = []
    # A hook of the app's own: fresh hits are answered beneath it, builds go through it.
    app.before_request_funcs.setdefault(None, []).append(lambda: ran.append("hook"))
    counter = get_metrics(app).http_requests
    for url in ("/", "/api/v2/summary.json", "/history.atom"):
        ran.clear()
        built = client.get(url, headers={"Accept-Encoding": "gzip", "Accept-Language": "en"})
        assert ran == ["hook"], url
        endpoint = app.url_map.bind("localhost").match(url.split("?")[0])[0]
        before = counter.labels("GET", endpoint, "200")._value.get()
        hit = client.get(url, headers={"Accept-Encoding": "gzip", "Accept-Language": "en"})
        assert ran == ["hook"], f"{url}: a fresh hit ran the app's hooks"
        assert hit.data == built.data
        for header in (
            "ETag",
            "Cache-Control",
            "Content-Encoding",
            "Content-Length",
            "Vary",
            "Content-Type",
            "Access-Control-Allow-Origin",
        ):
            assert hit.headers.get(header) == built.headers.get(header), (url, header)
        # A revalidation with the ETag gets the same 304 from both paths.
        etag = {"If-None-Match": built.headers["ETag"], "Accept-Encoding": "gzip"}
        fresh_304 = client.get(url, headers={**etag, "Accept-Language": "en"})
        assert fresh_304.status_code == 304
        assert fresh_304.data == b""
        assert "Content-Type" not in fresh_304.headers
        assert fresh_304.headers["ETag"] == built.headers["ETag"]
        assert counter.labels("GET", endpoint, "200")._value.get() == before + 1


def test_unread_query_parameters_share_the_entry(frozen_clock, demo, app, client, ticker):
    client.get("/")
    client.get("/history")
    with counted(app) as warm:
        assert client.get("/?utm_source=mail&x=1").status_code == 200
        assert client.get("/?lang=xx").status_code == 200  # no such catalog: page default
    assert warm == []
    with counted(app) as other_page:
        assert client.get("/history?page=2").status_code == 200
    assert other_page, "another history page must be its own entry"


def test_zero_seconds_disables_the_cache(frozen_clock, demo, database_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "PUBLIC_CACHE_SECONDS": 0,
        }
    )
    try:
        client = app.test_client()
        first = client.get("/api/v2/status.json")
        with counted(app) as statements:
            again = client.get(
                "/api/v2/status.json", headers={"If-None-Match": first.headers["ETag"]}
            )
        assert statements, "with the cache off every request reads the database"
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == CACHE_CONTROL
        assert len(get_public_cache(app)) == 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# -- publishing ----------------------------------------------------------------------------

SHOWN_ON = ["/", "/api/v2/summary.json", "/history.atom", "/badge.svg"]


def outage(name: str) -> Incident:
    """Publish a new incident that takes a component down (changes every representation)."""
    component = db.session.scalar(
        sa.select(Component)
        .where(Component.visible.is_(True), Component.status == ComponentStatus.OPERATIONAL)
        .order_by(Component.id)
        .limit(1)
    )
    return create_incident(
        name,
        IncidentStatus.INVESTIGATING,
        "We are looking into it.",
        {component: ComponentStatus.MAJOR_OUTAGE},
        notify=False,
    )


def test_publish_in_this_process_shows_at_once(frozen_clock, demo, app, client, ticker):
    before = {url: client.get(url).data for url in SHOWN_ON}
    outage("Payments are failing")
    # Same process: the commit dropped the cache, no waiting at all.
    after = {url: client.get(url) for url in SHOWN_ON}
    for url, response in after.items():
        assert response.status_code == 200
        assert response.data != before[url], url
    assert b"Payments are failing" in after["/"].data
    assert b"Payments are failing" in after["/api/v2/summary.json"].data
    assert b"Payments are failing" in after["/history.atom"].data


@pytest.fixture
def other_process(app: Flask, database_url: str) -> Iterator[Flask]:
    """A second app on the same database: another web process with its own cache."""
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_publish_in_another_process_shows_within_the_ttl(
    frozen_clock, demo, app, other_process, ticker
):
    clock = Ticker()
    get_public_cache(other_process).clock = clock
    reader = other_process.test_client()
    before = {url: reader.get(url).data for url in SHOWN_ON}

    outage("Login is down")  # published through this app: the other one is not told

    clock.advance(TTL / 2)
    for url in SHOWN_ON:
        response = reader.get(url)
        assert response.data == before[url], f"{url} should still be the cached copy"
        assert response.headers["Age"] == "0"
    clock.advance(TTL / 2)  # one TTL after the build: rebuilt, well within 2 s
    for url in SHOWN_ON:
        response = reader.get(url)
        assert response.status_code == 200
        assert response.data != before[url], f"{url} does not show the publish after the TTL"
        assert "X-Statuspage-Stale" not in response.headers
    assert b"Login is down" in reader.get("/").data


def test_entry_expires_after_ttl(frozen_clock, demo, app, client, ticker):
    client.get("/api/v2/status.json")
    ticker.advance(TTL - 0.01)
    with counted(app) as fresh:
        client.get("/api/v2/status.json")
    assert fresh == []
    ticker.advance(0.01)
    with counted(app) as expired:
        client.get("/api/v2/status.json")
    assert expired


def test_unchanged_data_is_revalidated_not_rebuilt(frozen_clock, demo, app, client, ticker):
    first = client.get("/")
    ticker.advance(TTL)
    with counted(app) as expired:
        again = client.get("/")
    # One statement: the public change counter. The page itself is not rebuilt.
    assert len(expired) == 1, expired
    assert "public_version" in expired[0]
    assert again.data == first.data
    assert again.headers["Age"] == "0"  # freshened for another TTL
    with counted(app) as fresh:
        client.get("/")
    assert fresh == []


def test_unchanged_copy_is_still_rebuilt_after_the_ceiling(frozen_clock, demo, app, client, ticker):
    client.get("/")
    get_public_cache(app).rebuild_every = 5 * TTL
    for _ in range(4):
        ticker.advance(TTL)
        with counted(app) as statements:
            client.get("/")
        assert len(statements) == 1  # only the counter
    ticker.advance(TTL)
    with counted(app) as statements:
        client.get("/")
    assert len(statements) > 1, "the page was not rebuilt after PUBLIC_CACHE_REBUILD_SECONDS"


def test_counter_moves_only_for_public_writes(frozen_clock, demo, app):
    from statuspage.public.version import read_version
    from statuspage.subscribers.models import Subscriber

    with app.app_context():
        engine = db.engine
        start = read_version(engine)
        assert start is not None
        sub = Subscriber(channel="email", target="someone@example.com", state="active")
        db.session.add(sub)
        db.session.commit()
        assert read_version(engine) == start, "a subscriber is not public"
        component = db.session.scalars(sa.select(Component)).first()
        assert component is not None
        component.description = "changed"
        db.session.rollback()
        assert read_version(engine) == start, "a rolled back change is not public"
        component = db.session.scalars(sa.select(Component)).first()
        component.description = "changed for real"
        db.session.commit()
        assert read_version(engine) == start + 1
        db.session.execute(sa.update(Component).values(description="bulk"))
        db.session.commit()
        assert read_version(engine) == start + 2, "a bulk UPDATE is a public change too"


def test_publish_elsewhere_shows_although_copies_are_revalidated(
    frozen_clock, demo, app, other_process, ticker
):
    clock = Ticker()
    get_public_cache(other_process).clock = clock
    reader = other_process.test_client()
    before = {url: reader.get(url).data for url in SHOWN_ON}
    for _ in range(3):  # quiet seconds: copies are revalidated
        clock.advance(TTL)
        for url in SHOWN_ON:
            assert reader.get(url).data == before[url]
    outage("Search is down")
    clock.advance(TTL)  # within TTL + TTL/2 of the publish, as the README promises
    for url in SHOWN_ON:
        assert reader.get(url).data != before[url], f"{url} kept a copy after a publish"
    assert b"Search is down" in reader.get("/").data


# -- HTTP caching headers ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/history.atom", "/badge.svg", "/api/v2/summary.json"])
def test_etag_304_and_cache_control(frozen_clock, demo, client, ticker, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert first.headers["Cache-Control"] == CACHE_CONTROL
    assert "Cookie" not in first.headers.get("Vary", "")
    assert "Set-Cookie" not in first.headers

    hit = client.get(url, headers={"If-None-Match": etag})
    assert hit.status_code == 304
    assert hit.data == b""
    assert hit.headers["ETag"] == etag
    assert hit.headers["Cache-Control"] == CACHE_CONTROL

    other = client.get(url, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200
    assert other.data == first.data


def test_cache_control_directives():
    directives = dict(part.strip().partition("=")[::2] for part in CACHE_CONTROL.split(","))
    assert "public" in directives
    # A browser asks again every time: whoever just published sees it on the next view...
    assert int(directives["max-age"]) == 0
    # ...shared caches may not hold a page long enough to break the 2-second promise...
    assert int(directives["s-maxage"]) + int(directives["stale-while-revalidate"]) <= 2
    # ...but may keep serving it for a day when we cannot answer at all.
    assert int(directives["stale-if-error"]) == 86400


def test_vary_and_cors(frozen_clock, demo, client, ticker):
    page = client.get("/")
    assert "Accept-Language" in page.headers["Vary"]
    api = client.get("/api/v2/summary.json")
    cached_api = client.get("/api/v2/summary.json")
    for response in (api, cached_api):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept-Language" not in response.headers.get("Vary", "")


def test_gzip_for_clients_that_accept_it(frozen_clock, demo, client, ticker):
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    for _round in range(2):  # built, then from the cache
        packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data) / 3
        assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        "/", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304
    # Small bodies are not worth compressing.
    badge = client.get("/api/v2/status.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in badge.headers


# -- single flight -------------------------------------------------------------------------


def test_others_serve_the_previous_copy_while_one_rebuilds(frozen_clock, demo, app, ticker):
    url = "/api/v2/summary.json"
    first = app.test_client().get(url)
    # Expired, and rebuilt even though nothing changed (no revalidation against the counter).
    get_public_cache(app).rebuild_every = 0
    ticker.advance(TTL)

    in_database = threading.Event()
    release = threading.Event()
    main = threading.get_ident()
    from_main: list[str] = []

    # One listener for the whole test: adding one while another thread runs SQL is unsafe.
    def watch(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if threading.get_ident() == main:
            from_main.append(statement)
            return
        # Keep the rebuilding thread inside the database until the test has looked.
        in_database.set()
        assert release.wait(30), "the test never released the rebuild"

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", watch)
    results: dict[str, Any] = {}
    rebuild = threading.Thread(target=lambda: results.update(r=app.test_client().get(url)))
    try:
        rebuild.start()
        assert in_database.wait(30), "the rebuild never reached the database"
        meanwhile = app.test_client().get(url)
        assert meanwhile.status_code == 200
        assert meanwhile.data == first.data
        assert int(meanwhile.headers["Age"]) >= 1
        assert from_main == []
    finally:
        release.set()
        rebuild.join(30)
        sa.event.remove(engine, "before_cursor_execute", watch)
    assert results["r"].status_code == 200


# -- database unreachable ------------------------------------------------------------------


@contextmanager
def unreachable(app: Flask, database: Any, database_url: str) -> Iterator[None]:
    """Make the app's database really unreachable for the block, then bring it back."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if database.engine == "sqlite":
        path = Path(database_url.removeprefix("sqlite:///"))
        moved = path.with_suffix(".away")
        shutil.move(path, moved)
        path.mkdir()  # a directory where the file was: "unable to open database file"
        try:
            yield
        finally:
            path.rmdir()
            shutil.move(moved, path)
    else:
        from psycopg import sql

        keep = database._conn.info.backend_pid  # the fixture's own TRUNCATE connection
        name = sql.Identifier(database.name)
        with database._admin() as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
            try:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s",
                    (database.name, keep),
                )
                yield
            finally:
                admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def take_down(app: Flask, database: Any, database_url: str) -> Callable[[], Any]:
    """take_down() -> a context manager during which the database cannot be reached."""
    return lambda: unreachable(app, database, database_url)


def test_database_down_serves_last_good_copy(
    frozen_clock, demo, app, client, ticker, take_down, caplog
):
    page = client.get("/")
    api = client.get("/api/v2/summary.json")
    badge = client.get("/badge.svg")
    db.session.remove()  # the demo fixture's context must not hold a connection

    with take_down():
        ticker.advance(TTL * 3)
        with caplog.at_level(logging.WARNING, logger="statuspage.public.cache"):
            stale_page = client.get("/")
        assert stale_page.status_code == 200
        assert stale_page.data == page.data
        assert stale_page.headers["X-Statuspage-Stale"] == "1"
        assert int(stale_page.headers["Age"]) >= 3
        assert any("database unreachable" in r.getMessage() for r in caplog.records)

        stale_api = client.get("/api/v2/summary.json")
        assert stale_api.status_code == 200
        assert stale_api.data == api.data
        assert stale_api.headers["X-Statuspage-Stale"] == "1"
        assert stale_api.headers["Access-Control-Allow-Origin"] == "*"

        stale_badge = client.get("/badge.svg")
        assert (stale_badge.status_code, stale_badge.data) == (200, badge.data)

        # Never cached: a clear 503, themed HTML for people, JSON for the API.
        never = client.get("/history")
        assert never.status_code == 503
        assert never.mimetype == "text/html"
        assert never.headers["Retry-After"]
        assert never.headers["Cache-Control"] == "no-store"
        assert "cannot reach its database" in never.get_data(as_text=True)
        assert "<html" in never.get_data(as_text=True)

        never_api = client.get("/api/v2/incidents.json")
        assert never_api.status_code == 503
        assert never_api.mimetype == "application/json"
        assert "cannot reach its database" in never_api.json["error"]
        assert never_api.headers["Access-Control-Allow-Origin"] == "*"
        assert never_api.headers["Retry-After"]

    ticker.advance(TTL)
    with counted(app) as rebuilt:
        back = client.get("/")
    assert rebuilt, "the page was not rebuilt from the database once it was back"
    assert back.status_code == 200
    assert "X-Statuspage-Stale" not in back.headers
    assert back.data == page.data
    assert client.get("/history").status_code == 200


def test_dead_database_is_tried_once_per_ttl(frozen_clock, demo, app, client, ticker, take_down):
    client.get("/")
    db.session.remove()
    attempts: list[int] = []
    with app.app_context():
        engine = db.engine

    def attempt(dialect, conn_rec, cargs, cparams):  # noqa: ARG001
        attempts.append(1)

    with take_down():
        sa.event.listen(engine, "do_connect", attempt)
        try:
            ticker.advance(TTL)
            assert client.get("/").headers["X-Statuspage-Stale"] == "1"
            tried = len(attempts)
            assert tried >= 1
            ticker.advance(TTL / 2)
            for _ in range(5):
                assert client.get("/").headers["X-Statuspage-Stale"] == "1"
                assert client.get("/history").status_code == 503
            assert len(attempts) == tried, "the dead database was asked again within the TTL"
            ticker.advance(TTL)
            assert client.get("/").headers["X-Statuspage-Stale"] == "1"
            assert len(attempts) > tried
        finally:
            sa.event.remove(engine, "do_connect", attempt)


# -- what is never cached ------------------------------------------------------------------


def sign_in_admin(client: Any, app: Flask) -> None:
    from statuspage.accounts.services import create_user

    with app.app_context():
        create_user("boss@example.com", "correct-horse-battery", "admin")
    form = client.get("/admin/login").get_data(as_text=True)
    token = form.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/admin/login",
        data={
            "email": "boss@example.com",
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302


def test_admin_console_and_posts_are_never_cached(frozen_clock, demo, app, client, ticker):
    sign_in_admin(client, app)
    first = client.get("/admin/")
    assert first.status_code == 200
    with counted(app) as statements:
        again = client.get("/admin/")
    assert again.status_code == 200
    assert statements, "the console must be read from the database every time"
    assert again.headers["Cache-Control"] == "no-store"
    assert "X-Statuspage-Stale" not in again.headers

    client.get("/")
    posted = client.post("/", data={})
    assert posted.status_code in (400, 405)
    assert "ETag" not in posted.headers


def test_signed_in_admin_gets_the_same_public_page(frozen_clock, demo, app, ticker):
    anonymous = app.test_client().get("/")
    admin = app.test_client()
    sign_in_admin(admin, app)
    ticker.advance(TTL)  # the sign-in committed (and so dropped the cache): build afresh
    seen = admin.get("/")
    assert seen.status_code == 200
    assert seen.data == anonymous.data
    assert seen.headers["Cache-Control"] == CACHE_CONTROL
    assert "Set-Cookie" not in seen.headers
    with counted(app) as statements:
        assert app.test_client().get("/").data == anonymous.data
    assert statements == []
    # Viewing the public page did not sign the admin out.
    assert admin.get("/admin/").status_code == 200


def test_response_that_reads_the_session_is_not_cached(
    frozen_clock, demo, database_url, monkeypatch
):
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})

    def whoami() -> str:
        return f"hello {session.get('name', 'stranger')}"

    other.add_url_rule("/whoami", "test_whoami", whoami)
    monkeypatch.setitem(CACHED_ENDPOINTS, "test_whoami", Rule())
    try:
        client = other.test_client()
        assert client.get("/whoami").data == b"hello stranger"
        with client.session_transaction() as stored:
            stored["name"] = "Ada"
        response = client.get("/whoami")
        assert response.data == b"hello Ada"
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert len(get_public_cache(other)) == 0
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_every_table_is_either_public_or_listed_private():
    """A new table must be thought about: private ones are listed, the rest count as public."""
    import statuspage.models  # noqa: F401  (every model, so metadata is complete)
    from statuspage.extensions import db as database
    from statuspage.public.version import PRIVATE_TABLE_PREFIXES

    public = {
        "component",
        "component_group",
        "component_status_change",
        "incident",
        "incident_component",
        "incident_translation",
        "incident_update",
        "incident_update_component",
        "incident_update_translation",
        "maintenance",
        "maintenance_component",
        "maintenance_update",
        "page_settings",
    }
    tables = set(database.metadata.tables)
    private = {t for t in tables if t.startswith(PRIVATE_TABLE_PREFIXES)}
    assert tables - private - public == set(), "new table: add it to one of the two lists"
    assert public <= tables
