"""The SMTP server's Maildir (infra/smtp/maildir.py) keeps one copy per Message-ID.

An in-process aiosmtpd server on a free port writes to a temporary Maildir; the local stack's
SMTP server on 1025 is not involved.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType

import pytest
from aiosmtpd.controller import Controller

from support import stack

pytestmark = pytest.mark.integration

MAILDIR_PY = stack.ROOT / "infra" / "smtp" / "maildir.py"


def _load_maildir_module() -> ModuleType:
    """infra/ is no package: load the handler's module from its file."""
    spec = importlib.util.spec_from_file_location("infra_smtp_maildir", MAILDIR_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def smtp_port(tmp_path: Path) -> Iterator[int]:
    handler = _load_maildir_module().MessageIdMaildir(tmp_path / "mail")
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port
    controller.stop()


def _email(subject: str, message_id: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noreply@jembatan.test"
    message["To"] = "siti@example.test"
    message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id
    message.set_content("Pengingat: pelatihan literasi keuangan besok pukul 09.00.")
    return message


def _deliver(port: int, message: EmailMessage) -> int:
    """The server's answer to DATA (smtplib's send_message would hide it)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.ehlo()
        assert smtp.mail("noreply@jembatan.test")[0] == 250
        assert smtp.rcpt("siti@example.test")[0] == 250
        code, _ = smtp.data(message.as_bytes())
    return code


def _stored(maildir: Path) -> dict[str, EmailMessage]:
    return {
        path.name: message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted((maildir / "new").iterdir())
    }


def test_the_same_message_id_twice_is_stored_once(smtp_port: int, tmp_path: Path) -> None:
    message_id = "<notification-1.attempt@jembatan.test>"

    answers = [_deliver(smtp_port, _email("Pengingat", message_id)) for _ in range(2)]

    assert answers == [250, 250]
    stored = _stored(tmp_path / "mail")
    assert list(stored) == [f"{hashlib.sha256(message_id.encode()).hexdigest()}.eml"]
    [mail] = stored.values()
    assert mail["Subject"] == "Pengingat" and mail["Message-ID"] == message_id
    assert mail["X-RcptTo"] == "siti@example.test"
    assert "pelatihan literasi keuangan" in mail.get_content()
    assert list((tmp_path / "mail" / "tmp").iterdir()) == []  # nothing half-written left


def test_a_resend_keeps_the_first_copy(smtp_port: int, tmp_path: Path) -> None:
    _deliver(smtp_port, _email("first", "<same@jembatan.test>"))
    _deliver(smtp_port, _email("second", "<same@jembatan.test>"))

    assert [m["Subject"] for m in _stored(tmp_path / "mail").values()] == ["first"]


def test_two_message_ids_are_two_files(smtp_port: int, tmp_path: Path) -> None:
    _deliver(smtp_port, _email("satu", "<one@jembatan.test>"))
    _deliver(smtp_port, _email("dua", "<two@jembatan.test>"))

    subjects = sorted(m["Subject"] for m in _stored(tmp_path / "mail").values())
    assert subjects == ["dua", "satu"]


def test_messages_without_a_message_id_are_each_stored(smtp_port: int, tmp_path: Path) -> None:
    answers = [_deliver(smtp_port, _email("tanpa id", None)) for _ in range(2)]

    assert answers == [250, 250]
    stored = _stored(tmp_path / "mail")
    assert len(stored) == 2
    assert all(m["Subject"] == "tanpa id" and m["Message-ID"] is None for m in stored.values())


def test_the_command_line_in_run_sh_starts_the_handler(tmp_path: Path) -> None:
    """The same invocation as infra/smtp/run.sh, on a free port and a temporary Maildir."""
    port = _free_port()
    handler = ["-c", "maildir.MessageIdMaildir", str(tmp_path / "mail")]
    with subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *handler],
        env=os.environ | {"PYTHONPATH": str(MAILDIR_PY.parent)},
        stderr=subprocess.PIPE,
    ) as server:
        try:
            deadline = time.monotonic() + 10
            while not _listening(port):
                assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the SMTP server did not start"
                time.sleep(0.05)
            answers = [_deliver(port, _email("lewat cli", "<cli@jembatan.test>")) for _ in range(2)]
        finally:
            server.terminate()

    assert answers == [250, 250]
    assert [m["Subject"] for m in _stored(tmp_path / "mail").values()] == ["lewat cli"]
