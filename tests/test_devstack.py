"""`make run` on a port that is already taken says so and stops before starting anything (issue 19): no
migration, no embedded servers, no banner announcing an address that is someone else's."""

import socket
import subprocess
import sys

import pytest

from tianjin_towns.lib import devstack


@pytest.fixture
def taken_port():
    """A port some other server listens on, as another `make run` would."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_a_server_listens_on_is_not_available(taken_port):
    assert devstack.web_port_available(taken_port) is False


def test_a_free_port_is_available_and_stays_free(taken_port):
    port = _free_port()
    assert devstack.web_port_available(port) is True
    assert devstack.web_port_available(port) is True  # the check itself leaves nothing listening


def test_a_port_whose_server_stopped_is_available_again():
    """The connections it served linger (TIME_WAIT) but, runserver binding with address reuse as the check does,
    do not keep a new `make run` from the port."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver (http.server) does
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            server.accept()[0].close()
    assert devstack.web_port_available(port) is True


def test_make_run_on_a_taken_port_says_so_and_starts_nothing(taken_port, monkeypatch, capsys):
    def must_not_start(*args, **kwargs):
        raise AssertionError("started something on a taken port")

    monkeypatch.setattr(devstack, "ensure_postgres", must_not_start)
    monkeypatch.setattr(devstack, "ensure_redis", must_not_start)
    monkeypatch.setattr(devstack, "cmd_run", must_not_start)
    assert devstack.main(["run", "--port", str(taken_port)]) == 1
    out, err = capsys.readouterr()
    assert f"port {taken_port} is already in use" in err
    assert "make run PORT=" in err
    assert "http://127.0.0.1" not in out + err and "demo logins" not in out + err


def test_make_run_uses_the_port_it_is_given(monkeypatch):
    port, started = _free_port(), []

    def cmd_run(env, port):
        started.append(port)
        return 0

    monkeypatch.setattr(devstack.signal, "signal", lambda *args: None)  # leave pytest's Ctrl-C alone
    monkeypatch.setattr(devstack, "ensure_postgres", lambda: ("postgres://x", False))
    monkeypatch.setattr(devstack, "ensure_redis", lambda detached=False: ("redis://x", None))
    monkeypatch.setattr(devstack, "cmd_run", cmd_run)
    assert devstack.main(["run", "--port", str(port)]) == 0
    assert started == [port]
    assert devstack._run_port([]) == 8000


def test_the_banner_names_the_chosen_port(capsys):
    devstack.print_logins(8010)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8010" in out and ":8000" not in out


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_the_banner_waits_for_our_own_server_to_listen():
    port = _free_port()
    server = _python(
        f"import socket, time; s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(30)"
    )
    try:
        assert devstack._web_started(server, port, timeout=20) is True
    finally:
        server.kill()
        server.wait()


def test_a_server_that_exits_or_another_servers_port_is_no_start(taken_port):
    exited = _python("import sys; sys.exit(1)")
    assert devstack._web_started(exited, taken_port, timeout=20) is False
    idle = _python("import time; time.sleep(30)")  # alive, but the port is someone else's
    try:
        assert devstack._web_started(idle, taken_port, timeout=1) is False
    finally:
        idle.kill()
        idle.wait()
