#!/usr/bin/env python3
"""Start statuspage with demo data: `python3 scripts/start.py`.

Creates .venv if needed, installs the project (again only when pyproject.toml
changed), compiles translations, migrates the database (SQLite in instance/
unless STATUSPAGE_DATABASE_URL says otherwise), loads the demo data into an
empty database, then runs gunicorn and `statuspage worker` until Ctrl-C or
SIGTERM. If either process dies, the other is stopped and this exits non-zero.
STATUSPAGE_BIND sets the address (default 127.0.0.1:8000).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bootstrap import (  # noqa: E402
    BIN,
    ROOT,
    StepFailed,
    check_python,
    compile_translations,
    ensure_installed,
    ensure_venv,
    statuspage,
    step,
)

DEFAULT_BIND = "127.0.0.1:8000"
DEMO_LOGIN = ("admin@example.com", "statuspage-demo")
HEALTH_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0  # a little longer than gunicorn's graceful_timeout

_stop_signal: int | None = None


def _on_signal(signum: int, _frame: object) -> None:
    global _stop_signal
    _stop_signal = signum


def _bind_address(bind: str) -> tuple[str, int] | None:
    """Return (host to connect to, port) for a TCP bind; None for a unix socket."""
    bind = bind.split(",")[0].strip()
    if bind.startswith("unix:"):
        return None
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if host in {"", "0.0.0.0"}:  # noqa: S104 (we connect to it, we do not bind)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return host, int(port)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child: get SIGTERM if start.py is killed, so nothing keeps the port."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    print("    $ " + " ".join(args), flush=True)
    # Own session: Ctrl-C reaches only this script, which then stops the children
    # gracefully with SIGTERM instead of both getting SIGINT at once.
    return subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent
    )


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {STOP_TIMEOUT:.0f}s; killing it", flush=True)
            proc.kill()
            proc.wait()


def _dead(children: dict[str, subprocess.Popen[bytes]]) -> str | None:
    for name, proc in children.items():
        code = proc.poll()
        if code is not None:
            return f"{name} exited with {code}"
    return None


def _wait_healthy(base_url: str | None, children: dict[str, subprocess.Popen[bytes]]) -> None:
    if base_url is None:
        return
    deadline = time.monotonic() + HEALTH_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline and _stop_signal is None:
        dead = _dead(children)
        if dead:
            raise StepFailed(dead)
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read(500).decode(errors='replace')}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.3)
    if _stop_signal is None:
        raise StepFailed(f"/healthz did not answer 200 within {HEALTH_TIMEOUT:.0f}s ({last})")


def main() -> int:
    """Prepare, then supervise gunicorn and the worker."""
    check_python()
    ensure_venv()
    ensure_installed([])
    compile_translations()

    bind = os.environ.get("STATUSPAGE_BIND", DEFAULT_BIND)
    address = _bind_address(bind)
    base_url = _url(*address) if address else None
    env = {**os.environ, "STATUSPAGE_BIND": bind, "PYTHONUNBUFFERED": "1"}
    if base_url and not env.get("STATUSPAGE_BASE_URL"):
        env["STATUSPAGE_BASE_URL"] = base_url  # absolute links (feeds, emails) point here
    (ROOT / "instance").mkdir(exist_ok=True)  # the default SQLite database lives there

    step("Migrating the database (statuspage db upgrade)")
    statuspage("db", "upgrade", env=env)
    step("Loading demo data into an empty database (statuspage demo --if-empty)")
    statuspage("demo", "--if-empty", env=env)

    if address and _listening(*address):
        raise StepFailed(
            f"something already listens on {bind}; stop it or choose another address, "
            "e.g. STATUSPAGE_BIND=127.0.0.1:8001 python3 scripts/start.py"
        )

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    step(f"Starting gunicorn on {bind} and the worker")
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        children["gunicorn"] = _spawn(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], env
        )
        children["worker"] = _spawn([str(BIN / "statuspage"), "worker"], env)
        _wait_healthy(base_url, children)
        if _stop_signal is None:
            shown = base_url or bind
            print(
                f"\nstatuspage is running at {shown}\n"
                f"  status page  {shown}/\n"
                f"  console      {shown}/admin   sign in as {DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}\n"
                f"  health       {shown}/healthz\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
        while _stop_signal is None:
            dead = _dead(children)
            if dead:
                raise StepFailed(dead)
            time.sleep(0.5)
        print("\nStopping gunicorn and the worker...", flush=True)
        return 0
    finally:
        _stop(children)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepFailed as exc:
        print(f"\nstart.py: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C during the preparation steps
        sys.exit(130)
