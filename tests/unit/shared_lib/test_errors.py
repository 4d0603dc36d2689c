"""The shared errors become the very problem+json bodies the routes wrote by hand before."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared import errors, problems
from shared.problems import FieldError, install_handlers


def _answer(error: Exception) -> tuple[int, dict[str, object], str]:
    app = FastAPI()
    install_handlers(app)

    @app.get("/fail")
    async def fail() -> None:
        raise error

    answer = TestClient(app).get("/fail")
    return answer.status_code, answer.json(), answer.headers["content-type"]


def _same(error: Exception, problem: problems.Problem) -> None:
    status, body, media = _answer(error)
    assert (status, body) == (problem.status, problem.body())
    assert media == problems.MEDIA_TYPE


def test_not_found_names_the_kind_of_record() -> None:
    _same(errors.NotFound("session or client"), problems.NotFound("session or client"))
    _same(errors.NotFound(), problems.NotFound())


def test_an_invalid_field_is_a_422_naming_it() -> None:
    _same(
        errors.InvalidField("region_code", "lies outside your region"),
        problems.Invalid([FieldError("region_code", "lies outside your region")]),
    )


def test_several_invalid_fields_keep_their_order_and_detail() -> None:
    many = errors.InvalidField.of(
        [errors.FieldProblem("age", "is too low"), errors.FieldProblem("income", "is too high")],
        detail="The client is not eligible.",
    )
    _same(
        many,
        problems.Invalid(
            [FieldError("age", "is too low"), FieldError("income", "is too high")],
            "The client is not eligible.",
        ),
    )


def test_a_field_is_named_inside_its_line() -> None:
    moved = errors.InvalidField("post_score", "must be between 0 and 100").under("scores.2.")
    assert (moved.field, moved.message) == ("scores.2.post_score", "must be between 0 and 100")


def test_a_conflict_carries_its_reason_and_facts() -> None:
    _same(
        errors.Conflict("the session was cancelled", "session-cancelled"),
        problems.Conflict("the session was cancelled", "session-cancelled"),
    )
    _same(
        errors.Conflict("Cannot accept.", "illegal-transition", state="completed"),
        problems.Conflict("Cannot accept.", "illegal-transition", state="completed"),
    )


def test_a_refusal_is_a_409_with_its_reason() -> None:
    _same(
        errors.Refused("no-consent", "The client has not consented."),
        problems.Conflict("The client has not consented.", "no-consent"),
    )


def test_something_that_ended_is_gone() -> None:
    _same(
        errors.Gone("The referral ended or its consent was withdrawn."),
        problems.Gone("The referral ended or its consent was withdrawn."),
    )
