"""`statuspage integrations create|list|rotate`."""

from __future__ import annotations

import re

import sqlalchemy as sa

from statuspage.extensions import db
from statuspage.internal.models import Integration

from .payloads import GENERIC_TRIGGERED, auth_headers, body_of


def integrations(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(Integration)).all()
        db.session.expunge_all()
        return rows


def test_create_prints_the_url_and_secret_once_and_they_work(app, runner, client):
    result = runner.invoke(args=["integrations", "create", "generic", "Backups"])

    assert result.exit_code == 0, result.output
    url = re.search(r"url:\s+(\S+)", result.output).group(1)
    secret = re.search(r"secret:\s+(\S+)", result.output).group(1)
    [integration] = integrations(app)
    assert url == f"http://127.0.0.1:8000/hooks/generic?i={integration.public_id}"
    body = body_of(GENERIC_TRIGGERED)
    path = url.removeprefix("http://127.0.0.1:8000")
    response = client.post(path, data=body, headers=auth_headers("generic", secret, body))
    assert response.status_code == 202

    listing = runner.invoke(args=["integrations", "list"])
    assert listing.exit_code == 0
    assert "Backups" in listing.output
    assert integration.public_id in listing.output
    assert secret not in listing.output


def test_create_refuses_an_unknown_kind_naming_the_field(app, runner):
    result = runner.invoke(args=["integrations", "create", "nagios", "Old"])

    assert result.exit_code != 0
    assert "KIND" in result.output
    assert "alertmanager" in result.output
    assert integrations(app) == []


def test_create_refuses_a_duplicate_name(app, runner):
    assert runner.invoke(args=["integrations", "create", "opsgenie", "Ops"]).exit_code == 0
    result = runner.invoke(args=["integrations", "create", "grafana", "Ops"])
    assert result.exit_code != 0
    assert "name" in result.output
    assert len(integrations(app)) == 1


def test_rotate_by_name_keeps_the_old_secret_for_the_overlap(app, runner, frozen_clock, client):
    created = runner.invoke(args=["integrations", "create", "generic", "Backups"])
    old = re.search(r"secret:\s+(\S+)", created.output).group(1)

    result = runner.invoke(args=["integrations", "rotate", "Backups", "--overlap-hours", "1"])

    assert result.exit_code == 0, result.output
    new = re.search(r"new secret:\s+(\S+)", result.output).group(1)
    assert new != old
    assert "2026-11-25T13:00:00+00:00" in result.output
    [integration] = integrations(app)
    assert integration.secret == new
    assert integration.previous_secret == old


def test_rotate_an_unknown_integration(runner):
    result = runner.invoke(args=["integrations", "rotate", "ghost"])
    assert result.exit_code != 0
    assert "integration" in result.output
