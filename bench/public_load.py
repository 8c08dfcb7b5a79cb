#!/usr/bin/env python3
"""Load-test the public site: the app under gunicorn against nginx serving its export.

`python3 bench/public_load.py [--duration 10] [--connections 32]`

Prepares .venv like scripts/start.py, installs Debian's wrk and nginx with
apt-get if they are missing, makes a temporary instance (SQLite, demo data),
exports it, starts gunicorn with the shipped gunicorn.conf.py and nginx with the
README's configuration (statuspage/export/nginx.py) on free loopback ports,
then runs `wrk --latency` against each URL on both and prints requests/s, p99
latency and the app/nginx ratio. Target: the app sustains at least 10% of
nginx's rate with a p99 under 50 ms. Exits 1 when a URL misses it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from _bootstrap import (  # noqa: E402
    BIN,
    ROOT,
    StepFailed,
    check_python,
    compile_translations,
    ensure_installed,
    ensure_venv,
    run,
    step,
)

URLS = ("/", "/api/v2/summary.json", "/history.atom")
TARGET_RATIO = 0.10
TARGET_P99_MS = 50.0
NGINX = Path("/usr/sbin/nginx")
APT_PACKAGES = ["wrk", "nginx"]
READY_TIMEOUT = 60.0

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Figures:
    """What one wrk run measured."""

    rps: float
    p99_ms: float
    errors: int


def ensure_tools() -> None:
    """Install Debian's wrk and nginx if either is missing (as root; else say how)."""
    if shutil.which("wrk") and NGINX.exists():
        return
    step(f"Installing {' '.join(APT_PACKAGES)} (the benchmark needs wrk and {NGINX})")
    command = f"apt-get update && apt-get install -y {' '.join(APT_PACKAGES)}"
    if not shutil.which("apt-get"):
        raise StepFailed("wrk or nginx is missing and this is not a Debian system: install them")
    if os.geteuid() != 0:
        raise StepFailed(f"wrk or nginx is missing; install them with: sudo sh -c '{command}'")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=600"]  # another apt may be running
    run(["apt-get", *wait_for_lock, "update"], env=env)
    run(["apt-get", *wait_for_lock, "install", "-y", *APT_PACKAGES], env=env)
    if not (shutil.which("wrk") and NGINX.exists()):
        raise StepFailed("apt-get finished but wrk or nginx is still missing")


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], name: str) -> None:
    """Wait until url answers 200, failing if proc dies or it takes too long."""
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StepFailed(f"{name} exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise StepFailed(f"{name} did not answer {url} within {READY_TIMEOUT:.0f}s ({last})")


def nginx_conf(work: Path, site: Path, app_port: int, nginx_port: int, workers: int) -> str:
    """Return a complete nginx.conf that needs no root: the README's block, temp paths."""
    # Load the template by path: importing the statuspage package needs Flask, and this
    # script runs on the system Python.
    spec = importlib.util.spec_from_file_location(
        "statuspage_nginx", ROOT / "statuspage" / "export" / "nginx.py"
    )
    if spec is None or spec.loader is None:
        raise StepFailed("cannot load statuspage/export/nginx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(
        module.standalone_config(
            work,
            root=str(site),
            upstream=f"127.0.0.1:{app_port}",
            listen=f"127.0.0.1:{nginx_port}",
            workers=workers,
        )
    )


def wrk(url: str, duration: float, connections: int) -> Figures:
    """Run wrk --latency against url and return its requests/s, p99 and error count."""
    threads = max(1, min(4, connections))
    # wrk gives up on a request after 2 s by default; wait longer so a slow server's real
    # latency is measured (requests it still times out count as errors).
    timeout = f"{max(2.0, duration):g}s"
    args = [
        "wrk",
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        f"--timeout={timeout}",
        url,
    ]
    out = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if out.returncode != 0:
        raise StepFailed(f"`{' '.join(args)}` failed: {out.stderr.strip() or out.stdout}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", out.stdout, re.M)
    if not rps or not p99:
        raise StepFailed(f"cannot read wrk's output for {url}:\n{out.stdout}")
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors:.*?timeout (\d+)"):
        found = re.search(pattern, out.stdout)
        if found:
            errors += int(found.group(1))
    done = re.search(r"(\d+) requests in", out.stdout)
    if done is None or int(done.group(1)) == 0:
        errors = max(errors, 1)  # not one request completed: that is a failure, not 0 ms
    return Figures(float(rps.group(1)), float(p99.group(1)) * _UNITS_MS[p99.group(2)], errors)


def check_served(base: str, path: str, site: Path) -> None:
    """Check nginx answers path from the exported file, not from the app."""
    file = site / (path.strip("/") + "/index.html" if path.endswith("/") else path.strip("/"))
    if path == "/":
        file = site / "index.html"
    with urllib.request.urlopen(base + path, timeout=5) as response:  # noqa: S310 (loopback)
        body = response.read()
    if body != file.read_bytes():
        raise StepFailed(f"nginx did not serve {path} from {file}")


def stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    """Stop the servers this script started, gracefully first."""
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for name, proc in procs.items():
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop; killing it", flush=True)
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> int:
    """Prepare, measure, print the table; return 0 when every URL meets the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per URL")
    parser.add_argument(
        "--nginx-workers",
        type=int,
        default=int(os.environ.get("STATUSPAGE_WORKERS") or os.cpu_count() or 1),
        help="nginx worker processes (default: as many as gunicorn.conf.py starts, "
        "STATUSPAGE_WORKERS or one per CPU core)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    options = parser.parse_args(argv)
    if options.connections < 1 or options.duration <= 0:
        parser.error("--connections and --duration must be positive")

    check_python()
    ensure_venv()
    ensure_installed([])
    compile_translations()
    ensure_tools()

    work = Path(tempfile.mkdtemp(prefix="statuspage-bench-"))
    work.chmod(0o755)  # nginx workers may run as another user; they must reach the export
    site = work / "site"
    app_port, nginx_port = free_port(), free_port()
    app_url, nginx_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{nginx_port}"
    env = {
        **os.environ,
        "STATUSPAGE_ENV": "production",
        "STATUSPAGE_SECRET_KEY": secrets.token_hex(32),
        "STATUSPAGE_DATABASE_URL": f"sqlite:///{work / 'statuspage.sqlite3'}",
        "STATUSPAGE_BASE_URL": app_url,
        "STATUSPAGE_BIND": f"127.0.0.1:{app_port}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("STATUSPAGE_EXPORT_DIR", None)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        step(f"Preparing an instance with demo data in {work}")
        run([BIN / "statuspage", "db", "upgrade"], env=env)
        run([BIN / "statuspage", "demo"], env=env)
        run([BIN / "statuspage", "export", str(site)], env=env)

        step(f"Starting gunicorn on {app_url} and nginx on {nginx_url}")
        (work / "nginx.conf").write_text(
            nginx_conf(work, site, app_port, nginx_port, options.nginx_workers)
        )
        with open(work / "gunicorn.log", "wb") as log:
            procs["gunicorn"] = subprocess.Popen(  # noqa: S603
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        procs["nginx"] = subprocess.Popen(  # noqa: S603
            [
                str(NGINX),
                "-p",
                str(work),
                "-c",
                str(work / "nginx.conf"),
                "-e",
                str(work / "nginx-error.log"),
            ],
            cwd=work,
            start_new_session=True,
        )
        wait_ready(app_url + "/healthz", procs["gunicorn"], "gunicorn")
        wait_ready(nginx_url + "/", procs["nginx"], "nginx")
        for path in URLS:
            check_served(nginx_url, path, site)

        rows = []
        for path in URLS:
            for name, base in (("app", app_url), ("nginx", nginx_url)):
                step(f"{name} {path}: warm-up {options.warmup:g}s, then {options.duration:g}s")
                wrk(base + path, options.warmup, options.connections)
            app = wrk(app_url + path, options.duration, options.connections)
            nginx = wrk(nginx_url + path, options.duration, options.connections)
            rows.append((path, app, nginx))
            print(
                f"    app {app.rps:.0f} req/s p99 {app.p99_ms:.1f} ms; "
                f"nginx {nginx.rps:.0f} req/s p99 {nginx.p99_ms:.1f} ms",
                flush=True,
            )
    finally:
        stop(procs)
        if options.keep:
            print(f"\nkept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)

    return report(rows, options)


def report(rows: list[tuple[str, Figures, Figures]], options: argparse.Namespace) -> int:
    """Print the table and the verdict; return the exit status."""
    print(
        f"\n{options.connections} connections, {options.duration:g}s per run, loopback, "
        f"gunicorn.conf.py defaults vs nginx with {options.nginx_workers} worker(s)\n"
    )
    header = (
        f"{'url':<24} {'app rps':>9} {'app p99':>9} {'nginx rps':>10} {'nginx p99':>10} "
        f"{'app/nginx':>10}  verdict"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for path, app, nginx in rows:
        ratio = app.rps / nginx.rps if nginx.rps else 0.0
        problems = []
        if ratio < TARGET_RATIO:
            problems.append(f"rate < {TARGET_RATIO:.0%} of nginx")
        if app.p99_ms >= TARGET_P99_MS:
            problems.append(f"p99 >= {TARGET_P99_MS:g} ms")
        if app.errors or nginx.errors:
            problems.append(f"errors app {app.errors} nginx {nginx.errors}")
        failed = failed or bool(problems)
        verdict = "PASS" if not problems else "FAIL (" + "; ".join(problems) + ")"
        print(
            f"{path:<24} {app.rps:>9.0f} {app.p99_ms:>7.1f}ms {nginx.rps:>10.0f} "
            f"{nginx.p99_ms:>8.1f}ms {ratio:>9.1%}  {verdict}"
        )
    print(
        f"\n{'FAIL' if failed else 'PASS'}: target is app >= {TARGET_RATIO:.0%} of nginx's "
        f"requests/s with p99 < {TARGET_P99_MS:g} ms on every URL",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except StepFailed as exc:
        print(f"\npublic_load.py: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
