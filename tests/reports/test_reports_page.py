"""The reports page and its CSV files: numbers from real incidents and alerts, on both engines."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from statuspage.components.models import ComponentStatus
from statuspage.components.services import create_component
from statuspage.extensions import db
from statuspage.incidents.services import create_incident, post_update, resolve_incident
from statuspage.internal.models import AlertEvent, IntegrationKind, InternalIncident

S = ComponentStatus
START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def history(app, frozen_clock):
    """October: one alert-driven incident on API; November: one on Dashboard, still open."""
    with app.app_context():
        api = create_component("API")
        web = create_component("Dashboard")
        frozen_clock.set(START + timedelta(minutes=10))
        first = create_incident(
            "Errors on the API", "investigating", "Looking.", {api: S.MAJOR_OUTAGE}
        )
        internal = InternalIncident(
            source=IntegrationKind.ALERTMANAGER,
            external_id="fp-1",
            title="HighErrorRate",
            started_at=START,
            acknowledged_at=START + timedelta(minutes=6),
        )
        internal.public_incidents.append(first)
        internal.events.append(
            AlertEvent(
                received_at=START + timedelta(minutes=2),
                event_type="triggered",
                dedup_key="e1",
            )
        )
        db.session.add(internal)
        db.session.commit()
        frozen_clock.set(START + timedelta(minutes=40))
        post_update(first, "identified", "Found it.")
        frozen_clock.set(START + timedelta(hours=1, minutes=30))
        resolve_incident(first, "Fixed.")
        frozen_clock.set(datetime(2026, 11, 10, 8, 0, tzinfo=UTC))
        create_incident(
            "Dashboard slow", "investigating", "Looking.", {web: S.DEGRADED_PERFORMANCE}
        )
        ids = {"first": first.public_id, "api": api.public_id, "web": web.public_id}
        db.session.remove()
    frozen_clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    return ids


def rows_of(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_page_shows_times_charts_and_tables(history, signed_in):
    page = signed_in("support").get("/admin/reports?from=2026-10&to=2026-11")
    assert page.status_code == 200
    text = page.text
    # Per incident: detected 2 min, acknowledged 6 min, first update 10 min, resolved 1 hr 30 min.
    row = text.split(f'data-incident-id="{history["first"]}"')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[1:] == ["2 min", "6 min", "10 min", "1 hr 30 min"]
    assert "still open" in text
    for chart in ("chart-count", "chart-mtta", "chart-mttr", "chart-ttfpu", "chart-uptime"):
        assert f'id="{chart}" role="img"' in text
        assert f'<title id="{chart}-title">' in text
    assert (
        "Mean time to acknowledge per month, all components. October 2026: 6 min; November 2026: –"
        in text
    )
    summary = text.split('id="report-summary"')[1].split("</table>")[0]
    october = '<th scope="row">October 2026</th><td>1</td><td>6 min</td><td>1 hr 30 min</td>'
    assert october + "<td>10 min</td>" in summary
    # Support may read reports but the page offers nothing to change.
    assert 'method="post"' not in text.split('id="report-filters"')[1].split("</form>")[0]


def test_csv_per_incident_in_seconds(history, signed_in):
    client = signed_in("support")
    response = client.get("/admin/reports/incidents.csv?from=2026-10&to=2026-11")
    rows = rows_of(response)
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="incidents-2026-10-2026-11.csv"'
    )
    assert [r["name"] for r in rows] == ["Errors on the API", "Dashboard slow"]
    first = rows[0]
    assert first["start"] == "2026-10-05T09:00:00Z"
    assert first["components"] == "API"
    assert (
        first["time_to_detect_seconds"],
        first["time_to_acknowledge_seconds"],
        first["time_to_first_public_update_seconds"],
        first["time_to_resolve_seconds"],
    ) == ("120", "360", "600", "5400")
    assert rows[1]["time_to_resolve_seconds"] == ""
    assert rows[1]["time_to_detect_seconds"] == ""


def test_csv_per_month_and_component(history, signed_in):
    rows = rows_of(signed_in("admin").get("/admin/reports/monthly.csv?from=2026-10&to=2026-11"))
    table = {(r["month"], r["component"]): r for r in rows}
    assert set(table) == {
        (m, c) for m in ("2026-10", "2026-11") for c in ("API", "Dashboard", "All components")
    }
    october_api = table[("2026-10", "API")]
    assert october_api["component_id"] == history["api"]
    assert (october_api["incidents"], october_api["mtta_seconds"], october_api["mttr_seconds"]) == (
        "1",
        "360",
        "5400",
    )
    # 80 minutes of major outage (9:10 to 10:30) in a 31-day month (44,640 minutes).
    assert october_api["uptime_percent"] == f"{(1 - 80 / 44640) * 100:.4f}"
    assert table[("2026-10", "Dashboard")]["incidents"] == "0"
    assert table[("2026-10", "Dashboard")]["uptime_percent"] == "100.0000"
    assert table[("2026-11", "Dashboard")]["incidents"] == "1"
    assert table[("2026-11", "Dashboard")]["mttr_seconds"] == ""


def test_filtering_on_a_component(history, signed_in):
    client = signed_in("support")
    rows = rows_of(
        client.get(
            f"/admin/reports/incidents.csv?from=2026-10&to=2026-11&component={history['web']}"
        )
    )
    assert [r["name"] for r in rows] == ["Dashboard slow"]
    monthly = rows_of(
        client.get(f"/admin/reports/monthly.csv?from=2026-10&to=2026-11&component={history['web']}")
    )
    assert {r["component"] for r in monthly} == {"Dashboard"}
    page = client.get(f"/admin/reports?component={history['web']}")
    assert page.status_code == 200
    assert "Per month: Dashboard" in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13", "From: enter a month as YYYY-MM"),
        ("to=soon", "To: enter a month as YYYY-MM"),
        ("from=2026-11&to=2026-10", "From: the first month must not be after the last one."),
        ("from=2020-01&to=2026-10", "From: choose at most 36 months."),
        ("component=nope", "Component: no such component"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(app, signed_in, query, message):
    client = signed_in("support")
    page = client.get(f"/admin/reports?{query}")
    assert page.status_code == 400
    assert message in page.text
    response = client.get(f"/admin/reports/monthly.csv?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_cells_that_look_like_formulas_are_defused(app, signed_in, frozen_clock):
    with app.app_context():
        api = create_component("API")
        create_incident('=HYPERLINK("x")', "investigating", "x", {api: S.PARTIAL_OUTAGE})
        db.session.remove()
    rows = rows_of(signed_in("support").get("/admin/reports/incidents.csv"))
    assert rows[0]["name"] == '\'=HYPERLINK("x")'


def test_the_default_is_the_last_six_months(app, signed_in, frozen_clock):
    page = signed_in("support").get("/admin/reports")
    assert page.status_code == 200
    assert 'name="from" value="2026-06"' in page.text
    assert 'name="to" value="2026-11"' in page.text
    assert "No incidents started in these months." in page.text
