"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

import pprint

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from statuspage import create_app
from statuspage.db import Base
from statuspage.extensions import db


@pytest.fixture
def empty_app(empty_database_url):
    """An app on a database with no tables at all."""
    app = create_app({"TESTING": True, "DATABASE_URL": empty_database_url, "SECRET_KEY": "test"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def table_names(app):
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def schema_differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, Base.metadata)


def test_there_is_exactly_one_head(app, alembic):
    assert len(alembic.heads(app)) == 1


def test_an_empty_database_upgrades_to_head(empty_app, alembic):
    assert table_names(empty_app) == set()

    alembic.upgrade(empty_app)

    assert alembic.current(empty_app) == alembic.heads(empty_app)
    assert table_names(empty_app) == set(Base.metadata.tables) | {"alembic_version"}


def test_models_match_migrations(empty_app, alembic):
    alembic.upgrade(empty_app)

    differences = schema_differences(empty_app)

    assert differences == [], "models and migrations differ:\n" + pprint.pformat(differences)


def test_downgrade_to_base_then_upgrade_again(empty_app, alembic):
    alembic.upgrade(empty_app)

    alembic.downgrade(empty_app, "base")

    assert table_names(empty_app) <= {"alembic_version"}
    assert alembic.current(empty_app) == []

    alembic.upgrade(empty_app)

    assert alembic.current(empty_app) == alembic.heads(empty_app)
    assert schema_differences(empty_app) == []


def test_the_test_database_is_migrated_and_empty(app_ctx, alembic, app):
    # What every other DB test starts from.
    assert alembic.current(app) == alembic.heads(app)
    for table in Base.metadata.sorted_tables:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0, table.name
