"""deploy/local's shared pieces, in-process: wait_until's answers and messages, and LocalServer
ending kept-alive connections when it stops (the fakes and the sink rely on both)."""

import http.client
from http.server import BaseHTTPRequestHandler

import pytest

from deploy.local.processes import WaitTimeout, wait_until
from deploy.local.servers import LocalServer


def test_wait_until_returns_what_the_condition_answered_first() -> None:
    answers = iter([None, 0, "", "the row"])

    assert wait_until(lambda: next(answers), "the row", timeout=60, pause=0) == "the row"


def test_wait_until_names_what_it_waited_for_when_time_is_up() -> None:
    with pytest.raises(WaitTimeout) as raised:
        # A deadline already past: the first miss is the last.
        wait_until(lambda: False, "the outbox to drain", timeout=-1, details=lambda: "(logs in /tmp/x)")

    assert str(raised.value).startswith("gave up waiting for the outbox to drain after -1 s")
    assert str(raised.value).endswith("(logs in /tmp/x)")


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open after answering

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HelloServer(LocalServer):
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Hello


def test_stopping_a_local_server_ends_its_kept_alive_connections() -> None:
    server = _HelloServer().start()
    try:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"hello")
        assert server.base_url == f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()

    assert connection.sock is not None  # still open on our side, kept alive
    assert connection.sock.recv(1) == b""  # the server ended it: its handler thread is done
    connection.close()
    with pytest.raises(AssertionError, match="not running"):
        server.port  # noqa: B018 - the property is the check
