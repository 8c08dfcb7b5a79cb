"""Schemathesis against the WSGI app in-process: no 5xx and no answer outside the document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from statuspage import create_app
from statuspage.accounts.services import create_api_key
from statuspage.extensions import db
from statuspage.site.queries import get_page_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small and repeatable: a few examples per operation, the same ones every run.
EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def fuzz_app(database_url: str) -> Iterator[tuple[Flask, str, str]]:
    """An app with the demo data, a communicator's key and no practical rate limit."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            # The run sends hundreds of requests with one key; 429 has its own test.
            "API_RATE_LIMIT": "100000 per minute",
        }
    )
    with app.app_context():
        from statuspage.demo import load_demo

        load_demo()
        _key, secret = create_api_key("comms@example.com")
        page_id = get_page_settings().public_id or ""
        db.session.remove()
    yield app, secret, page_id
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _run_operation(operation: Any, app: Flask, headers: dict[str, str], page_id: str) -> None:
    pinned = {"page_id": page_id} if "{page_id}" in operation.path else None

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=pinned))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, app=app)

    check()


def test_schemathesis_finds_nothing(fuzz_app: tuple[Flask, str, str]) -> None:
    app, secret, page_id = fuzz_app
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"OAuth {secret}"}
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "501" in operation.definition.raw.get("responses", {}):
            # Documented as not available yet (Cachet subscribers): nothing to fuzz.
            continue
        ran += 1
        try:
            _run_operation(operation, app, headers, page_id)
        except (Exception, BaseExceptionGroup) as exc:
            # Collect every operation's failures, then report them all at once.
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert ran > 50
    assert not failures, "\n\n".join(failures)
