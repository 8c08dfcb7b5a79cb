"""The `statuspage` command: users, API keys, and the installed console script."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from statuspage.accounts.auth import verify_password
from statuspage.extensions import db
from statuspage.models import ApiKey, User

PASSWORD = "correct horse battery"


def create_user(runner, email="Ada@Example.com", role="admin", password=PASSWORD):
    return runner.invoke(args=["users", "create", email, "--role", role], input=password + "\n")


def users(app):
    with app.app_context():
        return db.session.scalars(sa.select(User)).all()


def test_users_create_stores_an_argon2_hash_not_the_password(app, runner):
    result = create_user(runner)

    assert result.exit_code == 0, result.output
    assert "ada@example.com" in result.output
    [user] = users(app)
    assert user.email == "ada@example.com"
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)


def test_users_create_rejects_an_unknown_role(app, runner):
    result = create_user(runner, role="root")

    assert result.exit_code != 0
    assert "--role" in result.output
    assert users(app) == []


def test_users_create_rejects_a_short_password(app, runner):
    result = create_user(runner, password="short")

    assert result.exit_code != 0
    assert "password" in result.output
    assert users(app) == []


def test_users_create_rejects_an_invalid_email(app, runner):
    result = create_user(runner, email="not-an-email")

    assert result.exit_code != 0
    assert "email" in result.output
    assert users(app) == []


def test_users_create_rejects_a_duplicate_email(app, runner):
    assert create_user(runner).exit_code == 0

    result = create_user(runner, email="ada@example.COM", role="support")

    assert result.exit_code != 0
    assert "email" in result.output
    assert "already exists" in result.output
    assert len(users(app)) == 1


def test_tokens_create_prints_the_key_once_and_stores_only_its_sha256(app, runner):
    assert create_user(runner).exit_code == 0

    result = runner.invoke(args=["tokens", "create", "ada@example.com"])

    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert "\n" not in secret
    assert len(secret) >= 32
    with app.app_context():
        [key] = db.session.scalars(sa.select(ApiKey)).all()
        assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        stored = [str(v) for v in db.session.execute(sa.select(ApiKey.__table__)).one()]
    assert not any(secret in value for value in stored)

    second = runner.invoke(args=["tokens", "create", "ada@example.com"])
    assert second.exit_code == 0
    assert second.output.strip() != secret


def test_tokens_create_for_an_unknown_user_fails(app, runner):
    result = runner.invoke(args=["tokens", "create", "nobody@example.com"])

    assert result.exit_code != 0
    assert "email" in result.output


def test_the_installed_console_script_migrates_and_creates_a_user(tmp_path):
    script = Path(sys.executable).with_name("statuspage")
    assert script.exists(), f"{script} missing: run pip install -e ."
    db_file = tmp_path / "cli.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("STATUSPAGE_", "FLASK_"))},
        "STATUSPAGE_DATABASE_URL": f"sqlite:///{db_file}",
        "STATUSPAGE_SECRET_KEY": "test",
    }

    def run(*args, stdin=""):
        return subprocess.run(
            [str(script), *args],
            input=stdin,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    help_ = run("--help")
    assert help_.returncode == 0, help_.stderr
    for command in ("db", "users", "tokens", "demo", "worker"):
        assert command in help_.stdout

    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr

    created = run("users", "create", "ops@example.com", "--role", "support", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout

    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text('SELECT email, role FROM "user"')).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [("ops@example.com", "support")]
