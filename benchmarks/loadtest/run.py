"""The load test from start to finish: `python -m benchmarks.loadtest.run` (`make loadtest`).

1. Drops and recreates the PostgreSQL database LOADTEST_DATABASE, empties the Redis
   database LOADTEST_REDIS_URL, migrates, collects the static files into a temporary
   folder and seeds the data (seed.py).
2. Starts gunicorn with LOADTEST_WORKERS workers and production settings (DEBUG off)
   on a free local port, and waits until it answers.
3. Runs the Locust users (swarm.py) for a fixed number of rounds each.
4. Stops gunicorn, whatever happened, then reads the database for lost updates
   (verify.py), prints the table (report.py) and exits 1 when a target is missed.

The database and the run's files (manifest, results, gunicorn's log) are kept after the
run for a look; `--recheck RUN_DIR` checks that database again. The next run drops it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
from pathlib import Path
from typing import Any

import psycopg
import redis
from psycopg import sql

from benchmarks.loadtest import cpu
from benchmarks.loadtest.config import LoadTestConfig
from benchmarks.loadtest.report import print_report

ROOT = Path(__file__).resolve().parents[2]


def recreate_database(config: LoadTestConfig) -> None:
    with psycopg.connect(f"{config.postgres_url}/postgres", autocommit=True) as connection:
        name = sql.Identifier(config.database)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def empty_redis(config: LoadTestConfig) -> None:
    # Celery's queue and the cache of this run only: the URL names a database of its own.
    redis.Redis.from_url(config.redis_url).flushdb()


def site_environment(config: LoadTestConfig, static_root: Path) -> dict[str, str]:
    """Production settings on the load test's database, without HTTPS (no proxy here)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.loadtest.settings",
        "LOADTEST_STATIC_ROOT": str(static_root),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "BEHIND_HTTPS_PROXY": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Django logs every 4xx as a warning: the 409s are counted in the table instead.
        "LOG_LEVEL": "ERROR",
    }


def run_step(title: str, command: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    print(f"- {title}", end="", flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    print(f" ({time.perf_counter() - started:.1f} s)", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(
    config: LoadTestConfig, env: dict[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "perfmon.wsgi",
        "--workers",
        str(config.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        # gunicorn's control socket defaults to one path per home directory: another
        # gunicorn on this machine would fight over it.
        "--no-control-socket",
    ]
    # A session of its own, so stopping it reaches every worker.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_until_up(server: subprocess.Popen[bytes], url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds:.0f} s")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def prepare(config: LoadTestConfig, workdir: Path, env: dict[str, str]) -> None:
    python = sys.executable
    print(f"- database {config.database} dropped and created; Redis {config.redis_url} emptied")
    recreate_database(config)
    empty_redis(config)
    run_step("migrate", [python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run_step("collectstatic", [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    manifest = workdir / "manifest.json"
    run_step("seed", [python, "-m", "benchmarks.loadtest.seed", str(manifest)], env)
    seeded = json.loads(manifest.read_text())
    print(
        f"  {len(seeded['returns'])} portfolios, {len(seeded['officers'])} officers, "
        f"{len(seeded['directors'])} directors; reporting {seeded['start_year']} "
        f"quarter {seeded['quarter']}"
    )


def print_cpu_use(gunicorn: float, machine: float | None, seconds: float) -> None:
    """gunicorn's CPU time, and how busy the whole machine was over `seconds`: other
    people's work on a shared machine slows the site as much as the load does."""
    cpus = os.cpu_count() or 1
    line = f"  gunicorn's master and workers used {gunicorn:.0f} s of CPU in all"
    if machine is not None:
        line += (
            f"; the machine's {cpus} CPUs were {machine / (seconds * cpus):.0%} busy meanwhile "
            f"({machine:.0f} s: gunicorn, Locust, PostgreSQL and anything else running)"
        )
    print(line)


def swarm_the_site(config: LoadTestConfig, workdir: Path, env: dict[str, str]) -> None:
    machine_before, wall_before = cpu.machine_busy(), time.perf_counter()
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    log = workdir / "gunicorn.log"
    server = start_gunicorn(config, env, port, log)
    sampler: cpu.Sampler | None = None
    try:
        wait_until_up(server, f"{host}/sign-in/")
        print(f"- gunicorn up at {host} with {config.workers} workers (log: {log})", flush=True)
        swarm = [sys.executable, "-m", "benchmarks.loadtest.swarm", host]
        swarm += [str(workdir / "manifest.json"), str(workdir / "results.json")]
        locust = subprocess.Popen(swarm, cwd=ROOT, env={**os.environ})
        sampler = cpu.Sampler(
            {
                "gunicorn": lambda fields: fields[4] == str(server.pid),
                "Locust": lambda fields: fields[0] == str(locust.pid),
                "PostgreSQL": lambda fields: fields[1].startswith("postgres"),
            }
        )
        sampler.start()
        if locust.wait() != 0:
            raise subprocess.CalledProcessError(locust.returncode, swarm)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if sampler is not None:
            sampler.stop()
        stop_gunicorn(server)
        print("- gunicorn stopped", flush=True)
    results = json.loads((workdir / "results.json").read_text())
    window = sampler.between(results["started_at"], results["ended_at"]) if sampler else None
    if window is not None:
        used, machine = window
        (workdir / "cpu.json").write_text(json.dumps({"used": used, "machine": machine}))
    # gunicorn's processes are counted once they have ended (their sign-ins included).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_after = cpu.machine_busy()
    print_cpu_use(
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        machine_after - machine_before if machine_before and machine_after else None,
        time.perf_counter() - wall_before,
    )


def check_and_report(config: LoadTestConfig, workdir: Path, env: dict[str, str]) -> int:
    manifest, results, verdict = (workdir / f"{n}.json" for n in ("manifest", "results", "verify"))
    run_step(
        "lost-update check",
        [sys.executable, "-m", "benchmarks.loadtest.verify", str(manifest), str(results)]
        + [str(verdict)],
        env,
    )
    usage = workdir / "cpu.json"
    return print_report(
        config,
        json.loads(results.read_text()),
        json.loads(verdict.read_text()),
        server_log=workdir / "gunicorn.log",
        cpu_use=json.loads(usage.read_text()) if usage.exists() else None,
    )


def run(config: LoadTestConfig, workdir: Path) -> int:
    print(f"Load test: {config.describe()}", flush=True)
    print(
        f"- this machine: one CPU does PBKDF2-SHA256 with 1,000,000 rounds in "
        f"{cpu.speed():.2f} s (the README's figures say what theirs did)",
        flush=True,
    )
    env = site_environment(config, workdir / "static")
    prepare(config, workdir, env)
    swarm_the_site(config, workdir, env)
    return check_and_report(config, workdir, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--recheck",
        metavar="RUN_DIR",
        type=Path,
        help="check an earlier run's database (kept until the next run) again and print its "
        "table, without running anything",
    )
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    config = LoadTestConfig.from_env()
    workdir = arguments.recheck or Path(tempfile.mkdtemp(prefix="perfmon-loadtest-"))
    try:
        if arguments.recheck:
            status = check_and_report(config, workdir, site_environment(config, workdir / "static"))
        else:
            status = run(config, workdir)
    except subprocess.CalledProcessError as error:
        print(
            f"\nLoad test stopped: {' '.join(map(str, error.cmd[1:4]))} exited with "
            f"status {error.returncode} (its output is above)"
        )
        status = 2
    finally:
        shutil.rmtree(workdir / "static", ignore_errors=True)
    print(f"(run files: {workdir})")
    sys.exit(status)


if __name__ == "__main__":
    main()
