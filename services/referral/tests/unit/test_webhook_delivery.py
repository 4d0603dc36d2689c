"""Webhook deliveries to partners (decision 0021): retries with backoff, the dead letter, one
lane per partner, and where a callback URL may point. Fakes stand for HTTP and the database."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from uuid import uuid4

import pytest

from referral.domain.webhooks import (
    Answer,
    Delivery,
    RetryPolicy,
    callback_url_problem,
    endpoint_path,
)
from referral.service_layer.webhooks import Lanes, Outcome, deliver

POLICY = RetryPolicy(attempts=4, first_pause_s=1.0, max_pause_s=60.0)


def _delivery(partner: str = "bank-nusantara", offset: int = 0) -> Delivery:
    return Delivery(
        partner_code=partner,
        url="https://hooks.example.id/jembatan",
        event_id=uuid4(),
        event_type="jembatan.partner.referral.offered.v2",
        body=b'{"id":"x"}',
        topic=f"partner.{partner}.referrals",
        partition=0,
        offset=offset,
    )


class ScriptedSender:
    """Answers from a script, then 200; records what was sent."""

    def __init__(self, answers: Iterable[Answer] = ()) -> None:
        self.answers = list(answers)
        self.sent: list[Delivery] = []

    async def send(self, delivery: Delivery) -> Answer:
        self.sent.append(delivery)
        return self.answers.pop(0) if self.answers else Answer(200)


class FakeDeadLetters:
    def __init__(self, fail_times: int = 0) -> None:
        self.parked: list[tuple[Delivery, int, str]] = []
        self.fail_times = fail_times

    async def park(self, delivery: Delivery, attempts: int, reason: str) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("database away")
        self.parked.append((delivery, attempts, reason))


class Pauses:
    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


async def test_three_500s_then_the_fourth_try_delivers() -> None:
    sender = ScriptedSender([Answer(500)] * 3)
    dead, pauses = FakeDeadLetters(), Pauses()
    outcome = await deliver(_delivery(), sender, dead, POLICY, pauses)
    assert outcome == Outcome(delivered=True, attempts=4)
    assert len(sender.sent) == 4 and dead.parked == []
    assert pauses.taken == [1.0, 2.0, 4.0]
    assert len({d.event_id for d in sender.sent}) == 1  # one X-EXTERNAL-ID on every attempt


async def test_after_the_last_attempt_it_is_dead_lettered_with_the_reason() -> None:
    sender = ScriptedSender([Answer(503)] * 10)
    dead, pauses = FakeDeadLetters(), Pauses()
    delivery = _delivery()
    outcome = await deliver(delivery, sender, dead, POLICY, pauses)
    assert outcome == Outcome(delivered=False, attempts=4, reason="http_503")
    assert dead.parked == [(delivery, 4, "http_503")]
    assert pauses.taken == [1.0, 2.0, 4.0]  # no pause after the last attempt


async def test_a_refusal_no_retry_changes_is_parked_at_once() -> None:
    sender = ScriptedSender([Answer(401)])
    dead = FakeDeadLetters()
    outcome = await deliver(_delivery(), sender, dead, POLICY, Pauses())
    assert outcome == Outcome(delivered=False, attempts=1, reason="http_401")
    assert len(dead.parked) == 1


@pytest.mark.parametrize("answer", [Answer(429), Answer(408), Answer(None, "ConnectTimeout")])
async def test_not_now_answers_are_retried(answer: Answer) -> None:
    sender = ScriptedSender([answer])
    outcome = await deliver(_delivery(), sender, FakeDeadLetters(), POLICY, Pauses())
    assert outcome == Outcome(delivered=True, attempts=2)


async def test_a_dead_letter_that_cannot_be_written_raises() -> None:
    sender = ScriptedSender([Answer(400)])
    with pytest.raises(ConnectionError):
        await deliver(_delivery(), sender, FakeDeadLetters(fail_times=1), POLICY, Pauses())


async def test_a_record_that_cannot_be_sent_is_parked_without_a_try() -> None:
    sender, dead = ScriptedSender(), FakeDeadLetters()
    broken = dataclasses.replace(_delivery(), problem="undecodable_KeyError")
    outcome = await deliver(broken, sender, dead, POLICY, Pauses())
    assert outcome == Outcome(delivered=False, attempts=0, reason="undecodable_KeyError")
    assert sender.sent == [] and dead.parked == [(broken, 0, "undecodable_KeyError")]


def test_the_pauses_double_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=10, first_pause_s=1.0, max_pause_s=10.0)
    assert [policy.pause_after(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    with pytest.raises(ValueError, match="one attempt"):
        RetryPolicy(attempts=0)


def test_unreachable_reasons_name_the_error_only() -> None:
    assert Answer(None, "ConnectError").reason == "unreachable_ConnectError"
    assert Answer(500).reason == "http_500"
    assert Answer(204).ok and not Answer(302).ok and not Answer(302).final


async def test_one_partner_down_does_not_hold_back_another() -> None:
    """Bank Nusantara's endpoint answers 500 and its lane waits in a pause that does not end
    during the test; Dompet Rakyat's deliveries all go through meanwhile."""
    release = asyncio.Event()

    class PerPartner:
        def __init__(self) -> None:
            self.sent: list[Delivery] = []

        async def send(self, delivery: Delivery) -> Answer:
            self.sent.append(delivery)
            return Answer(500) if delivery.partner_code == "bank-nusantara" else Answer(200)

    async def slow_sleep(seconds: float) -> None:
        await release.wait()

    sender, dead = PerPartner(), FakeDeadLetters()
    finished: list[tuple[str, int, bool]] = []

    async def done(delivery: Delivery, outcome: Outcome) -> None:
        finished.append((delivery.partner_code, delivery.offset, outcome.delivered))

    lanes = Lanes(lambda d: deliver(d, sender, dead, POLICY, slow_sleep), done)
    lanes.put(_delivery("bank-nusantara", 0))
    for offset in range(3):
        lanes.put(_delivery("dompet-rakyat", offset))
    for _ in range(50):
        await asyncio.sleep(0)
    assert finished == [("dompet-rakyat", n, True) for n in range(3)]
    assert lanes.backlog("bank-nusantara") == 1 and lanes.backlog("dompet-rakyat") == 0
    release.set()
    await asyncio.wait_for(lanes.drain(), 1)
    assert finished[-1] == ("bank-nusantara", 0, False)
    assert [d.partner_code for d, _, _ in dead.parked] == ["bank-nusantara"]
    await lanes.close()


async def test_a_partners_deliveries_are_done_in_order() -> None:
    sender = ScriptedSender([Answer(500), Answer(500)])  # the first one needs three tries
    finished: list[int] = []

    async def done(delivery: Delivery, outcome: Outcome) -> None:
        finished.append(delivery.offset)

    lanes = Lanes(lambda d: deliver(d, sender, FakeDeadLetters(), POLICY, Pauses()), done)
    for offset in range(4):
        lanes.put(_delivery(offset=offset))
    await asyncio.wait_for(lanes.drain(), 1)
    assert finished == [0, 1, 2, 3]
    assert [d.offset for d in sender.sent] == [0, 0, 0, 1, 2, 3]
    await lanes.close()


async def test_a_delivery_is_never_skipped_while_the_dead_letter_cannot_be_written() -> None:
    sender = ScriptedSender([Answer(400), Answer(400), Answer(400)])
    dead, pauses = FakeDeadLetters(fail_times=2), Pauses()
    finished: list[Outcome] = []

    async def done(delivery: Delivery, outcome: Outcome) -> None:
        finished.append(outcome)

    lanes = Lanes(lambda d: deliver(d, sender, dead, POLICY, pauses), done, sleep=pauses)
    lanes.put(_delivery())
    await asyncio.wait_for(lanes.drain(), 1)
    assert finished == [Outcome(delivered=False, attempts=1, reason="http_400")]
    assert len(dead.parked) == 1 and len(sender.sent) == 3
    assert pauses.taken == [5.0, 5.0]  # the outage pause, twice
    await lanes.close()


async def test_a_failed_commit_does_not_deliver_again() -> None:
    sender = ScriptedSender()

    async def done(delivery: Delivery, outcome: Outcome) -> None:
        raise RuntimeError("commit failed: rebalance")

    lanes = Lanes(lambda d: deliver(d, sender, FakeDeadLetters(), POLICY, Pauses()), done)
    lanes.put(_delivery())
    lanes.put(_delivery(offset=1))
    await asyncio.wait_for(lanes.drain(), 1)
    assert [d.offset for d in sender.sent] == [0, 1]
    await lanes.close()


async def test_deliveries_of_revoked_partitions_are_dropped_while_waiting() -> None:
    gate = asyncio.Event()

    class Gated:
        async def send(self, delivery: Delivery) -> Answer:
            await gate.wait()
            return Answer(200)

    finished: list[int] = []

    async def done(delivery: Delivery, outcome: Outcome) -> None:
        finished.append(delivery.offset)

    lanes = Lanes(lambda d: deliver(d, Gated(), FakeDeadLetters(), POLICY, Pauses()), done)
    for offset in range(3):
        lanes.put(_delivery(offset=offset))
    await asyncio.sleep(0)
    assert lanes.drop_waiting(lambda d: d.offset != 2) == 1
    gate.set()
    await asyncio.wait_for(lanes.drain(), 1)
    assert finished == [0, 1] and lanes.backlog("bank-nusantara") == 0
    await lanes.close()


@pytest.mark.parametrize(
    ("url", "dev", "problem"),
    [
        ("https://hooks.example.id/jembatan", False, None),
        ("https://hooks.example.id", False, None),
        ("http://127.0.0.1:8110/hooks/bank-nusantara", True, None),
        ("http://127.0.0.1:8110/hooks/bank-nusantara", False, "https"),
        ("http://hooks.example.id/jembatan", True, "https"),
        ("https://hooks.example.id/jembatan?token=1", False, "query"),
        ("https://hooks.example.id/jembatan#x", False, "fragment"),
        ("https://user:pw@hooks.example.id/", False, "credentials"),
        ("https://10.0.0.7/hook", False, "private"),
        ("https://169.254.169.254/latest", False, "private"),
        ("https://localhost/hook", False, "private"),
        ("https://[::1]/hook", False, "private"),
        ("ftp://hooks.example.id/", False, "https"),
        ("https:///nohost", False, "host"),
        ("https://hooks.example.id:99999/", False, "not a URL"),
        ("https://hooks.example.id/a b", False, "spaces"),
    ],
)
def test_where_a_callback_url_may_point(url: str, dev: bool, problem: str | None) -> None:
    found = callback_url_problem(url, dev=dev)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_the_signed_path_is_the_urls_path() -> None:
    assert endpoint_path("https://hooks.example.id/a/b") == "/a/b"
    assert endpoint_path("https://hooks.example.id") == "/"
