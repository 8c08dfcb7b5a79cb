"""What subscribers read: every event kind as email (text and HTML), SMS and chat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from statuspage import create_app
from statuspage.notifications.content import (
    MANAGE_MARK,
    SMS_MAX_CHARS,
    UNSUBSCRIBE_MARK,
    UnsupportedEvent,
    render_chat,
    render_email,
    render_sms,
)
from statuspage.notifications.dispatch import EVENT_KINDS

from ..htmltree import parse as parse_html
from .events import PAGE, context, incident

# Pings and reminders go to webhooks and broadcast channels only, never by email.
EMAIL_KINDS = [k for k in EVENT_KINDS if k not in ("subscriber.webhook_created", "reminder.due")]


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    # Rendering never touches the database: the URL only has to be well formed.
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
        }
    )


@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_event_kind_renders_as_text_and_html(app: Flask, kind: str) -> None:
    email = render_email(app, context(kind), "en")
    assert email.subject
    assert "\n" not in email.subject
    assert email.text.strip()
    tree = parse_html(email.html)
    assert tree.find("html").attrs["lang"] == "en"
    hrefs = [a.attrs.get("href") for a in tree.find_all("a")]
    if kind == "subscriber.confirmation_requested":
        assert "https://status.acme.example/subscriptions/confirm/tok-c" in hrefs
        assert MANAGE_MARK not in hrefs
    else:
        assert MANAGE_MARK in hrefs
        assert UNSUBSCRIBE_MARK in hrefs
        assert any(h and h.startswith("https://status.acme.example") for h in hrefs)
    for part in (email.html, email.text):
        assert "<script" not in part
        assert "alert(" not in part


def test_incident_email_tells_the_whole_story(app: Flask) -> None:
    email = render_email(app, context("incident.updated"), "en")
    assert email.subject == "[Acme Status] Identified: API errors"
    tree = parse_html(email.html)
    assert tree.find("h1").text == "Identified: API errors"
    assert tree.find("span", cls="status").text == "Status: Identified"
    assert tree.find("span", cls="impact").text == "Major impact"
    newest, earlier = tree.find_all("div", cls="update")
    # The newest update's Markdown is rendered (and sanitized); the earlier one follows.
    assert newest.find("strong").text == "Identified"
    assert "Nov 25, 2026, 12:30 PM Europe/Berlin" in newest.text
    assert [n.text for n in newest.find_all("strong")] == ["Identified", "bold"]
    assert newest.find("a").attrs["href"] == "https://docs.acme.example"
    assert "elevated errors" in earlier.text
    rows = tree.find("table", cls="components").find_all("tr")
    cells = [[td.text for td in row.find_all("td")] for row in rows]
    assert cells == [["API", "Major Outage"], ["Dashboard", "Degraded Performance"]]
    button = tree.find("a", cls="button")
    assert button.attrs["href"] == "https://status.acme.example/incidents/inc1"
    links = {a.text: a.attrs["href"] for a in tree.find_all("a")}
    assert links["Manage your subscription"] == MANAGE_MARK
    assert links["Unsubscribe"] == UNSUBSCRIBE_MARK

    text = email.text
    assert "Status: Identified (Major impact)" in text
    assert "Fixing it now." in text
    assert "**" not in text  # Markdown is flattened for the text part
    assert "- API: Major Outage" in text
    assert "We are looking into elevated errors." in text
    assert "View this incident: https://status.acme.example/incidents/inc1" in text
    assert f"Manage your subscription: {MANAGE_MARK}" in text
    assert f"Unsubscribe: {UNSUBSCRIBE_MARK}" in text


def test_maintenance_window_in_page_zone_and_utc(app: Flask) -> None:
    email = render_email(app, context("maintenance.scheduled"), "en")
    assert email.subject == "[Acme Status] Scheduled maintenance: Database upgrade"
    tree = parse_html(email.html)
    local = tree.find("td", cls="window-local").text
    utc = tree.find("td", cls="window-utc").text
    assert local == "Nov 26, 2026, 3:00 PM Europe/Berlin to Nov 26, 2026, 5:00 PM Europe/Berlin"
    assert utc == "Nov 26, 2026, 2:00 PM UTC to Nov 26, 2026, 4:00 PM UTC"
    assert f"When (Europe/Berlin): {local}" in email.text
    assert f"When (UTC): {utc}" in email.text


def test_cancelled_maintenance_says_cancelled(app: Flask) -> None:
    email = render_email(app, context("maintenance.cancelled"), "en")
    assert email.subject == "[Acme Status] Maintenance cancelled: Database upgrade"
    assert "Status: Cancelled" in email.text


def test_component_change_and_postmortem(app: Flask) -> None:
    change = render_email(app, context("component.status_changed"), "en")
    assert change.subject == "[Acme Status] API is now Major Outage"
    assert "API changed from Operational to Major Outage." in change.text
    postmortem = render_email(app, context("postmortem.published"), "en")
    tree = parse_html(postmortem.html)
    assert tree.find("div", cls="postmortem").find("h2").text == "What happened"
    assert "<script" not in postmortem.html
    assert "A bad deploy." in postmortem.text


def test_confirmation_email_has_link_expiry_and_ignore_note(app: Flask) -> None:
    email = render_email(
        app, context("subscriber.confirmation_requested"), "en", with_manage=False,
        with_unsubscribe=False,
    )  # fmt: skip
    assert email.subject == "Confirm your subscription to Acme Status"
    tree = parse_html(email.html)
    assert tree.find("a", cls="button").attrs["href"].endswith("/subscriptions/confirm/tok-c")
    for part in (tree.text, email.text):
        assert "expires in 7 days" in part
        assert "If you did not ask for this, ignore this email" in part
    assert "Unsubscribe" not in email.text


def test_ping_is_not_an_email(app: Flask) -> None:
    with pytest.raises(UnsupportedEvent):
        render_email(app, context("subscriber.webhook_created"), "en")


@pytest.mark.parametrize("kind", list(EVENT_KINDS))
def test_sms_is_short_and_ends_with_the_link(app: Flask, kind: str) -> None:
    ctx = context(kind)
    if "incident" in ctx:
        ctx["incident"] = incident(name="Very long incident name " * 20)
    text = render_sms(app, ctx, "en")
    assert len(text) <= SMS_MAX_CHARS
    assert "…" not in text  # not in the GSM alphabet: it would make the SMS UCS-2
    if kind == "subscriber.confirmation_requested":
        assert "123456" in text
        assert "expires in 30 minutes" in text
    else:
        assert text.startswith("Acme Status: ")
        assert text.split()[-1].startswith("https://status.acme.example")


def test_incident_sms_names_status_and_link(app: Flask) -> None:
    text = render_sms(app, context("incident.created"), "en")
    assert text == "Acme Status: Identified: API errors https://status.acme.example/incidents/inc1"


@pytest.mark.parametrize("kind", list(EVENT_KINDS))
def test_chat_message_has_title_body_and_link(app: Flask, kind: str) -> None:
    chat = render_chat(app, context(kind), "en")
    assert chat.title.startswith("Acme Status: ")
    assert chat.body
    assert "<script" not in chat.body
    if kind.startswith(("incident.", "maintenance.", "postmortem.")):
        assert chat.url in chat.body
        assert chat.url.startswith("https://status.acme.example/")


def test_a_theme_overrides_an_email_template(tmp_path: Path) -> None:
    root = tmp_path / "themes"
    shutil.copytree(Path(__file__).parents[2] / "themes" / "default", root / "default")
    custom = root / "custom"
    (custom / "templates" / "email").mkdir(parents=True)
    (custom / "theme.toml").write_text('name = "custom"\ntemplate_api = 1\n')
    (custom / "templates" / "email" / "incident.txt").write_text(
        "Custom: {{ message.name }} ({{ message.status }})\n"
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
            "THEMES_DIR": str(root),
        }
    )
    ctx = context("incident.created")
    ctx["page"] = PAGE | {"theme": "custom"}
    email = render_email(app, ctx, "en")
    assert email.text == "Custom: API errors (Identified)\n"
    # Files the theme does not ship come from the default theme.
    assert parse_html(email.html).find("h1").text == "Identified: API errors"


def test_text_part_is_not_html_escaped_and_html_part_is(app: Flask) -> None:
    ctx = context("incident.created")
    ctx["page"] = PAGE | {"name": "Acme & <Co>"}
    email = render_email(app, ctx, "en")
    assert email.subject == "[Acme & <Co>] Identified: API errors"
    assert "updates from Acme & <Co>." in email.text
    assert "Acme &amp; &lt;Co&gt;" in email.html
    assert "<Co>" not in email.html
