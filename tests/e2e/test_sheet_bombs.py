"""Sheets built to exhaust memory, uploaded through the gateway: each is refused with a 422
naming `file` within 2 s, while the API that read it grows by less than 50 MB at its peak."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support import sheet_bombs as bombs
from support import stack
from support import training as t

pytestmark = pytest.mark.integration

MB = 1024 * 1024
BOMBS = {
    # 44 KB whose shared strings unpack to 1.25 GB (bzip2, which zipfile reads too)
    "gigabyte": bombs.gigabyte_bomb,
    # 60 KB whose worksheet unpacks to 57 MB (deflate, as spreadsheet programs pack)
    "deflate": lambda: bombs.workbook(
        sheet=bombs.deflated_spaces("s", bombs.SHEET_HEAD + bombs.HEADER_ROW, 57, bombs.SHEET_TAIL)
    ),
}


def _status(pid: int, key: str) -> int:
    """A memory figure of /proc/<pid>/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024  # the kernel writes kB
    raise AssertionError(f"no {key} for process {pid}")


def _refused_in_time_and_memory(
    process: str, upload: Callable[[], httpx.Response]
) -> httpx.Response:
    pid = stack.pid_of(process)
    # VmHWM is the peak resident size since the process started; writing 5 to clear_refs
    # (Linux 4.0 and later) restarts it from the present size, so it covers this upload alone.
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = _status(pid, "VmRSS")
    started = time.perf_counter()
    answer = upload()
    elapsed = time.perf_counter() - started
    growth = _status(pid, "VmHWM") - before
    print(f"\n{process}: refused in {elapsed * 1000:.0f} ms, peak growth {growth / MB:.1f} MB")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["field"] == "file" and error["message"].startswith("the XLSX file ")
    assert elapsed < 2.0
    assert growth < 50 * MB
    return answer


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_bomb_sent_to_the_client_import_is_refused_quickly_and_cheaply(
    gateway: httpx.Client, tokens: dict[str, str], bomb: str
) -> None:
    content = BOMBS[bomb]()
    assert len(content) <= 60 * 1024
    siti = t.auth(tokens["siti"])

    def upload(name: str, body: bytes) -> httpx.Response:
        files = {"file": (name, body)}
        return gateway.post("/api/clients/imports", files=files, headers=siti, timeout=30)

    # The route's own first-use costs are paid by a small refused file, not counted below.
    assert upload("catatan.txt", b"bukan sheet").status_code == 422
    _refused_in_time_and_memory("client-api", lambda: upload("absensi-workshop.xlsx", content))


def test_a_bomb_sent_to_the_attendance_import_is_refused_quickly_and_cheaply(
    gateway: httpx.Client, tokens: dict[str, str]
) -> None:
    programme = t.programme(gateway, tokens["admin"], audience="clients")
    session = t.session(gateway, tokens["siti"], programme)
    siti = t.auth(tokens["siti"])

    def upload(name: str, body: bytes) -> httpx.Response:
        return gateway.post(
            f"/api/training/sessions/{session}/attendance/imports",
            files={"file": (name, body)},
            headers=siti,
            timeout=30,
        )

    content = BOMBS["gigabyte"]()
    assert upload("catatan.txt", b"bukan sheet").status_code == 422
    _refused_in_time_and_memory("training-api", lambda: upload("absensi.xlsx", content))
    view = gateway.get(f"/api/training/sessions/{session}", headers=siti)
    assert view.status_code == 200 and view.json()["participants"] == []  # nothing applied
