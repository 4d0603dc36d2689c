"""The shares of accounts in the client's own name at 30 days and in use at 90, by sex and area:
counted in the month of the follow-up's day once that day has come, never on a small count."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from indicators_fakes import FakeIndicatorsUow, bus_over
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ClauseElement

from indicators.adapters.read_model import AnsweredFollowUp, ReadModelWriter
from indicators.adapters.repository import ReadModel
from indicators.domain.follow_ups import FollowUpRow, account_shares
from indicators.domain.report import build
from indicators.entrypoints.api import CSV_FIELDS
from indicators.service_layer import projections, queries
from indicators.service_layer.commands import MonthIndicators
from indicators.service_layer.projections import REACTIONS
from indicators.service_layer.queries import IN_OWN_NAME, IN_USE, flatten, with_follow_ups
from shared.contracts import client as client_contracts

MIN_CELL = 5
PERIOD = "2027-03"
DUE = date(2027, 3, 6)
AFTER = date(2027, 3, 31)


def _30(
    region: str, sex: str, *, own: int = 0, not_own: int = 0, unasked: int = 0, due: date = DUE
) -> list[FollowUpRow]:
    """30-day follow-ups: in the client's own name, not, and not asked."""
    return (
        [FollowUpRow(region, sex, 30, due, True, True)] * own
        + [FollowUpRow(region, sex, 30, due, False, True)] * not_own
        + [FollowUpRow(region, sex, 30, due, None, True)] * unasked
    )


def _90(
    region: str, sex: str, *, used: int = 0, unused: int = 0, due: date = DUE
) -> list[FollowUpRow]:
    return [FollowUpRow(region, sex, 90, due, None, True)] * used + [
        FollowUpRow(region, sex, 90, due, None, False)
    ] * unused


def test_the_shares_are_yes_over_the_answers_of_each_sex() -> None:
    rows = _30("3273", "F", own=8, not_own=2, unasked=30) + _90("3273", "F", used=5, unused=10)
    rows += _30("3273", "M", own=5, not_own=2) + _90("3273", "M", used=12, unused=0)

    shares = account_shares(rows, PERIOD, AFTER, "32", MIN_CELL)

    assert shares.in_own_name_at_30_days.total == {"F": 0.8, "M": round(5 / 7, 4)}
    assert shares.in_use_at_90_days.total == {"F": round(5 / 15, 4), "M": 1.0}
    assert shares.in_own_name_at_30_days.areas == {"3273": {"F": 0.8, "M": 0.7143}}


def test_a_share_on_fewer_than_five_yes_or_answers_is_withheld() -> None:
    rows = (
        _30("3273", "F", own=4, not_own=20)  # 4 in own name: withheld
        + _30("3273", "M", own=4)  # 4 answers: withheld
        + _30("3204", "F", own=5, not_own=5)  # 5 of 10: printed
        + _90("3204", "F", used=0, unused=9)  # none in use: withheld
        + _90("3204", "M", used=5, unused=1)
    )

    shares = account_shares(rows, PERIOD, AFTER, "32", MIN_CELL)

    own_name, in_use = shares.in_own_name_at_30_days, shares.in_use_at_90_days
    assert own_name.areas["3273"] == {"F": None, "M": None}
    assert own_name.areas["3204"] == {"F": 0.5, "M": None}
    assert own_name.total == {"F": round(9 / 34, 4), "M": None}
    assert in_use.of_area("3204") == {"F": None, "M": round(5 / 6, 4)}
    assert in_use.of_area("3273") == {"F": None, "M": None}


def test_the_figures_do_not_mix_their_follow_ups() -> None:
    # An unasked 30-day question counts nowhere; a 30-day answer of "in use" is not a 90-day one.
    rows = _30("3273", "F", unasked=50) + [FollowUpRow("3273", "F", 90, DUE, True, True)] * 3

    shares = account_shares(rows, PERIOD, AFTER, "32", MIN_CELL)

    assert shares.in_own_name_at_30_days.total == {"F": None, "M": None}
    assert shares.in_own_name_at_30_days.areas == {}
    assert shares.in_use_at_90_days.total == {"F": None, "M": None}


def test_nationally_the_areas_are_provinces_and_regencies_add_up() -> None:
    rows = _90("3273", "F", used=3) + _90("3204", "F", used=3, unused=2) + _90("5171", "F", used=1)

    shares = account_shares(rows, PERIOD, AFTER, "", MIN_CELL).in_use_at_90_days

    assert set(shares.areas) == {"32", "51"}
    assert shares.areas["32"]["F"] == 0.75
    assert shares.areas["51"]["F"] is None
    assert shares.total["F"] == round(7 / 9, 4)


def test_a_regency_is_its_own_one_area() -> None:
    shares = account_shares(_90("3273", "M", used=6), PERIOD, AFTER, "3273", MIN_CELL)

    assert shares.in_use_at_90_days.areas == {"3273": {"F": None, "M": 1.0}}


def test_every_row_lists_f_and_m_and_then_any_other_sex_the_data_holds() -> None:
    rows = _90("3273", "X", used=5, unused=5) + _90("3273", "F", used=1)

    shares = account_shares(rows, PERIOD, AFTER, "32", MIN_CELL).in_use_at_90_days

    assert list(shares.total) == ["F", "M", "X"]
    assert shares.total == {"F": None, "M": None, "X": 0.5}
    assert list(shares.of_area("3204")) == ["F", "M", "X"]


def test_a_follow_up_counts_once_its_day_has_come() -> None:
    rows = _90("3273", "F", used=5, unused=5, due=date(2027, 3, 6))
    rows += _90("3273", "F", used=5, due=date(2027, 3, 20))  # answered early

    def in_use(today: date) -> float | None:
        return account_shares(rows, PERIOD, today, "32", MIN_CELL).in_use_at_90_days.total["F"]

    assert in_use(date(2027, 3, 5)) is None
    assert in_use(date(2027, 3, 6)) == 0.5
    assert in_use(date(2027, 3, 19)) == 0.5
    assert in_use(date(2027, 3, 20)) == round(10 / 15, 4)
    assert in_use(date(2027, 5, 1)) == round(10 / 15, 4)


def test_a_follow_up_counts_in_the_month_of_its_day_not_of_its_answer() -> None:
    rows = _30("3273", "F", own=5, due=date(2027, 4, 1)) + _30("3273", "F", own=6, due=DUE)

    def total(period: str) -> float | None:
        shares = account_shares(rows, period, date(2027, 6, 1), "32", MIN_CELL)
        return shares.in_own_name_at_30_days.total["F"]

    assert total("2027-03") == 1.0
    assert total("2027-04") == 1.0
    assert total("2027-02") is None


def test_every_row_of_the_answer_gets_both_figures_and_an_area_without_any_none() -> None:
    published: dict[str, Any] = {
        "total": {"region_code": "32"},
        "areas": [{"region_code": "3204"}, {"region_code": "3273"}],
    }
    rows = _30("3273", "F", own=9, not_own=1) + _90("3273", "M", used=5, unused=5)

    answer = with_follow_ups(published, account_shares(rows, PERIOD, AFTER, "32", MIN_CELL))

    assert answer["total"][IN_OWN_NAME] == {"F": 0.9, "M": None}
    assert answer["total"][IN_USE] == {"F": None, "M": 0.5}
    assert answer["areas"][0][IN_OWN_NAME] == {"F": None, "M": None}
    assert answer["areas"][0][IN_USE] == {"F": None, "M": None}
    assert answer["areas"][1][IN_USE] == {"F": None, "M": 0.5}


def test_the_csv_prints_the_shares_by_sex_and_withholds_the_small_ones() -> None:
    published = build(PERIOD, "32", [], [], [], MIN_CELL)
    rows = _30("3273", "F", own=9, not_own=1)
    answer = with_follow_ups(published, account_shares(rows, PERIOD, AFTER, "32", MIN_CELL))

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    writer.writerows(flatten(answer))
    lines = {r["indicator"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}

    assert lines[f"{IN_OWN_NAME}.F"]["value"] == "0.9"
    assert lines[f"{IN_OWN_NAME}.F"]["suppressed"] == "False"
    assert lines[f"{IN_OWN_NAME}.M"] == {
        "period": PERIOD,
        "region_code": "32",
        "level": "province",
        "indicator": f"{IN_OWN_NAME}.M",
        "value": "",
        "suppressed": "True",
    }
    assert f"{IN_USE}.F" in lines


class _Figures:
    """A read model whose month holds only `rows`; notes the day each query asked for."""

    def __init__(self, rows: list[FollowUpRow]) -> None:
        self.rows = rows
        self.asked: list[date] = []

    async def clients(self, month: str, within: str) -> list[Any]:
        return []

    referrals = trainings = erasures = clients

    async def follow_ups(self, month: str, within: str, today: date) -> list[FollowUpRow]:
        self.asked.append(today)
        return [r for r in self.rows if r.due_on <= today]


async def test_the_query_counts_up_to_the_day_asked_and_by_default_today_in_jakarta() -> None:
    uow = FakeIndicatorsUow()
    figures = _Figures(_90("3273", "F", used=5, due=date(2027, 3, 20)))
    uow.figures = figures
    bus = bus_over(uow, now=datetime(2027, 3, 20, 1, 0, tzinfo=UTC))

    early = await bus.handle(MonthIndicators(PERIOD, "32", today=date(2027, 3, 19)))
    due = await bus.handle(MonthIndicators(PERIOD, "32", today=date(2027, 3, 20)))
    by_clock = await bus.handle(MonthIndicators(PERIOD, "32"))

    assert early["total"][IN_USE] == {"F": None, "M": None}
    assert due["total"][IN_USE] == {"F": 1.0, "M": None}
    assert by_clock == due
    assert figures.asked == [date(2027, 3, 19), date(2027, 3, 20), date(2027, 3, 20)]


def test_today_is_the_date_in_jakarta() -> None:
    evening_utc = datetime(2027, 3, 5, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 6th
    assert queries.national_today(evening_utc) == date(2027, 3, 6)
    assert queries.national_today(evening_utc - timedelta(hours=1)) == date(2027, 3, 5)


class _Recorder:
    def __init__(self) -> None:
        self.statements: list[str] = []

    async def execute(self, statement: ClauseElement) -> list[Any]:
        dialect: Any = postgresql.dialect
        compiled = statement.compile(dialect=dialect(), compile_kwargs={"literal_binds": True})
        self.statements.append(" ".join(str(compiled).split()))
        return []


def test_an_answer_is_counted_from_client_events() -> None:
    assert REACTIONS[client_contracts.FollowUpAnswered] is projections.count_follow_up_answer
    assert client_contracts.FollowUpAnswered.TOPIC == client_contracts.TOPIC


async def test_an_answer_is_kept_in_the_month_of_its_day_and_a_later_one_replaces_it() -> None:
    recorder = _Recorder()
    session: Any = recorder
    task = uuid4()
    answered = AnsweredFollowUp(
        task_id=task,
        client_id=uuid4(),
        region_code="3273",
        days=90,
        due_on=date(2027, 3, 6),
        month="2027-03",
        account_in_own_name=True,
        account_in_use=False,
        answered_at=datetime(2027, 3, 8, 2, 15, tzinfo=UTC),
    )

    await ReadModelWriter(session).keep_follow_up(answered)

    (sql,) = recorder.statements
    inserted, replaced = sql.split(" ON CONFLICT (task_id) DO UPDATE SET ")
    assert "INSERT INTO follow_ups" in inserted
    assert f"'{task}'" in inserted
    assert "task_id" not in replaced
    for answer in ("account_in_own_name = true", "account_in_use = false", "month = '2027-03'"):
        assert answer in replaced


async def test_only_follow_ups_of_counted_clients_due_by_today_are_read() -> None:
    recorder = _Recorder()
    session: Any = recorder

    assert await ReadModel(session).follow_ups(PERIOD, "32", date(2027, 3, 19)) == []

    (sql,) = recorder.statements
    assert "FROM follow_ups JOIN clients ON clients.client_id = follow_ups.client_id" in sql
    assert "follow_ups.month = '2027-03'" in sql
    assert "follow_ups.due_on <= '2027-03-19'" in sql
