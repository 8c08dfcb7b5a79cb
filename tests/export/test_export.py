"""`statuspage export DIR` on the demo site, the worker re-export and the nginx README block."""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
import sqlalchemy as sa

from statuspage.export import crawl
from statuspage.export.nginx import server_config, standalone_config
from statuspage.extensions import db
from statuspage.incidents.models import Incident, IncidentStatus
from statuspage.incidents.services import create_incident
from statuspage.worker.loop import Worker
from statuspage.worker.tasks import EXPORT_TASK, registered_tasks

ROOT = Path(__file__).resolve().parents[2]


def exported_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def site_dir(tmp_path: Path) -> Path:
    """Return where to export: alone in its folder, so leftovers beside it would show."""
    (tmp_path / "out").mkdir(exist_ok=True)
    return tmp_path / "out" / "site"


def export(runner, site: Path, *args: str):
    result = runner.invoke(args=["export", str(site), *args])
    return result


@pytest.fixture
def site(frozen_clock, demo, runner, tmp_path) -> Path:
    """The demo site exported to tmp_path/site."""
    target = site_dir(tmp_path)
    result = export(runner, target)
    assert result.exit_code == 0, result.output
    # Every page language with a catalog gets its copy.
    languages = "en, de, fr, es, pt_BR, it, nl, ja, zh_Hans, ar"
    assert re.search(rf"Exported \d+ files \(\d+ bytes\) to .*site in {languages}\.", result.output)
    return target


def test_export_writes_every_public_url(site, client):
    files = exported_files(site)
    for expected in [
        "index.html",
        "history/index.html",
        "uptime/index.html",
        "history.rss",
        "history.atom",
        "maintenance.ics",
        "badge.svg",
        "api/v2/summary.json",
        "api/v2/status.json",
        "api/v2/components.json",
        "api/v2/incidents.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances.json",
        "api/v2/scheduled-maintenances/upcoming.json",
        "api/v2/scheduled-maintenances/active.json",
        "themes/default/static/css/status.css",
        "themes/default/static/js/status.js",
        "themes/default/static/favicon.svg",
    ]:
        assert expected in files
    # Every visible incident has its page and its JSON; every component its feed and badge.
    visible = db.session.scalars(sa.select(Incident).where(Incident.hidden.is_(False))).all()
    assert visible
    for incident in visible:
        assert f"incidents/{incident.public_id}/index.html" in files
        assert f"api/v2/incidents/{incident.public_id}.json" in files
    for component in client.get("/api/v2/components.json").get_json()["components"]:
        if not component.get("group"):
            assert f"components/{component['id']}/history.atom" in files
            assert f"components/{component['id']}/badge.svg" in files
    # Every history page, each linked from the one before.
    pages = sorted(f for f in files if f.startswith("history/page/"))
    assert pages, "the demo history has more than one page"
    assert 'href="/history/page/2"' in (site / "history/index.html").read_text()


def test_every_link_of_every_exported_page_resolves_to_an_exported_file(site):
    files = exported_files(site)
    pages = [f for f in files if f.endswith(".html")]
    assert len(pages) > 10
    checked = 0
    for page in pages:
        for ref in crawl.internal_refs((site / page).read_text(encoding="utf-8")):
            parts = urlsplit(ref)
            if crawl.is_app_only(parts.path):
                continue  # /subscribe and the like: nginx always sends these to the app
            if crawl.static_path(parts.path, parts.query) is None:
                # Only the uptime calendar's month navigation needs the app (any month).
                assert parts.path == "/uptime", (page, ref)
                assert "end=" in parts.query, (page, ref)
                continue
            assert crawl.resolve(files, ref) is not None, f"{page}: {ref} is not exported"
            checked += 1
    assert checked > 100


def test_json_is_what_the_app_serves(site, client):
    jsons = sorted(f for f in exported_files(site) if f.endswith(".json"))
    assert len(jsons) > 10
    for name in jsons:
        live = client.get("/" + name)
        assert live.status_code == 200
        assert (site / name).read_bytes() == live.data, name
        json.loads((site / name).read_bytes())


def test_pages_feeds_and_badges_are_what_the_app_serves(site, client):
    files = exported_files(site)
    for name in ["index.html", "uptime/index.html", "history.atom", "badge.svg", "maintenance.ics"]:
        path = "/" + name.removesuffix("index.html").rstrip("/")
        assert (site / name).read_bytes() == client.get(path).data, name
    incident = next(f for f in files if f.startswith("incidents/"))
    path = "/" + incident.removesuffix("/index.html")
    assert (site / incident).read_bytes() == client.get(path).data
    # The second history page is the app's ?page=2 with its pagination links as paths.
    second = (site / "history/page/2/index.html").read_text(encoding="utf-8")
    assert second == crawl.rewrite_html(client.get("/history?page=2").get_data(as_text=True), None)


def test_feeds_parse(site):
    files = exported_files(site)
    feeds = [f for f in files if f.endswith((".atom", ".rss"))]
    assert "history.rss" in feeds
    for name in feeds:
        feed = feedparser.parse((site / name).read_bytes())
        assert feed.bozo == 0, (name, feed.get("bozo_exception"))
    history = feedparser.parse((site / "history.atom").read_bytes())
    assert history.entries
    calendar = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    assert calendar.walk("VEVENT")
    for name in (f for f in files if f.endswith(".svg")):
        svg = ET.fromstring((site / name).read_bytes())  # noqa: S314 (our own output)
        assert svg.tag.endswith("svg")


def test_base_url_option_sets_absolute_links(frozen_clock, demo, runner, tmp_path, app):
    target = tmp_path / "site"
    result = export(runner, target, "--base-url", "https://status.example.org/")
    assert result.exit_code == 0, result.output
    feed = feedparser.parse((target / "history.atom").read_bytes())
    assert feed.entries
    assert all(e.link.startswith("https://status.example.org/") for e in feed.entries)
    assert app.config["BASE_URL"] != "https://status.example.org"  # restored afterwards


def test_a_failing_page_leaves_the_previous_copy_in_place(
    app, frozen_clock, demo, runner, tmp_path
):
    # A public route that fails on the second export (as a page would while its data is broken).
    health = {"status": 200}
    app.add_url_rule("/flaky.json", "public.flaky", lambda: ("{}", health["status"]))
    site = site_dir(tmp_path)
    assert export(runner, site).exit_code == 0
    before = {name: (site / name).read_bytes() for name in exported_files(site)}

    health["status"] = 503
    create_incident("Login is slow", IncidentStatus.INVESTIGATING, "Looking.", notify=False)
    result = export(runner, site)
    assert result.exit_code != 0
    assert "/flaky.json answered 503 SERVICE UNAVAILABLE" in result.output
    assert "is unchanged" in result.output
    assert {name: (site / name).read_bytes() for name in exported_files(site)} == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # nothing left beside it


def test_a_second_export_replaces_the_first(site, runner):
    stale = site / "incidents" / "deleted-long-ago" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    create_incident("Login is slow", IncidentStatus.INVESTIGATING, "Looking.", notify=False)
    result = export(runner, site)
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert "Login is slow" in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_unwritable_target_is_a_clear_error(frozen_clock, demo, runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = export(runner, blocker)
    assert result.exit_code != 0
    assert "is a file" in result.output
    assert blocker.read_text() == "not a directory"
    result = export(runner, blocker / "site")
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_unknown_public_routes_are_exported_or_reported(app, frozen_clock, runner, tmp_path):
    # Routes another part of the app may add: one without arguments is exported as is,
    # one with an argument the export cannot enumerate is reported.
    app.add_url_rule(
        "/extra.js",
        "public.extra_js",
        lambda: ("var x = 1;", 200, {"Content-Type": "text/javascript"}),
    )
    app.add_url_rule("/widgets/<name>", "public.widget", lambda name: name)
    result = export(runner, tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "extra.js").read_text() == "var x = 1;"
    # The real embeds are part of the copy too.
    assert "STATUSPAGE_CONFIG" not in (tmp_path / "site" / "embed.js").read_text()
    assert (tmp_path / "site" / "embed" / "index.html").exists()
    assert "/widgets/<name> (public.widget) is not exported" in result.output


# -- worker re-export ----------------------------------------------------------------------


def test_export_task_runs_only_with_an_export_dir(app_ctx, app, tmp_path):
    assert EXPORT_TASK not in registered_tasks()
    app.config["EXPORT_DIR"] = str(tmp_path / "site")
    assert EXPORT_TASK in registered_tasks()


def test_worker_re_exports_after_a_publish_and_not_otherwise(frozen_clock, demo, app, tmp_path):
    target = tmp_path / "site"
    app.config["EXPORT_DIR"] = str(target)
    worker = Worker(worker_id="test:export")

    assert worker.tick().done[EXPORT_TASK] == 1  # first tick of this worker: export
    first = (target / "index.html").stat().st_ino
    assert worker.tick().done[EXPORT_TASK] == 0  # nothing changed
    assert worker.tick().done[EXPORT_TASK] == 0

    incident = create_incident(
        "Checkout errors", IncidentStatus.INVESTIGATING, "We are looking.", notify=False
    )
    result = worker.tick()
    assert result.done[EXPORT_TASK] == 1
    assert f"incidents/{incident.public_id}/index.html" in exported_files(target)
    assert "Checkout errors" in (target / "index.html").read_text(encoding="utf-8")
    assert (target / "index.html").stat().st_ino != first
    assert worker.tick().done[EXPORT_TASK] == 0


def test_worker_export_failure_is_retried(frozen_clock, demo, app, tmp_path):
    blocker = tmp_path / "site"
    blocker.write_text("in the way")
    app.config["EXPORT_DIR"] = str(blocker)
    worker = Worker(worker_id="test:export")
    result = worker.tick()
    assert EXPORT_TASK in result.failed
    assert "not a directory" in result.failed[EXPORT_TASK]
    blocker.unlink()
    # Not every tick: the next try comes a minute later...
    assert worker.tick().done[EXPORT_TASK] == 0
    frozen_clock.advance(timedelta(seconds=61))
    assert worker.tick().done[EXPORT_TASK] == 1
    assert (blocker / "index.html").is_file()


def test_worker_retries_a_failed_export_at_once_after_a_change(frozen_clock, demo, app, tmp_path):
    blocker = tmp_path / "site"
    blocker.write_text("in the way")
    app.config["EXPORT_DIR"] = str(blocker)
    worker = Worker(worker_id="test:export")
    assert EXPORT_TASK in worker.tick().failed
    blocker.unlink()
    create_incident("Search is down", IncidentStatus.INVESTIGATING, "Looking.", notify=False)
    assert worker.tick().done[EXPORT_TASK] == 1
    assert "Search is down" in (blocker / "index.html").read_text(encoding="utf-8")


# -- nginx -----------------------------------------------------------------------------------


def test_readme_nginx_block_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Serving the exported copy with nginx", 1)
    assert len(section) == 2, "README lacks the nginx section"
    block = re.search(r"```nginx\n(.*?)```", section[1], re.S)
    assert block, "the nginx section has no ```nginx block"
    assert block.group(1) == server_config(), (
        "README's nginx block differs from statuspage/export/nginx.py: paste the output of "
        "`.venv/bin/python -m statuspage.export.nginx` into it"
    )


@pytest.fixture
def nginx(live_server, tmp_path):
    """nginx serving tmp_path/out/site with the README configuration, the live app behind it."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        # scripts/test.py installs it with chromium; a missing nginx is a setup error.
        pytest.fail("nginx is not installed (apt-get install nginx; scripts/test.py does)")
    work = tmp_path / "nginx"
    work.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = work / "nginx.conf"
    conf.write_text(
        standalone_config(
            work,
            root=str(site_dir(tmp_path)),
            upstream=f"127.0.0.1:{live_server.port}",
            listen=f"127.0.0.1:{port}",
            # As root, nginx's workers would run as nobody, who cannot enter pytest's tmp_path.
            user=getpass.getuser() if os.geteuid() == 0 else None,
        )
    )
    args = [binary, "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")]
    proc = subprocess.Popen(args)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch(url: str, method: str = "GET") -> tuple[int, str, bytes, dict[str, str]]:
    request = urllib.request.Request(url, method=method)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return (
                response.status,
                response.headers.get_content_type(),
                response.read(),
                dict(response.headers),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read(), dict(exc.headers)


def test_nginx_serves_the_export_and_sends_the_rest_to_the_app(
    frozen_clock, demo, runner, tmp_path, nginx
):
    site = site_dir(tmp_path)
    assert export(runner, site).exit_code == 0
    # Mark the copy so answers from files and from the app can be told apart.
    (site / "index.html").write_text("static front page")
    (site / "fr").mkdir(exist_ok=True)  # every page language has its copy
    (site / "fr" / "index.html").write_text("page d'accueil")

    assert fetch(nginx + "/")[2] == b"static front page"
    assert fetch(nginx + "/?lang=fr")[2] == b"page d'accueil"
    assert fetch(nginx + "/?lang=xx")[2] == b"static front page"  # no copy: the default
    for path, kind in [
        ("/api/v2/summary.json", "application/json"),
        ("/history.atom", "application/atom+xml"),
        ("/history.rss", "application/rss+xml"),
        ("/maintenance.ics", "text/calendar"),
        ("/badge.svg", "image/svg+xml"),
        ("/history/page/2", "text/html"),
        ("/themes/default/static/css/status.css?v=1", "text/css"),
    ]:
        status, content_type, body, _headers = fetch(nginx + path)
        assert (status, content_type) == (200, kind), path
        assert body == crawl_file(site, path).read_bytes(), path
    assert fetch(nginx + "/api/v2/summary.json")[3]["Access-Control-Allow-Origin"] == "*"

    # The app answers what the copy cannot: other queries, the console, writes, probes.
    status, _kind, body, _headers = fetch(nginx + "/?utm_source=mail")
    assert status == 200
    assert body != b"static front page"
    assert fetch(nginx + "/admin/login")[0] == 200
    assert fetch(nginx + "/healthz")[0] in {200, 503}
    assert b"static front page" not in fetch(nginx + "/", method="POST")[2]


def crawl_file(site: Path, path: str) -> Path:
    files = exported_files(site)
    found = crawl.resolve(files, path)
    assert found, path
    return site / found
