"""An aiosmtpd handler that keeps one copy of each message per Message-ID, in a Maildir.

Notify resends an email with the same Message-ID when it crashed after the server accepted it
and before it recorded that; a receiving store keyed by Message-ID keeps one copy, and so does
this one: `<maildir>/new/<sha256 hex of the Message-ID>.eml`. A message without a Message-ID
gets a random name. Files are plain RFC 5322 messages, as received, with the envelope on top.

Run by infra/smtp/run.sh through the aiosmtpd command line:
    PYTHONPATH=infra/smtp python -m aiosmtpd -n -l 127.0.0.1:1025 -c maildir.MessageIdMaildir DIR
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from argparse import ArgumentParser
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

log = logging.getLogger("smtp.maildir")


class MessageIdMaildir:
    def __init__(self, maildir: str | os.PathLike[str]) -> None:
        self.root = Path(maildir)
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_cli(cls, parser: ArgumentParser, *args: str) -> MessageIdMaildir:
        """The aiosmtpd CLI's hook: `-c maildir.MessageIdMaildir <maildir>`."""
        if len(args) != 1:
            parser.error("MessageIdMaildir takes one argument: the Maildir directory")
        return cls(args[0])

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        trace = f"X-MailFrom: {envelope.mail_from}\r\nX-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        name = await asyncio.to_thread(self.store, trace.encode() + envelope.original_content)
        if name is None:
            log.info("a Message-ID already stored: kept the first copy")
        else:
            log.info("stored %s", name)
        return "250 OK"  # a duplicate is accepted too, or the sender would retry it forever

    def store(self, message: bytes) -> str | None:
        """The file name in new/, or None for a Message-ID already stored.

        Written in tmp/ and then hard-linked into new/, the Maildir way: a link, unlike a rename,
        refuses to replace a file, so two racing deliveries of one Message-ID keep the first.
        """
        name = _file_name(message)
        if any(self.root.glob(f"cur/{name}*")):  # a mail reader moved it from new/ to cur/
            return None
        tmp = self.root / "tmp" / f"{uuid.uuid4().hex}.eml"
        with tmp.open("wb") as file:
            file.write(message)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(tmp, self.root / "new" / name)
        except FileExistsError:
            return None
        finally:
            tmp.unlink()
        return name


def _file_name(message: bytes) -> str:
    """sha256 of the Message-ID (angle brackets kept, folding whitespace dropped), else random."""
    message_id = "".join(str(BytesHeaderParser().parsebytes(message)["Message-ID"] or "").split())
    if not message_id:
        return f"{uuid.uuid4().hex}.eml"
    return f"{hashlib.sha256(message_id.encode()).hexdigest()}.eml"
