"""The provider's webhooks: a signature over the time, the webhook's id and the body, good for
five minutes either way; and delivery reports that never move a message backwards."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from notify.domain.model import Report, after_report
from notify.domain.webhooks import Refused, SignedWebhook, verify
from notify.settings import NotifySettings

SECRET = b"current-webhook-secret"
PREVIOUS = b"previous-webhook-secret"
NOW = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)
BODY = b'{"message_id":"in_1","from":"+6281299990001","channel":"sms","text":"STOP"}'
WEBHOOK_ID = "wh_3f1c2b"


def _digest(secret: bytes, timestamp: int | str, webhook_id: str = WEBHOOK_ID) -> str:
    """Signed here by hand, not by the code under test, so a wrong scheme cannot agree with
    itself."""
    signed = f"{timestamp}.{webhook_id}.".encode() + BODY
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def _header(secret: bytes = SECRET, at: datetime = NOW, webhook_id: str = WEBHOOK_ID) -> str:
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, webhook_id)}"


def _refusal(header: str | None, webhook_id: str | None = WEBHOOK_ID, body: bytes = BODY) -> str:
    with pytest.raises(Refused) as refused:
        verify(header, webhook_id, body, [SECRET], NOW)
    return refused.value.reason


def test_a_webhook_signed_with_the_secret_is_accepted_with_its_id_and_time() -> None:
    assert verify(_header(), WEBHOOK_ID, BODY, [SECRET], NOW) == SignedWebhook(WEBHOOK_ID, NOW)


def test_a_webhook_signed_with_another_secret_is_refused() -> None:
    assert _refusal(_header(secret=b"someone-else-s-secret")) == "wrong_signature"


def test_a_changed_body_is_refused() -> None:
    assert _refusal(_header(), body=BODY.replace(b"STOP", b"stop")) == "wrong_signature"


def test_a_webhook_id_changed_to_pass_a_replay_off_as_new_is_refused() -> None:
    assert _refusal(_header(), webhook_id="wh_something_new") == "wrong_signature"


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(minutes=5)])
def test_a_signature_five_minutes_old_or_ahead_is_still_accepted(offset: timedelta) -> None:
    signed = verify(_header(at=NOW + offset), WEBHOOK_ID, BODY, [SECRET], NOW)
    assert signed.signed_at == NOW + offset


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(minutes=-5, seconds=-1),  # a captured webhook replayed later
        timedelta(hours=-3),
        timedelta(minutes=5, seconds=1),  # signed in the future: kept back to replay later
        timedelta(days=2),
    ],
)
def test_a_signature_more_than_five_minutes_old_or_ahead_is_refused(offset: timedelta) -> None:
    assert _refusal(_header(at=NOW + offset)) == "stale"


def test_a_timestamp_beyond_any_calendar_is_refused_not_an_error() -> None:
    assert _refusal(f"t=999999999999,v1={_digest(SECRET, 999999999999)}") == "stale"


@pytest.mark.parametrize(("header", "webhook_id"), [(None, WEBHOOK_ID), (_header(), None)])
def test_a_missing_signature_or_webhook_id_is_refused(
    header: str | None, webhook_id: str | None
) -> None:
    assert _refusal(header, webhook_id) == "missing"


TIMESTAMP = int(NOW.timestamp())
GOOD = _digest(SECRET, TIMESTAMP)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "sha256=" + hmac.new(SECRET, BODY, hashlib.sha256).hexdigest(),  # the old scheme
        f"v1={GOOD}",  # no time
        f"t={TIMESTAMP}",  # no signature
        f"t={TIMESTAMP},v1=",
        f"t={TIMESTAMP},v1={GOOD[:-1]}",
        f"t={TIMESTAMP},v1={GOOD.upper()}",
        f"t={TIMESTAMP},v1={GOOD}00",
        f"t=-{TIMESTAMP},v1={GOOD}",
        f"t={TIMESTAMP}.5,v1={GOOD}",
        f"t={TIMESTAMP},t={TIMESTAMP},v1={GOOD}",
        f"t={TIMESTAMP};v1={GOOD}",
        f"t={TIMESTAMP},v1={GOOD},",
        f"t={TIMESTAMP},V1={GOOD}",
        f"t={TIMESTAMP}," + ",".join([f"v1={GOOD}"] * 6),  # padding beyond any rotation
        f"t={TIMESTAMP},v1={GOOD},n={'0' * 1024}",  # longer than any honest header
    ],
)
def test_a_malformed_signature_header_is_refused(header: str) -> None:
    assert _refusal(header) == "malformed"


@pytest.mark.parametrize(
    "header",
    [
        f"t={TIMESTAMP},v1={GOOD}\xe9",  # a byte above 0x7F, as Latin-1 decodes it
        f"t={TIMESTAMP},v1={GOOD[:-1]}\u0661",  # an Arabic-Indic digit
        "t=\u0661\u0667\u0666\u0665\u0660\u0666\u0663\u0662\u0660\u0660," + f"v1={GOOD}",
        f"t={TIMESTAMP},v1={GOOD},n=caf\xe9",
    ],
)
def test_a_signature_header_with_a_non_ascii_character_is_refused(header: str) -> None:
    assert _refusal(header) == "malformed"


@pytest.mark.parametrize(
    "webhook_id", ["", "wh.1", "wh 1", "wh_\xe9", "wh_\u0661", "x" * 101, "wh_1\n"]
)
def test_a_malformed_webhook_id_is_refused(webhook_id: str) -> None:
    assert _refusal(_header(webhook_id=webhook_id), webhook_id) == "malformed"


def test_while_the_provider_rotates_its_secret_any_of_its_signatures_may_match() -> None:
    both = f"t={TIMESTAMP},v1={_digest(PREVIOUS, TIMESTAMP)},v1={GOOD}"
    assert verify(both, WEBHOOK_ID, BODY, [SECRET], NOW).webhook_id == WEBHOOK_ID


def test_while_notify_rotates_the_secret_the_previous_one_still_verifies() -> None:
    old = _header(secret=PREVIOUS)
    assert verify(old, WEBHOOK_ID, BODY, [SECRET, PREVIOUS], NOW).signed_at == NOW
    with pytest.raises(Refused):
        verify(old, WEBHOOK_ID, BODY, [SECRET], NOW)


def test_an_empty_webhook_secret_is_refused_and_an_empty_previous_one_means_none() -> None:
    with pytest.raises(ValidationError):
        NotifySettings(provider_webhook_secret="")  # an empty key: anyone could sign
    settings = NotifySettings(
        provider_webhook_secret="current", provider_webhook_previous_secret=""
    )
    assert settings.webhook_secrets() == (b"current",)


def test_a_scheme_notify_does_not_know_is_passed_over() -> None:
    header = f"t={TIMESTAMP},v0=abc,v2={'0' * 64},v1={GOOD}"
    assert verify(header, WEBHOOK_ID, BODY, [SECRET], NOW).webhook_id == WEBHOOK_ID


@pytest.mark.parametrize(
    ("status", "report", "after"),
    [
        ("sent", "delivered", "delivered"),
        ("sent", "failed", "failed"),
        ("delivered", "failed", None),  # a replayed or late failure never undoes a delivery
        ("delivered", "delivered", None),  # announced once
        ("failed", "delivered", "delivered"),  # the handset's receipt came after all
        ("failed", "failed", None),
        ("scheduled", "delivered", None),
        ("sending", "failed", None),
        ("suppressed", "delivered", None),
    ],
)
def test_a_delivery_report_never_moves_a_message_backwards(
    status: str, report: Report, after: str | None
) -> None:
    assert after_report(status, report) == after
