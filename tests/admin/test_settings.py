"""Page settings in the console: validation beside each field, audit, the public page at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.errors import ValidationError
from statuspage.extensions import db
from statuspage.site.css import CssProblem, find_problems, normalize, safe_css
from statuspage.site.models import PageSettings

from .conftest import csrf_from, post_form

URL = "/admin/settings"

VALID: dict[str, str] = {
    "name": "Acme Cloud Status",
    "url": "https://status.acme.example",
    "time_zone": "Europe/Berlin",
    "default_language": "en",
    "logo_url": "",
    "accent_color": "#0a7f5c",
    "accent_picker": "#0a7f5c",
    "accent_before": "#2563eb",
    "theme": "default",
    "custom_css": ".brand-name { letter-spacing: .05em; background: url(/static/x.png) }",
    "support_url": "mailto:help@acme.example",
    "footer_links-0-label": "Acme",
    "footer_links-0-url": "https://acme.example",
    "footer_links-1-label": "",
    "footer_links-1-url": "",
    "footer_links-2-label": "Privacy",
    "footer_links-2-url": "https://acme.example/privacy",
}


def field_error(html: str, name: str) -> str | None:
    """Return the error shown beside the named field, if any."""
    match = re.search(
        rf'<p class="field-error"[^>]*data-field="{re.escape(name)}">([^<]*)</p>', html
    )
    return match.group(1) if match else None


def state(app: Any) -> tuple[int, int, dict[str, Any] | None]:
    """Return (settings rows, audit entries, the stored settings) to prove nothing was written."""
    from statuspage.site.services import snapshot

    with app.app_context():
        rows = db.session.scalars(sa.select(PageSettings)).all()
        audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0
        return len(rows), audits, snapshot(rows[0]) if rows else None


def audit_entries(app: Any, prefix: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action.startswith(prefix))
            .order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return list(entries)


# --------------------------------------------------------------------------- the page


def test_settings_page_shows_every_setting_with_labels(signed_in):
    client = signed_in("admin")
    html = client.get(URL).text
    for name in (
        "name",
        "url",
        "time_zone",
        "default_language",
        "logo_url",
        "accent_color",
        "theme",
        "custom_css",
        "support_url",
        "footer_links-0-label",
        "footer_links-9-url",
    ):
        assert f'<label for="{name}"' in html, name
    assert 'type="color"' in html
    assert 'aria-label="Pick the accent colour"' in html
    assert "footer_links-10-label" not in html
    assert '<option value="Europe/Berlin">' in html
    assert '<option value="localtime"' not in html
    assert '<option selected value="UTC">' in html  # the unsaved defaults


def test_a_theme_pinned_by_the_server_is_explained(app, signed_in):
    app.config["THEME"] = "default"
    html = signed_in("admin").get(URL).text
    assert "always use the theme default (STATUSPAGE_THEME)" in html


@pytest.mark.parametrize("role", ["communicator", "support"])
def test_settings_are_for_admins_only(signed_in, role):
    client = signed_in(role)
    assert client.get(URL).status_code == 403
    token = csrf_from(client.get("/admin/").text)
    assert client.post(URL, data={**VALID, "csrf_token": token}).status_code == 403


def test_saving_creates_the_settings_audits_and_the_public_page_shows_them_at_once(
    app, client, signed_in
):
    assert state(app)[0] == 0
    client.get("/")  # the public page before: defaults
    admin = signed_in("admin")
    response = post_form(admin, URL, VALID)
    assert response.status_code == 302, response.text
    assert response.location == URL
    assert "The settings were saved" in admin.get(URL).text

    rows, _audits, stored = state(app)
    assert rows == 1
    assert stored is not None
    assert stored["name"] == "Acme Cloud Status"
    assert stored["accent_color"] == "#0a7f5c"
    assert stored["footer_links"] == [
        {"label": "Acme", "url": "https://acme.example"},
        {"label": "Privacy", "url": "https://acme.example/privacy"},
    ]
    assert stored["support_url"] == "mailto:help@acme.example"
    assert stored["logo_url"] == ""

    (entry,) = audit_entries(app, "page_settings.")
    assert entry.action == "page_settings.create"
    assert entry.actor_label == "admin@example.com"
    assert entry.actor_id is not None
    assert entry.ip == "127.0.0.1"
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["name"] == "Acme Cloud Status"

    public = client.get("/").text
    assert "<title>Acme Cloud Status</title>" in public
    assert ":root { --accent: #0a7f5c; }" in public
    assert '<style id="custom-css">.brand-name { letter-spacing: .05em;' in public
    assert '<a href="https://acme.example/privacy">Privacy</a>' in public


def test_a_second_save_audits_before_and_after(app, signed_in):
    admin = signed_in("admin")
    post_form(admin, URL, VALID)
    response = post_form(admin, URL, {**VALID, "name": "Acme Status", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    create, update = audit_entries(app, "page_settings.")
    assert update.action == "page_settings.update"
    assert update.before is not None
    assert update.after is not None
    assert (update.before["name"], update.after["name"]) == ("Acme Cloud Status", "Acme Status")
    assert (update.before["time_zone"], update.after["time_zone"]) == (
        "Europe/Berlin",
        "Asia/Tokyo",
    )
    # Saving the same values again changes nothing and records nothing.
    before = state(app)
    post_form(admin, URL, {**VALID, "name": "Acme Status", "time_zone": "Asia/Tokyo"})
    assert state(app) == before


def test_the_form_shows_the_stored_values(signed_in):
    admin = signed_in("admin")
    post_form(admin, URL, VALID)
    html = admin.get(URL).text
    assert 'value="Acme Cloud Status"' in html
    assert '<option selected value="Europe/Berlin">' in html
    assert 'id="accent_picker" name="accent_picker" type="color" value="#0a7f5c"' in html
    assert 'name="footer_links-1-label" type="text" value="Privacy"' in html


def test_colour_picker_wins_when_only_it_changed(app, signed_in):
    admin = signed_in("admin")
    post_form(admin, URL, VALID)
    # Without JavaScript the text box still holds the old colour; the picker was changed.
    data = {**VALID, "accent_picker": "#aa3300", "accent_before": "#0a7f5c"}
    assert post_form(admin, URL, data).status_code == 302
    assert state(app)[2]["accent_color"] == "#aa3300"  # type: ignore[index]
    # When the text box was changed, it wins.
    data = {**VALID, "accent_color": "#112233", "accent_picker": "#aa3300"}
    data["accent_before"] = "#aa3300"
    assert post_form(admin, URL, data).status_code == 302
    assert state(app)[2]["accent_color"] == "#112233"  # type: ignore[index]


# --------------------------------------------------------------------------- bad input


NOT_TYPED = {
    "custom_css",
    "accent_picker",
    "accent_before",
    "time_zone",
    "default_language",
    "theme",
}
BAD_INPUT = [
    pytest.param({"name": "   "}, "name", "Enter a name", id="empty-name"),
    pytest.param({"name": "x" * 201}, "name", "at most 200", id="long-name"),
    pytest.param({"url": "status.acme.example"}, "url", "https://", id="url-without-scheme"),
    pytest.param({"url": "javascript:alert(1)"}, "url", "https://", id="url-javascript"),
    pytest.param({"time_zone": "Mars/Olympus"}, "time_zone", "time zone", id="unknown-zone"),
    pytest.param({"time_zone": "localtime"}, "time_zone", "time zone", id="not-a-zone"),
    pytest.param({"default_language": "xx"}, "default_language", "Choose one of", id="language"),
    pytest.param({"logo_url": "data:image/png;base64,AAAA"}, "logo_url", "https://", id="logo"),
    pytest.param({"logo_url": "//evil.example/x.png"}, "logo_url", "https://", id="logo-netloc"),
    pytest.param(
        {"accent_color": "red", "accent_picker": "#0a7f5c"}, "accent_color", "#", id="accent"
    ),
    pytest.param(
        {"accent_color": "#12345", "accent_picker": "#2563eb", "accent_before": "#2563eb"},
        "accent_color",
        "six hex digits",
        id="accent-short",
    ),
    pytest.param({"theme": "../../etc"}, "theme", "installed theme", id="theme"),
    pytest.param(
        {"support_url": "javascript:alert(1)"}, "support_url", "mailto:", id="support-url"
    ),
    pytest.param(
        {"footer_links-0-url": ""}, "footer_links-0-url", "an address", id="link-without-url"
    ),
    pytest.param(
        {"footer_links-2-label": ""}, "footer_links-2-label", "a label", id="link-without-label"
    ),
    pytest.param(
        {"footer_links-0-url": "javascript:alert(1)"},
        "footer_links-0-url",
        "https://",
        id="link-javascript",
    ),
    pytest.param(
        {"footer_links-0-label": "x" * 101}, "footer_links-0-label", "at most 100", id="link-label"
    ),
    pytest.param({"custom_css": "a{}" * 6667}, "custom_css", "at most 20000", id="css-too-long"),
    pytest.param(
        {"custom_css": "a { color: red } </style><script>alert(1)</script>"},
        "custom_css",
        "the character &lt;",
        id="css-closing-style",
    ),
    pytest.param(
        {"custom_css": "@import url(https://evil.example/x.css);"},
        "custom_css",
        "@import",
        id="css-import",
    ),
    pytest.param(
        {"custom_css": "a { width: expression(alert(1)) }"},
        "custom_css",
        "expression()",
        id="css-expression",
    ),
    pytest.param(
        {"custom_css": "body { background: url('https://tracker.example/p.gif') }"},
        "custom_css",
        "https://tracker.example/p.gif",
        id="css-remote-url",
    ),
    pytest.param(
        {"custom_css": "body { background: url(data:image/svg+xml;base64,PHN2Zz4=) }"},
        "custom_css",
        "data:",
        id="css-data-url",
    ),
    pytest.param(
        {"custom_css": "a { background: url(javascript:alert(1)) }"},
        "custom_css",
        "javascript:",
        id="css-javascript-url",
    ),
    pytest.param(
        {"custom_css": "body { behavior: url(/x.htc) }"},
        "custom_css",
        "behavior",
        id="css-behavior",
    ),
    pytest.param(
        {"custom_css": "body { -moz-binding: url(/x.xml#x) }"},
        "custom_css",
        "-moz-binding",
        id="css-binding",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(
    app, signed_in, change, field, message
):
    admin = signed_in("admin")
    post_form(admin, URL, VALID)
    before = state(app)
    response = post_form(admin, URL, {**VALID, **change})
    assert response.status_code == 400
    error = field_error(response.text, field)
    assert error is not None, f"no error beside {field}"
    assert message in error
    assert state(app) == before
    # The user's typing is kept for them to fix (a select box can only show its choices).
    typed = [value for key, value in change.items() if key not in NOT_TYPED]
    for value in typed:
        if value.strip():
            assert f'value="{value[:50]}' in response.text or value[:50] in response.text


def test_stale_form_is_explained_and_nothing_is_written(app, signed_in):
    admin = signed_in("admin")
    before = state(app)
    response = admin.post(URL, data={**VALID, "csrf_token": "stale"})
    assert response.status_code == 400
    assert "open too long" in response.text
    assert 'value="Acme Cloud Status"' in response.text
    assert state(app) == before
    response = admin.post(URL, data=VALID)
    assert response.status_code == 400
    assert state(app) == before


def test_a_refused_css_says_everything_that_was_refused(signed_in):
    admin = signed_in("admin")
    css = "@import 'x.css'; a { b: expression(1); c: url(//evil.example/a.png) }"
    response = post_form(admin, URL, {**VALID, "custom_css": css})
    error = field_error(response.text, "custom_css") or ""
    assert error.startswith("Nothing was saved. Remove ")
    for part in ("@import", "expression()", "//evil.example/a.png"):
        assert part in error


# --------------------------------------------------------------------------- the service


def test_update_settings_changes_only_what_it_is_given(app):
    from statuspage.site.services import update_settings

    with app.app_context():
        update_settings(name="First", accent_color="#ABCDEF", actor="cli")
        update_settings(support_url="https://help.example", actor="cli")
        stored = db.session.scalars(sa.select(PageSettings)).one()
        assert stored.name == "First"
        assert stored.accent_color == "#abcdef"
        assert stored.support_url == "https://help.example"
        assert stored.time_zone == "UTC"
        with pytest.raises(TypeError):
            update_settings(colour="#000000")
        with pytest.raises(ValidationError) as caught:
            update_settings(footer_links=[{"label": "x", "url": "https://x.example"}] * 11)
        assert "footer_links" in caught.value.errors
        with pytest.raises(ValidationError) as caught:
            update_settings(name="", time_zone="Nowhere/City", custom_css="<b>")
        assert set(caught.value.errors) == {"name", "time_zone", "custom_css"}
        assert db.session.scalars(sa.select(PageSettings)).one().name == "First"


def test_stored_css_that_breaks_the_rules_never_reaches_the_page(app, client):
    with app.app_context():
        db.session.add(PageSettings(name="Raw", custom_css="@\\69mport 'https://evil.example/x';"))
        db.session.commit()
    body = client.get("/").text
    assert "custom-css" not in body
    assert "evil.example" not in body


# --------------------------------------------------------------------------- the CSS rules


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        ("a{}</style><script>x</script>", CssProblem.LESS_THAN),
        ("@IMPORT 'x.css';", CssProblem.IMPORT),
        ("@\\69mport 'x.css';", CssProblem.IMPORT),
        ("@im\\port 'x.css';", CssProblem.IMPORT),
        ("a { width: EXPRESSION(1) }", CssProblem.EXPRESSION),
        ("a { width: expr/**/ession(1) }", CssProblem.EXPRESSION),
        ("a { width: \\65 xpression(1) }", CssProblem.EXPRESSION),
        ("a { behavior: url(x.htc) }", CssProblem.BEHAVIOR),
        ("a { -moz-binding: url(x.xml) }", CssProblem.BINDING),
        ("a { background: url(  'javascript:alert(1)' ) }", CssProblem.SCRIPT_URL),
        ("a { background: url(https://evil.example/a.png) }", CssProblem.REMOTE_URL),
        ('a { background: URL("HTTP://evil.example/a.png") }', CssProblem.REMOTE_URL),
        ("a { background: url(//evil.example/a.png) }", CssProblem.REMOTE_URL),
        ("a { background: u\\72l(//evil.example/a.png) }", CssProblem.REMOTE_URL),
        ("a { background: url(data:image/png;base64,AA) }", CssProblem.REMOTE_URL),
        ('a { background: image-set("https://evil.example/a.png" 1x) }', CssProblem.REMOTE_URL),
        ("@font-face { font-family: x; src: url(https://fonts.example/x.woff2) }", "remote_url"),
    ],
)
def test_css_rules_catch_obfuscated_spellings(css, problem):
    assert CssProblem(problem) in {finding.problem for finding in find_problems(css)}
    if problem != CssProblem.LESS_THAN:
        assert safe_css(css) is None


@pytest.mark.parametrize(
    "css",
    [
        ".brand { color: #123456 }",
        "body { background: url(/themes/default/static/favicon.svg) }",
        "body { background: url('images/bg.png') }",
        'a[href^="https://"]::after { content: " ↗" }',
        "@media (max-width: 40rem) { .brand { font-size: 1rem } }",
        ".note::before { content: 'Status: ok' }",
        "@font-face { font-family: x; src: url(/static/x.woff2) format('woff2') }",
    ],
)
def test_css_rules_leave_ordinary_css_alone(css):
    assert find_problems(css) == []
    assert safe_css(css) == css


def test_a_lone_less_than_is_escaped_at_render_time():
    assert safe_css("a{} </style>") == "a{} \\3c /style>"
    assert safe_css("  ") is None
    assert normalize("A/* c */\\42 C") == "abc"
