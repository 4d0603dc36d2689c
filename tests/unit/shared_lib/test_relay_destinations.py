"""How the relay tells a destination's refusal from a fault of the whole cluster."""

from __future__ import annotations

from kafka import errors

from shared.messaging.destinations import Destinations, refused_for_good


def test_the_cluster_is_asked_once_while_its_answer_is_fresh_and_again_after_forget() -> None:
    asked: list[int] = []
    topics = {"partner.bank-nusantara.referrals"}

    def list_topics() -> set[str]:
        asked.append(1)
        return topics

    destinations = Destinations(list_topics, fresh_for_s=60)
    wanted = {"partner.bank-nusantara.referrals", "partner.bank-baru.referrals"}
    assert destinations.missing(wanted) == {"partner.bank-baru.referrals"}
    topics.add("partner.bank-baru.referrals")
    assert destinations.missing(wanted) == {"partner.bank-baru.referrals"}  # still fresh
    assert len(asked) == 1
    destinations.forget()
    assert destinations.missing(wanted) == set()
    assert len(asked) == 2


def test_a_topic_deleted_is_seen_once_the_answer_is_stale() -> None:
    topics = {"a", "b"}
    destinations = Destinations(lambda: set(topics), fresh_for_s=0)
    assert destinations.missing({"a", "b"}) == set()
    topics.discard("b")
    assert destinations.missing({"a", "b"}) == {"b"}


def test_refusals_of_a_destination_are_told_from_faults_of_the_cluster() -> None:
    assert refused_for_good(errors.TopicAuthorizationFailedError("partner.x.referrals"))
    assert refused_for_good(errors.MessageSizeTooLargeError("too large"))
    assert not refused_for_good(errors.KafkaTimeoutError("metadata"))
    assert not refused_for_good(errors.KafkaConnectionError())
    assert not refused_for_good(errors.SaslAuthenticationFailedError())  # the service's own
    assert not refused_for_good(errors.NotLeaderForPartitionError())  # retriable
    assert not refused_for_good(ValueError("not Kafka's"))
