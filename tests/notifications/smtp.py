"""A real SMTP server in the test process (aiosmtpd) that counts every message.

It can refuse chosen recipients permanently (550 on RCPT), and hold the DATA phase of a
delivery until released (to kill a worker in the middle of sending).
"""

import asyncio
import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Recorder:
    refuse: set[str] = field(default_factory=set)  # 550 on RCPT
    defer: set[str] = field(default_factory=set)  # 451 on RCPT (try again later)
    hold: threading.Event | None = None  # set: DATA is held until ``release`` is set
    release: threading.Event = field(default_factory=threading.Event)
    messages: list[email.message.Message] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            self.refused.append(address.lower())
            return "550 5.1.1 Mailbox unavailable"
        if address.lower() in self.defer:
            return "451 4.2.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None:
            self.hold.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            # The client went away meanwhile (killed): no message.
            if session.peer is None or server.transport is None or server.transport.is_closing():
                return "451 4.3.0 Client gone"
        message = email.message_from_bytes(envelope.content)
        for _address in envelope.rcpt_tos:
            self.messages.append(message)
        return "250 Message accepted"

    def per_recipient(self) -> Counter:
        return Counter(m["To"] for m in self.messages)


class SMTPServer:
    """``with SMTPServer(port) as server:`` – started on 127.0.0.1, stopped at the end."""

    def __init__(self, port: int | None = None, recorder: Recorder | None = None):
        self.port = port or free_port()
        self.recorder = recorder or Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.recorder.release.set()
        self.controller.stop()
