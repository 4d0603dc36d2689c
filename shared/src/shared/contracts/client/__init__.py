"""Events published by the client service on `client.events` (key: the client id).

An internal topic. Since v2 a person's values (name, birth date, sex, disability, contact,
business) travel only inside `sealed`, encrypted under that client's own data key, which the
client service destroys when the client is erased (shared.sealing, decision 0015); the
v1 types, which carried them in clear, are no longer published. A NIK never travels.

One module per family of events (registration, consents, cases, rights, breaches); this
package is the public contract module, so every type is read as `client_contracts.<Name>`.
"""

from __future__ import annotations

from shared.contracts import Contract
from shared.contracts.client.breaches import (
    BreachCategory,
    BreachDataKind,
    BreachEscalated,
    BreachNoticeApproved,
)
from shared.contracts.client.cases import (
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    CaseReopened,
    FollowUpAnswered,
    TaskDue,
)
from shared.contracts.client.consents import ConsentGranted, ConsentWithdrawn
from shared.contracts.client.registration import (
    BusinessInfo,
    ClientMerged,
    ClientRegistered,
    ClientRegisteredV2,
    ClientUpdated,
    ClientUpdatedV2,
    Contact,
    DuplicateSuspected,
    RegisteredPersonal,
    UpdatedPersonal,
)
from shared.contracts.client.rights import ClientErased, ClientRestricted
from shared.contracts.client.topic import SOURCE, TOPIC

PUBLISHED: list[type[Contract]] = [
    ClientRegisteredV2,
    ClientUpdatedV2,
    ConsentGranted,
    ConsentWithdrawn,
    CaseOpened,
    CaseAssigned,
    CaseClosed,
    CaseReopened,
    DuplicateSuspected,
    ClientMerged,
    TaskDue,
    FollowUpAnswered,
    ClientErased,
    ClientRestricted,
    BreachNoticeApproved,
    BreachEscalated,
]
# Published until 2026-12-07, with the person's values in clear: still read by the consumers
# (their records stay on the topic for its retention), never written again.
RETIRED: list[type[Contract]] = [ClientRegistered, ClientUpdated]

__all__ = [
    "PUBLISHED",
    "RETIRED",
    "SOURCE",
    "TOPIC",
    "BreachCategory",
    "BreachDataKind",
    "BreachEscalated",
    "BreachNoticeApproved",
    "BusinessInfo",
    "CaseAssigned",
    "CaseClosed",
    "CaseOpened",
    "CaseReopened",
    "ClientErased",
    "ClientMerged",
    "ClientRegistered",
    "ClientRegisteredV2",
    "ClientRestricted",
    "ClientUpdated",
    "ClientUpdatedV2",
    "ConsentGranted",
    "ConsentWithdrawn",
    "Contact",
    "DuplicateSuspected",
    "FollowUpAnswered",
    "RegisteredPersonal",
    "TaskDue",
    "UpdatedPersonal",
]
