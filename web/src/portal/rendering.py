"""Pages in the officer's language: the `lang` cookie (Bahasa Indonesia unless English was
chosen), its translator and formats, and the values every template may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from portal import words
from portal.i18n import DEFAULT, LANGUAGES, Formats, plural_translator, translator


def language_of(request: Request) -> str:
    chosen = request.cookies.get("lang", DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: dict[str, Any] | None = None,
    csrf_token: str | None = None,
) -> HTMLResponse:
    language = language_of(request)
    values = {
        "_": translator(language),
        "ngettext": plural_translator(language),
        "fmt": Formats(language, (user or {}).get("region")),
        "language": language,
        "user": user,
        "csrf_token": csrf_token,
        "path": request.url.path,
        "words": words,
    } | (context or {})
    templates: Jinja2Templates = request.app.state.portal.templates
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def translator_for(request: Request) -> Callable[..., str]:
    return translator(language_of(request))


def plural_translator_for(request: Request) -> Callable[..., str]:
    return plural_translator(language_of(request))
