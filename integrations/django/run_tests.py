#!/usr/bin/env python3
"""Runs the package's tests: on SQLite, then on a PostgreSQL 15 started here (the
concurrency cases run only there), both with a Redis started here for the channels_redis
cases. Servers listen on loopback ports picked free, keep their data in a temp dir, and are
stopped at the end. Usage: ./run_tests.py [pytest args]"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
PG_BIN = Path(os.environ.get("KS_PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = os.environ.get("KS_PYTHON", "/usr/bin/python3")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s")


@contextmanager
def redis_server(tmp):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def postgres_server(tmp):
    """initdb refuses root: as root, the cluster belongs to the Debian 'postgres' user."""
    data, sockets = tmp / "pgdata", tmp / "pgsock"
    sockets.mkdir()
    prefix = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (tmp, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "--no-sync", "-E", "UTF8"],
        check=True, stdout=subprocess.DEVNULL,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=50"
    subprocess.run(
        [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(tmp / "pg.log"), "-w", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )
    try:
        yield port
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL)


def pytest(env, args):
    command = [PYTHON, "-m", "pytest", "-q", *args]
    return subprocess.run(command, cwd=HERE, env={**os.environ, **env}).returncode


def check_pip_install(tmp):
    """`pip install ./integrations/django` offline, with Debian's pip and setuptools: the
    installed package must hold the app and its migrations, and no tests."""
    source, target = tmp / "source", tmp / "site"
    # Only what a Python checkout needs: js-tests/ holds pnpm's node_modules symlinks.
    shutil.copytree(
        HERE,
        source,
        ignore=shutil.ignore_patterns(
            "__pycache__", "build", "*.egg-info", "testproject", "js-tests", "demo", "node_modules"
        ),
    )
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps",
         "--no-index", "--target", str(target), str(source)],
        check=True,
    )
    installed = {p.relative_to(target / "kitchen_sync").as_posix() for p in (target / "kitchen_sync").rglob("*.py")}
    missing = {"apps.py", "consumers.py", "migrations/0001_initial.py"} - installed
    if missing or any(name.startswith("tests/") for name in installed):
        raise RuntimeError(f"pip install gave a wrong package: {sorted(installed)}")
    print(f"== pip install: {len(installed)} modules, migrations included", flush=True)


def main(args):
    tmp = Path(tempfile.mkdtemp(prefix="kitchen-sync-django-tests-"))
    try:
        check_pip_install(tmp)
        with redis_server(tmp) as redis_url:
            print(f"== SQLite (Redis {redis_url})", flush=True)
            code = pytest({"KS_DB_ENGINE": "sqlite", "KS_REDIS_URL": redis_url}, args)
            with postgres_server(tmp) as pg_port:
                print(f"== PostgreSQL 15 on 127.0.0.1:{pg_port}", flush=True)
                code = pytest(
                    {"KS_DB_ENGINE": "postgres", "KS_DB_PORT": str(pg_port),
                     "KS_DB_NAME": "postgres", "KS_REDIS_URL": redis_url},
                    args,
                ) or code
        return code
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
