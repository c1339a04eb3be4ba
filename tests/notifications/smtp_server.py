"""A tiny SMTP server for tests (socketserver; aiosmtpd is not installed).

Modes: "ok" accepts every message; "close" accepts the connection and closes it at
once; "silent" accepts and never answers (the client times out); "refuse" answers
550 to every recipient; "busy" answers 451 to every recipient. With `credentials`
it offers AUTH PLAIN and accepts only those.
"""

import base64
import socket
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        server: SMTPServer = self.server.owner  # type: ignore[attr-defined]
        server.connections += 1
        if server.mode == "close":
            return
        if server.mode == "silent":
            server.release.wait(15)
            return
        self.reply("220 test.local ESMTP ready")
        sender, recipients, authenticated = "", [], server.credentials is None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                extensions = ["test.local", "8BITMIME"]
                if server.credentials is not None:
                    extensions.append("AUTH PLAIN")
                for extension in extensions[:-1]:
                    self.reply(f"250-{extension}")
                self.reply(f"250 {extensions[-1]}")
            elif verb == "HELO":
                self.reply("250 test.local")
            elif verb == "AUTH":
                parts = command.split()
                token = parts[2] if len(parts) > 2 else ""
                decoded = base64.b64decode(token).split(b"\0")
                given = tuple(p.decode() for p in decoded[1:3])
                server.logins.append(given)
                if given == server.credentials:
                    authenticated = True
                    self.reply("235 2.7.0 authenticated")
                else:
                    self.reply("535 5.7.8 bad credentials")
            elif verb == "MAIL":
                if not authenticated:
                    self.reply("530 5.7.0 authentication required")
                    continue
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                if server.mode == "refuse":
                    self.reply("550 5.1.1 no such user")
                elif server.mode == "busy":
                    self.reply("451 4.3.0 try again later")
                else:
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line == b".\r\n":
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                server.received.append(Received(sender, recipients, b"".join(lines)))
                self.reply("250 2.0.0 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@dataclass
class SMTPServer:
    mode: str = "ok"
    credentials: tuple[str, str] | None = None
    received: list[Received] = field(default_factory=list)
    logins: list[tuple] = field(default_factory=list)
    connections: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "SMTPServer":
        self._server = _TCPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def closed_port() -> int:
    """A local port with nothing listening (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
