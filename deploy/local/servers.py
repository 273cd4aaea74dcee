"""Servers that run inside the calling process, on a free 127.0.0.1 port, from a daemon thread:
the local stack's notification sink, and the tests' stand-ins for Twilio and the OAuth providers.

A subclass of LocalServer says which handler answers (`handler()`, a socketserver handler class:
an http.server one for HTTP, a StreamRequestHandler for a line protocol such as SMTP); the base
starts and stops it (`with server:`, or start() and stop()) and tells where it listens.
"""

import contextlib
import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer
from typing import Any, Self

_Request = socket.socket | tuple[bytes, socket.socket]  # what socketserver hands its handlers


class _LoopbackServer(ThreadingHTTPServer):
    """One thread per connection, none of them keeping the process alive; remembers the open
    connections so that stopping ends kept-alive ones too, and their threads finish at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(address, handler)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    # A stream server's requests are connections (the tuple is a datagram server's).
    def process_request(self, request: _Request, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._lock:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Request) -> None:
        if isinstance(request, socket.socket):
            with self._lock:
                self._open.discard(request)
        super().shutdown_request(request)

    def end_connections(self) -> None:
        with self._lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class LocalServer:
    host = "127.0.0.1"
    _server: _LoopbackServer | None = None
    _thread: threading.Thread | None = None

    def handler(self) -> type[socketserver.BaseRequestHandler]:
        """The handler class that answers each connection (bound to this server's state)."""
        raise NotImplementedError

    def start(self) -> Self:
        self._server = _LoopbackServer((self.host, 0), self.handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.end_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, f"{type(self).__name__} is not running"
        return int(self._server.server_address[1])

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"
