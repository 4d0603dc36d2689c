"""Messages from Jinja2 templates, one file per language and kind under `notify/templates`.

A template's first line is the email subject ("Subject: ..."); the rest is the text sent by
SMS and WhatsApp and as the email's body.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import jinja2

from notify.domain import messages, sms

SUBJECT_PREFIX = "Subject: "
# Three dots, not "…": that one character would turn a whole SMS into UCS-2.
ELLIPSIS = "..."
# A clipped value that ends a sentence: "Mikro...." reads as a typo, "Mikro..." does not.
_ELLIPSIS_AND_FULL_STOP = re.compile(r"\.\.\.\.(?!\.)")


def clip(value: str, width: int) -> str:
    """`value` in at most `width` septets, ending in "..." only when something had to go.

    Septets, not characters, so that a clipped value keeps its room in the SMS even when it is
    full of two-septet characters such as "[" or "€". The cut falls between words when a word
    boundary lies in the second half, so a title does not stop mid-word.
    """
    if width <= len(ELLIPSIS):
        raise ValueError(f"cannot clip to {width}: the ellipsis alone takes {len(ELLIPSIS)}")
    if sms.septets(value) <= width:
        return value
    room = width - len(ELLIPSIS)
    kept: list[str] = []
    for char in value:
        room -= sms.septets(char)
        if room < 0:
            break
        kept.append(char)
    head = "".join(kept)
    space = head.rfind(" ")
    if space >= len(head) // 2:
        head = head[:space]
    return head.rstrip(" ,.;:-/&(") + ELLIPSIS


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("notify", "templates"),
        undefined=jinja2.StrictUndefined,
        # The .txt templates are plain text and never escaped; only an .html one would be.
        autoescape=jinja2.select_autoescape(),
        trim_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["clip"] = clip
    return env


def template_name(kind: str, language: str) -> str:
    return f"{language}/{kind}.txt"


def render(kind: str, language: str, context: Mapping[str, str]) -> messages.Rendered:
    """The message of `kind` in `language` (Indonesian when there is none in it).

    Raises UnknownKind, InvalidContext, PersonalDataInMessage, or MessageTooLong when a
    template lets the text outgrow the kind's parts.
    """
    spec = messages.kind_named(kind)
    language = messages.language_or_default(language)
    # One line of GSM-7 per value: a pasted newline cannot break the subject line, and a stray
    # curly quote cannot switch the SMS to UCS-2 and so cut its room by more than half.
    values = {name: " ".join(sms.to_gsm7(value).split()) for name, value in context.items()}
    messages.check_context(spec, values)
    first_line, _, body = (
        environment().get_template(template_name(kind, language)).render(values).partition("\n")
    )
    if not first_line.startswith(SUBJECT_PREFIX):
        raise jinja2.TemplateError(f"{template_name(kind, language)} starts with no subject")
    subject = first_line.removeprefix(SUBJECT_PREFIX).strip()
    text = _ELLIPSIS_AND_FULL_STOP.sub(ELLIPSIS, body.strip())
    messages.refuse_personal_data(f"{subject}\n{text}")
    length = sms.sms_length(text)
    if length.segments > spec.max_segments:
        raise messages.MessageTooLong(
            f"{kind} in {language} takes {length.segments} parts ({length.units} {length.encoding}"
            f" units), {spec.max_segments} at most"
        )
    return messages.Rendered(kind, language, subject, text, length)
