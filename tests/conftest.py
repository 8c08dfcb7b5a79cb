"""Root fixtures: a fresh app per test on SQLite and PostgreSQL, clock, CLI, live server, browser.

Every test that (indirectly) uses the ``database`` fixture runs twice, as
``test_x[sqlite]`` and ``test_x[postgresql]``. A test that only makes sense on
one engine overrides the parameter::

    @pytest.mark.parametrize("database", ["postgresql"], indirect=True)

PostgreSQL is the shared server on 127.0.0.1:5432 (trust auth). Each run
creates its own uniquely named database and drops it at the end; no other
database is touched. When the server is unreachable the PostgreSQL half is
deselected with a warning, except under CI=true, where the run fails.
Browser tests (marked ``browser``, or using the ``browser``/``page`` fixtures)
need Debian's /usr/bin/chromium and are handled the same way.

STATUSPAGE_* variables are removed from the environment for the whole run so
a developer's shell settings cannot leak into the tests.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import secrets
import shutil
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from statuspage import clock as clock_module
from statuspage import create_app

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_ADMIN_DB = "test"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FROZEN_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ENGINES = ["sqlite", "postgresql"]
BROWSER_FIXTURES = {"browser", "page", "make_page"}

_pg_user_key = pytest.StashKey[str | None]()
_notes_key = pytest.StashKey[list[str]]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# --------------------------------------------------------------------------- session hooks


def pytest_configure(config: pytest.Config) -> None:
    for key in [k for k in os.environ if k.startswith("STATUSPAGE_")]:
        del os.environ[key]
    config.stash[_notes_key] = []


def _probe_postgres() -> tuple[str | None, str]:
    """Return a user that can connect to the admin database, or None and why not."""
    import psycopg

    reasons = []
    for user in dict.fromkeys([getpass.getuser(), "postgres"]):
        try:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname=PG_ADMIN_DB, user=user, connect_timeout=3
            ):
                return user, ""
        except psycopg.Error as exc:
            reasons.append(f"as {user!r}: {str(exc).strip().splitlines()[0]}")
    return None, "; ".join(reasons)


def _engine_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("database") if callspec is not None else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    notes = config.stash[_notes_key]
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)

    drop: set[str] = set()  # nodeids
    if any(_engine_of(item) == "postgresql" for item in items):
        user, why = _probe_postgres()
        config.stash[_pg_user_key] = user
        if user is None:
            message = (
                f"PostgreSQL at {PG_HOST}:{PG_PORT} (database {PG_ADMIN_DB!r}) is unreachable: "
                f"{why}"
            )
            if _in_ci():
                raise pytest.UsageError(f"{message}\nCI=true: every test must run on PostgreSQL.")
            pg_items = [item for item in items if _engine_of(item) == "postgresql"]
            drop.update(item.nodeid for item in pg_items)
            notes.append(f"{message}\n  -> deselected {len(pg_items)} [postgresql] tests.")

    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if browser_items:
        problem = _browser_problem()
        if problem:
            if _in_ci():
                raise pytest.UsageError(f"{problem}\nCI=true: browser tests must run.")
            drop.update(item.nodeid for item in browser_items)
            notes.append(f"{problem}\n  -> deselected {len(browser_items)} browser tests.")

    if drop:
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in drop])
        items[:] = [item for item in items if item.nodeid not in drop]


def _browser_problem() -> str:
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing (install it with: sudo apt-get install -y chromium "
            "fonts-liberation, or run python3 scripts/test.py as root)."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')."
    return ""


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    notes = config.stash.get(_notes_key, [])
    if notes:
        terminalreporter.section("NOT RUN: missing test dependencies", yellow=True, bold=True)
        for note in notes:
            terminalreporter.write_line("WARNING: " + note, yellow=True, bold=True)


# --------------------------------------------------------------------------- migrations


@contextmanager
def _logging_preserved() -> Iterator[None]:
    """Undo what migrations/env.py's logging.config.fileConfig() does to logging.

    fileConfig() disables every logger that already exists and replaces the root
    handlers, which would silence the app's loggers (and caplog) for the rest of
    the session.
    """
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))
    loggers = {
        name: (lg.disabled, lg.level, list(lg.handlers), lg.propagate)
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]
        for name, lg in logging.Logger.manager.loggerDict.items():
            if not isinstance(lg, logging.Logger):
                continue
            if name in loggers:
                lg.disabled, level, handlers, lg.propagate = loggers[name]
                lg.setLevel(level)
                lg.handlers[:] = handlers
            else:  # created by fileConfig (alembic, flask_migrate): keep quiet, use our handlers
                lg.disabled = False
                lg.handlers[:] = []
                lg.propagate = True


class Alembic:
    """Run Alembic commands against an app's database, with the app's migration settings.

    Uses the same Alembic config as `statuspage db ...` (Flask-Migrate's) but calls
    alembic.command directly so a failing migration raises instead of sys.exit(1).
    """

    def config(self, app: Flask) -> Any:
        with app.app_context():
            return app.extensions["migrate"].migrate.get_config()

    def run(self, app: Flask, command: str, *args: Any) -> None:
        from alembic import command as alembic_command

        with app.app_context(), _logging_preserved():
            config = app.extensions["migrate"].migrate.get_config()
            getattr(alembic_command, command)(config, *args)

    def upgrade(self, app: Flask, revision: str = "head") -> None:
        self.run(app, "upgrade", revision)

    def downgrade(self, app: Flask, revision: str = "base") -> None:
        self.run(app, "downgrade", revision)

    def heads(self, app: Flask) -> list[str]:
        from alembic.script import ScriptDirectory

        return list(ScriptDirectory.from_config(self.config(app)).get_heads())

    def current(self, app: Flask) -> list[str]:
        """Return the revisions the database is at (empty when unversioned)."""
        from alembic.runtime.migration import MigrationContext

        from statuspage.extensions import db

        with app.app_context(), db.engine.connect() as connection:
            return list(MigrationContext.configure(connection).get_current_heads())


ALEMBIC = Alembic()


@pytest.fixture(scope="session")
def alembic() -> Alembic:
    """Helpers to upgrade/downgrade an app's database: alembic.upgrade(app), .downgrade(app)."""
    return ALEMBIC


def _make_app(url: str, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": True,
            # Cheap argon2 parameters: tests hash many passwords; production keeps RFC 9106's.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            **extra,
        }
    )


def _dispose(app: Flask) -> None:
    from statuspage.extensions import db

    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _migrate(url: str) -> None:
    app = _make_app(url)
    try:
        ALEMBIC.upgrade(app)
    finally:
        _dispose(app)


# --------------------------------------------------------------------------- databases


def _once(owner: Any, setup: Callable[[], None]) -> None:
    """Run a session database's setup; after a failure, fail every later test the same way."""
    failed = getattr(owner, "_setup_failed", None)
    if failed:
        raise RuntimeError(f"the {owner.engine} test database could not be set up: {failed}")
    try:
        setup()
    except Exception as exc:
        owner._setup_failed = f"{type(exc).__name__}: {exc}"
        raise


class SQLiteDatabase:
    """SQLite: a template migrated once per session, copied into each test's tmp_path."""

    engine = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        self._ready = False

    def fresh_url(self, tmp_path: Path) -> str:
        """Return the URL of a freshly migrated, empty database for one test."""
        if not self._ready:
            _once(self, lambda: _migrate(f"sqlite:///{self.template}"))
            self._ready = True
        target = tmp_path / "statuspage.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    @contextmanager
    def empty(self, tmp_path: Path) -> Iterator[str]:
        """Yield the URL of a database with no tables at all."""
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    def close(self) -> None:
        pass


class PostgresDatabase:
    """PostgreSQL: one database per run, migrated once, emptied with TRUNCATE between tests."""

    engine = "postgresql"

    def __init__(self, user: str) -> None:
        self.user = user
        self.name = self._unique_name()
        self._created: list[str] = []
        self._conn: Any = None  # a connection to our test database, for TRUNCATE
        self._tables: list[str] = []
        self._dirty = False

    @staticmethod
    def _unique_name() -> str:
        return f"sp_test_{os.getpid()}_{secrets.token_hex(4)}"

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{self.user}@{PG_HOST}:{PG_PORT}/{name}"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            dbname=PG_ADMIN_DB,
            user=self.user,
            autocommit=True,
            connect_timeout=5,
        )

    def _create(self, name: str) -> None:
        from psycopg import sql

        assert re.fullmatch(r"sp_test_\d+_[0-9a-f]+", name)
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._created.append(name)

    def _drop(self, name: str) -> None:
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        self._created.remove(name)

    def _setup(self) -> None:
        import psycopg
        from psycopg import sql

        self._create(self.name)
        _migrate(self.url(self.name))
        self._conn = psycopg.connect(
            host=PG_HOST, port=PG_PORT, dbname=self.name, user=self.user, autocommit=True
        )
        # A connection left in a transaction by a test must not hang the whole run.
        self._conn.execute("SET lock_timeout = '15s'")
        rows = self._conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'alembic_version' ORDER BY tablename"
        ).fetchall()
        self._tables = [row[0] for row in rows]
        seeded = [
            t
            for t in self._tables
            if self._conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(t))
            ).fetchone()[0]
        ]
        if seeded:
            # TRUNCATE between tests would remove rows the migrations insert, so the
            # PostgreSQL tests would see a different database than the SQLite ones.
            raise RuntimeError(
                f"migrations seed rows in {seeded}; teach tests/conftest.py to restore them"
            )

    def fresh_url(self, tmp_path: Path) -> str:
        """Return the URL of the run's database, emptied of all rows."""
        if self._conn is None:
            _once(self, self._setup)
        elif self._dirty and self._tables:
            from psycopg import sql

            tables = sql.SQL(", ").join(sql.Identifier(t) for t in self._tables)
            self._conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables))
        self._dirty = True
        return self.url(self.name)

    @contextmanager
    def empty(self, tmp_path: Path) -> Iterator[str]:
        """Yield the URL of a brand-new database with no tables; drop it afterwards."""
        name = self._unique_name()
        self._create(name)
        try:
            yield self.url(name)
        finally:
            self._drop(name)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for name in list(self._created):
            self._drop(name)


@pytest.fixture(scope="session", params=ENGINES)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SQLiteDatabase | PostgresDatabase]:
    """The database engine for this half of the run (.engine is "sqlite" or "postgresql")."""
    db: SQLiteDatabase | PostgresDatabase
    if request.param == "sqlite":
        db = SQLiteDatabase(tmp_path_factory.mktemp("sqlite"))
    elif request.param == "postgresql":
        user = request.config.stash.get(_pg_user_key, None)
        if user is None:
            user, why = _probe_postgres()
            if user is None:
                pytest.fail(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {why}")
        db = PostgresDatabase(user)
    else:
        raise ValueError(f"unknown database engine {request.param!r}")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def database_url(database: SQLiteDatabase | PostgresDatabase, tmp_path: Path) -> str:
    """URL of a freshly migrated database with no rows, for this test only."""
    return database.fresh_url(tmp_path)


@pytest.fixture
def empty_database_url(
    database: SQLiteDatabase | PostgresDatabase, tmp_path: Path
) -> Iterator[str]:
    """URL of a database with no tables (not migrated), for migration tests."""
    with database.empty(tmp_path) as url:
        yield url


# --------------------------------------------------------------------------- app


class CliRunner(FlaskCliRunner):
    """Invoke commands through the real `statuspage` group (statuspage.cli.main).

    That group is a FlaskGroup: like the installed console script, it pushes an
    app context and offers Flask's and Flask-Migrate's commands (db, routes...).
    """

    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Any:
        if cli is None:
            from statuspage.cli import main

            cli = main
        return super().invoke(cli, args, **kwargs)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A fresh app on a fresh, migrated, empty database; no app context pushed."""
    app = _make_app(database_url)
    app.test_cli_runner_class = CliRunner
    yield app
    _dispose(app)


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Any]:
    """Push an app context for the test (db.session usable); yields the AppContext."""
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture
def client(app: Flask) -> Any:
    """Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> CliRunner:
    """CLI runner: runner.invoke(args=["users", "create", ...], input="...")."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app_ctx: Any) -> Any:
    """Load the demo data (app context stays pushed) and return load_demo()'s summary."""
    from statuspage.demo import load_demo

    return load_demo()


# --------------------------------------------------------------------------- clock


@dataclass
class FrozenClock:
    """statuspage.clock pinned at .now; .advance(delta) moves it forward."""

    now: datetime

    def __post_init__(self) -> None:
        clock_module.freeze(self.now)

    def set(self, at: datetime) -> datetime:
        """Jump to an aware instant."""
        if at.tzinfo is None:
            raise ValueError("FrozenClock.set() needs an aware datetime")
        self.now = at.astimezone(UTC)
        clock_module.freeze(self.now)
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by delta and return the new now."""
        return self.set(self.now + delta)


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """Freeze statuspage.clock at 2026-11-25 12:00 UTC for the test."""
    frozen = FrozenClock(FROZEN_AT)
    try:
        yield frozen
    finally:
        clock_module.freeze(None)


# --------------------------------------------------------------------------- live server


@dataclass
class LiveServer:
    """The test's app served over real HTTP on loopback (same app, same database)."""

    app: Flask
    errors: list[str] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )
        self._thread.start()

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # TESTING propagates exceptions; keep their tracebacks for the test report.
        try:
            return self.app(environ, start_response)
        except Exception:
            self.errors.append(traceback.format_exc())
            raise

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the app on http://127.0.0.1:<free port> (``live_server.url``) in a thread.

    Fails the test at teardown if a request raised inside the app.
    """
    server = LiveServer(app)
    try:
        yield server
    finally:
        server.stop()
    if server.errors:
        pytest.fail("the live server raised:\n" + "\n".join(server.errors), pytrace=False)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (one per session)."""
    problem = _browser_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def make_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Factory: make_page(**context_options) -> a Page whose base_url is the live server.

    For a phone: make_page(viewport={"width": 375, "height": 812}, has_touch=True).
    """
    contexts: list[Any] = []

    def factory(**options: Any) -> Any:
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page: Callable[..., Any]) -> Any:
    """A 1280x800 page; page.goto("/") opens the live server."""
    return make_page()
