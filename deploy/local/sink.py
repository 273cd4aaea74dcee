"""Where the local stack's Alertmanager sends what would otherwise leave the machine.

One HTTP server takes the PagerDuty, Slack and webhook calls (POST /<channel>/<receiver>),
one SMTP server takes the email; both keep what they got, so a test can check that an alert
reached the receivers its route names. Daemon threads on 127.0.0.1, free ports.
"""

import contextlib
import json
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from deploy.local.servers import LocalServer

# What each service answers on success (Alertmanager only checks the status, but a real body
# keeps a stricter client honest).
_REPLIES: dict[str, tuple[int, bytes]] = {
    "pagerduty": (202, b'{"status": "success", "message": "Event processed"}'),
    "slack": (200, b"ok"),
}


@dataclass(frozen=True)
class Delivery:
    channel: str  # pagerduty, slack, webhook, email
    receiver: str  # the Alertmanager receiver's name ("global" for the global URL); "" for email
    body: str
    received_at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


class NotificationSink:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._http = _SinkServer(self, _HttpHandler)
        self._smtp = _SinkServer(self, _SmtpHandler)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def start(self) -> "NotificationSink":
        self._http.start()
        self._smtp.start()
        return self

    def stop(self) -> None:
        self._http.stop()
        self._smtp.stop()

    @property
    def http_url(self) -> str:
        return self._http.base_url

    @property
    def smtp_address(self) -> str:
        return self._smtp.address


class _SinkServer(LocalServer):
    """One of the sink's servers: each connection is answered by `handler_class`, which records
    what it receives into the sink."""

    def __init__(self, sink: NotificationSink, handler_class: type[socketserver.BaseRequestHandler]) -> None:
        self.sink = sink
        self.handler_class = handler_class

    def handler(self) -> type[socketserver.BaseRequestHandler]:
        return type("Handler", (self.handler_class,), {"sink": self.sink})


class _HttpHandler(BaseHTTPRequestHandler):
    sink: NotificationSink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(errors="replace")
        channel, _, receiver = self.path.strip("/").partition("/")
        self.sink._record(Delivery(channel=channel, receiver=receiver, body=body))
        status, reply = _REPLIES.get(channel, (200, b"{}"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the deliveries are the record


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough ESMTP for Go's net/smtp client: no TLS, no AUTH offered (so none is tried)."""

    sink: NotificationSink

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 localhost ESMTP local-stack sink")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if command in {"EHLO", "HELO"}:
                self._reply("250-localhost")
                self._reply("250 8BITMIME")
            elif command in {"MAIL", "RCPT", "RSET", "NOOP"}:
                self._reply("250 OK")
            elif command == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                self.sink._record(Delivery(channel="email", receiver="", body=self._message()))
                self._reply("250 OK: queued")
            elif command == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _message(self) -> str:
        lines: list[str] = []
        with contextlib.suppress(ConnectionError):
            while (line := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
                lines.append(line.decode(errors="replace").rstrip("\r\n"))
        return "\n".join(line[1:] if line.startswith("..") else line for line in lines)
