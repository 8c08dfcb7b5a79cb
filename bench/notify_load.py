#!/usr/bin/env python3
"""Load-test the delivery engine: N emails to an SMTP sink, M webhooks to a loopback receiver.

`python3 bench/notify_load.py [--emails 10000,100000] [--webhooks 10000] [--workers N]
[--database sqlite|postgresql]`

Prepares .venv like scripts/start.py and re-runs itself there. For each subscriber count:
a temporary instance (SQLite file, or a uniquely named PostgreSQL database on
127.0.0.1:5432 that is dropped afterwards), the subscribers inserted with one bulk Core
statement per chunk, a counting sink in its own process (aiosmtpd for email, a minimal
asyncio HTTP/1.1 server for webhooks), one incident update published through the
services, then `statuspage worker` subprocesses. It measures from the publish to the
sink having counted every message, and the workers' peak RSS (VmHWM). Prints a table
and PASS/FAIL against the targets: >= 1,000 emails/s, >= 1,000 webhooks/s, and peak
memory that does not grow with the subscriber count. Exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import getpass
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from _bootstrap import (  # noqa: E402
    BIN,
    ROOT,
    StepFailed,
    check_python,
    compile_translations,
    ensure_installed,
    ensure_venv,
)

TARGET_RATE = 1000.0
# Peak RSS of the biggest run may exceed the smallest's by this much and still be "flat".
MEMORY_SLACK = 1.25
MEMORY_SLACK_MB = 15.0
PG_HOST, PG_PORT = "127.0.0.1", 5432
CHUNK = 10_000
INSIDE = "STATUSPAGE_BENCH_INSIDE_VENV"
PROFILE_DIR = os.environ.get("BENCH_PROFILE")
TUNING = ("STATUSPAGE_SMTP_CONNECTIONS", "STATUSPAGE_DELIVERY_")


# ----------------------------------------------------------------------------- sinks


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_sink(port: int, count: Any, ready: Any) -> None:
    """Serve SMTP on port, counting accepted messages in count (no storage)."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait([signal.SIGTERM])


def http_sink(port: int, count: Any, ready: Any) -> None:
    """Serve HTTP/1.1 keep-alive on port, answering 200 to every POST and counting them."""
    import asyncio

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:].strip())
                if length:
                    await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                with count.get_lock():
                    count.value += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ----------------------------------------------------------------------------- instance


@dataclass
class Instance:
    """A temporary database and the environment pointing at it."""

    url: str
    env: dict[str, str]
    drop: Any


def pg_user() -> str:
    """Return a role that can create databases on the local server."""
    import psycopg

    for user in dict.fromkeys([getpass.getuser(), "postgres"]):
        try:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname="postgres", user=user, connect_timeout=3
            ):
                return user
        except psycopg.Error:
            continue
    raise StepFailed(f"cannot connect to PostgreSQL on {PG_HOST}:{PG_PORT}")


def make_instance(engine: str, work: Path) -> Instance:
    """Create an empty database and return its URL and the worker environment."""
    if engine == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        drop = lambda: None  # noqa: E731 (the temp directory goes)
    else:
        import psycopg

        user = pg_user()
        name = f"statuspage_bench_{secrets.token_hex(4)}"
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, dbname="postgres", user=user, autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname="postgres", user=user, autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        url = f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
    # Only the tuning knobs pass through (e.g. STATUSPAGE_SMTP_CONNECTIONS=1 to compare).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STATUSPAGE_") or k.startswith(TUNING)
    }
    env |= {
        "STATUSPAGE_DATABASE_URL": url,
        "STATUSPAGE_SECRET_KEY": "bench-" + secrets.token_hex(8),
        "STATUSPAGE_BASE_URL": "http://status.example.test",
        "STATUSPAGE_MAIL_FROM": "Status <status@example.test>",
        "STATUSPAGE_WEBHOOK_ALLOW_PRIVATE": "1",
        "STATUSPAGE_WORKER_INTERVAL": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [str(BIN / "statuspage"), "db", "upgrade"],
        env={**env, "STATUSPAGE_INSTANCE_PATH": str(work)},
        check=True,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Instance(url, env, drop)


def seed_and_publish(env: dict[str, str], channel: str, count: int, target: str) -> float:
    """Insert count confirmed subscribers, publish one incident update; return its wall time."""
    os.environ.update(env)
    import sqlalchemy as sa

    from statuspage import create_app
    from statuspage.components.services import create_component
    from statuspage.extensions import db
    from statuspage.incidents.services import create_incident
    from statuspage.subscribers.models import Channel, Scope, Subscriber, SubscriberState

    app = create_app()
    with app.app_context():
        api = create_component("API")
        for start in range(0, count, CHUNK):
            rows = []
            for n in range(start, min(count, start + CHUNK)):
                row: dict[str, Any] = {
                    "channel": Channel(channel),
                    "target": target.format(n=n),
                    "state": SubscriberState.ACTIVE,
                    "scope": Scope.ALL,
                }
                if channel == "webhook":
                    row["webhook_secret_salt"] = secrets.token_hex(16)
                rows.append(row)
            # One multi-row INSERT per chunk (the ORM fills the Python-side defaults).
            db.session.execute(sa.insert(Subscriber), rows)
            db.session.commit()
        published = time.time()
        create_incident("Down", "investigating", "Looking into it.", {api: "major_outage"})
        db.session.remove()
    return published


# ----------------------------------------------------------------------------- one run


@dataclass
class Run:
    """What one run measured."""

    kind: str
    subscribers: int
    seconds: float
    peak_mb: float
    delivered: int
    worker_cpu: float = 0.0  # CPU seconds (user + system) of all workers
    sink_cpu: float = 0.0

    def cpu_ms(self, seconds: float) -> float:
        """Return CPU milliseconds per delivered message."""
        return seconds * 1000 / self.delivered if self.delivered else 0.0

    @property
    def rate(self) -> float:
        """Messages per second, publish to last message."""
        return self.delivered / self.seconds if self.seconds else 0.0


def vm_hwm_mb(pid: int) -> float:
    """Return a process's peak resident set (VmHWM) in MB, 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int | None) -> float:
    """Return a live process's CPU time so far (user + system), 0 when gone."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14 and 15 (utime, stime) counted from the state field, which is index 0 here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(kind: str, count: int, engine: str, workers: int, timeout: float) -> Run:
    """Seed, publish, run the workers until the sink has count messages; return figures."""
    ctx = mp.get_context("spawn")
    work = Path(tempfile.mkdtemp(prefix="statuspage-notify-bench-"))
    instance = make_instance(engine, work)
    received = ctx.Value("q", 0)
    ready = ctx.Event()
    port = free_port()
    sink_main = smtp_sink if kind == "email" else http_sink
    sink = ctx.Process(target=sink_main, args=(port, received, ready), daemon=True)
    sink.start()
    procs: list[subprocess.Popen[bytes]] = []
    log = work / "workers.log"
    try:
        if not ready.wait(30):
            raise StepFailed(f"the {kind} sink did not start")
        env = dict(instance.env)
        if kind == "email":
            env["STATUSPAGE_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
            target = "reader{n}@example.test"
        else:
            target = f"http://127.0.0.1:{port}/hook/{{n}}"
        queue = ctx.Queue()
        seeder = ctx.Process(target=_seed_child, args=(env, kind, count, target, queue))
        seeder.start()
        published_wall = queue.get(timeout=600)
        seeder.join()
        # Monotonic clocks differ per process; the wall clock is shared.
        started = time.monotonic() - (time.time() - published_wall)
        with log.open("ab") as out:
            for number in range(workers):
                command = [str(BIN / "statuspage"), "worker"]
                if PROFILE_DIR:  # BENCH_PROFILE=dir: one cProfile file per worker
                    out_file = Path(PROFILE_DIR) / f"{kind}-{count}-worker{number}.prof"
                    command = [
                        str(BIN / "python"), "-m", "cProfile", "-o", str(out_file),
                        str(BIN / "statuspage"), "worker",
                    ]  # fmt: skip
                procs.append(
                    subprocess.Popen(
                        command,
                        env={**env, "STATUSPAGE_INSTANCE_PATH": str(work)},
                        cwd=work,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + timeout
        peaks = [0.0] * len(procs)
        while received.value < count:
            for i, p in enumerate(procs):
                peaks[i] = max(peaks[i], vm_hwm_mb(p.pid))
                if p.poll() is not None:
                    raise StepFailed(f"a worker exited with {p.returncode}; see {log}")
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        seconds = time.monotonic() - started
        for i, p in enumerate(procs):
            peaks[i] = max(peaks[i], vm_hwm_mb(p.pid))
        # CPU per message is what the machine's load does not change much: it says where the
        # time goes (workers vs the sink; PostgreSQL is the rest).
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs)
        return Run(
            kind,
            count,
            seconds,
            max(peaks),
            int(received.value),
            worker_cpu=worker_cpu,
            sink_cpu=cpu_seconds(sink.pid),
        )
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        sink.terminate()
        sink.join(10)
        if sink.is_alive():
            sink.kill()
        instance.drop()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _seed_child(env: dict[str, str], kind: str, count: int, target: str, queue: Any) -> None:
    # A child process: the benchmark process keeps no database connection or app state.
    os.chdir(env.get("STATUSPAGE_INSTANCE_PATH", os.getcwd()))
    queue.put(seed_and_publish(env, kind, count, target))


# ----------------------------------------------------------------------------- main


def counts(text: str) -> list[int]:
    """Parse "10000,100000" into a list of counts (0 or empty: skip)."""
    return [int(part) for part in text.split(",") if part.strip() and int(part) > 0]


def main() -> int:
    """Run the benchmark and print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--emails", default="10000,100000", help="subscriber counts, comma-separated"
    )
    parser.add_argument("--webhooks", default="10000", help="subscriber counts, comma-separated")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: 1 on SQLite, 2 on PostgreSQL)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run at most")
    args = parser.parse_args()
    if os.environ.get(INSIDE) != "1":
        check_python()
        ensure_venv()
        ensure_installed(["test"])
        compile_translations()
        python = BIN / "python"
        env = {**os.environ, INSIDE: "1"}
        os.execve(str(python), [str(python), __file__, *sys.argv[1:]], env)  # noqa: S606
    workers = args.workers or (1 if args.database == "sqlite" else 2)
    if args.database == "sqlite" and workers > 1:
        print("note: several workers share a queue on PostgreSQL only; SQLite serialises them")
    os.chdir(ROOT)
    print(
        f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}  cores: {os.cpu_count()}"
    )
    runs: list[Run] = []
    plan = [("email", n) for n in counts(args.emails)] + [
        ("webhook", n) for n in counts(args.webhooks)
    ]
    for kind, n in plan:
        print(f"... {kind}: {n} subscribers, {workers} worker(s), {args.database}", flush=True)
        run = one_run(kind, n, args.database, workers, args.timeout)
        print(
            f"    {run.delivered} in {run.seconds:.1f}s = {run.rate:.0f}/s, "
            f"peak RSS {run.peak_mb:.0f} MB, CPU per message: workers "
            f"{run.cpu_ms(run.worker_cpu):.2f} ms, sink {run.cpu_ms(run.sink_cpu):.2f} ms",
            flush=True,
        )
        runs.append(run)
    print()
    print(
        f"{'channel':<8} {'subscribers':>11} {'delivered':>9} {'seconds':>8} {'per s':>7} "
        f"{'peak RSS MB':>11}  target"
    )
    ok = True
    for run in runs:
        passed = run.delivered >= run.subscribers and run.rate >= TARGET_RATE
        ok &= passed
        print(
            f"{run.kind:<8} {run.subscribers:>11} {run.delivered:>9} {run.seconds:>8.1f} "
            f"{run.rate:>7.0f} {run.peak_mb:>11.0f}  {'PASS' if passed else 'FAIL'} "
            f"(>= {TARGET_RATE:.0f}/s)"
        )
    emails = sorted((r for r in runs if r.kind == "email"), key=lambda r: r.subscribers)
    if len(emails) >= 2:
        small, big = emails[0], emails[-1]
        flat = big.peak_mb <= small.peak_mb * MEMORY_SLACK + MEMORY_SLACK_MB
        ok &= flat
        print(
            f"memory: {small.peak_mb:.0f} MB at {small.subscribers}, {big.peak_mb:.0f} MB at "
            f"{big.subscribers}: {'PASS' if flat else 'FAIL'} "
            f"(flat: within x{MEMORY_SLACK} + {MEMORY_SLACK_MB:.0f} MB)"
        )
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
