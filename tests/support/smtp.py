"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass
class Mail:
    to: list[str]
    sender: str
    subject: str
    body: str
    message: email.message.EmailMessage


class Collector:
    def __init__(self) -> None:
        self.received: list[Mail] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.received.append(
            Mail(
                list(envelope.rcpt_tos),
                envelope.mail_from,
                str(message["Subject"]),
                message.get_body(("plain",)).get_content(),
                message,
            )
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.received if address in mail.to]


def smtp_server_on(collector: Collector, port: int) -> Controller:
    """A started server on `port` (stop it with .stop(); start another later on the same port)."""
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


class SilentServer:
    """A mail server that accepts connections and never answers: a request that talked SMTP itself would
    connect here and hang until its timeout. `connections()` counts who tried."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1

    def stop(self) -> None:
        self.socket.close()
