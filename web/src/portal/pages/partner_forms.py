"""The catalogue administration's forms, read into what the referral service's catalogue
takes: a partner with its licence, products with their conditions, fee sheets as lines of
`name: amount`; and the catalogue's refusals as messages beside the fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request

from portal.forms import whole_number
from portal.gateway import Answer

LICENCE_STATES = ("active", "suspended", "revoked")
PRODUCT_KINDS = ("savings", "payroll", "credit", "ewallet", "qris")
CLIENT_KINDS = ("worker", "business")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
PARTNER_TEXTS = ("code", "name", "kind", "regulator", "licence_type", "licence_number")
PRODUCT_TEXTS = ("product_code", "product_name", "product_kind", "min_age")
SHEET_TEXTS = ("version", "fees", "limits", "interest_tier")


def lines_hint(_: Callable[..., str]) -> str:
    return _("One per line, as name: amount in whole Rupiah, e.g. opening: 0.")


def amounts(text: str) -> dict[str, int] | None:
    """Lines of `name: amount` (whole rupiah, dots allowed), or None when one is unreadable."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, amount = line.partition(":") if ":" in line else line.partition("=")
        rupiah = whole_number(amount.strip())
        if not sep or not _NAME.match(name.strip()) or rupiah is None:
            return None
        found[name.strip()] = rupiah
    return found


def fee_sheet(values: dict[str, Any], errors: dict[str, str], _: Any) -> dict[str, Any]:
    """A fee sheet from the form; what cannot be read is added to `errors`."""
    if not values["version"]:
        errors["version"] = _("Please fill this in.")
    fees, limits = amounts(values["fees"]), amounts(values["limits"])
    lines = lines_hint(_)
    if fees is None or not fees:
        errors["fees"] = lines
    if limits is None:
        errors["limits"] = lines
    sheet: dict[str, Any] = {
        "version": values["version"],
        "fees": fees or {},
        "limits": limits or {},
    }
    if values["interest_tier"]:
        sheet["interest_tier"] = values["interest_tier"]
    return sheet


def product_entry(values: dict[str, Any], errors: dict[str, str], _: Any) -> dict[str, Any]:
    if not CODE.match(values["product_code"]):
        errors["product_code"] = _("Lowercase letters, digits and dashes, e.g. kur-mikro.")
    if not values["product_name"]:
        errors["product_name"] = _("Please fill this in.")
    if values["product_kind"] not in PRODUCT_KINDS:
        errors["product_kind"] = _("Choose one.")
    rules: list[dict[str, Any]] = []
    if not values["client_kinds"]:
        errors["client_kinds"] = _("Choose at least one.")
    else:
        rules.append({"kind": "client_kind", "value": values["client_kinds"]})
    if values["min_age"]:
        if values["min_age"].isdigit():
            rules.append({"kind": "min_age", "value": int(values["min_age"])})
        else:
            errors["min_age"] = _("Please write a whole number.")
    if values["nib_required"]:
        rules.append({"kind": "nib_required"})
    return {
        "code": values["product_code"],
        "name": values["product_name"],
        "kind": values["product_kind"],
        "fee_sheet": fee_sheet(values, errors, _),
        "rules": rules,
    }


async def read_form(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in names}
    values["client_kinds"] = [str(k) for k in form.getlist("client_kinds") if k in CLIENT_KINDS]
    values["nib_required"] = form.get("nib_required") == "on"
    return values


def catalogue_entry(partner: dict[str, Any]) -> dict[str, Any]:
    """A partner as the catalogue answers it, in the shape it takes back."""
    keep = ("code", "name", "kind", "fee_sheet", "rules")
    return {k: v for k, v in partner.items() if k != "code"} | {
        "products": [{k: v for k, v in p.items() if k in keep} for p in partner["products"]]
    }


def refusals(answer: Answer, _: Any) -> dict[str, str]:
    """The catalogue's refusals beside the form's fields."""
    fields = {
        "version": _(
            "This version names the current fee sheet, whose terms differ: give a new one."
        ),
        "fees": lines_hint(_),
        "limits": lines_hint(_),
        "code": _("Lowercase letters, digits and dashes, e.g. kur-mikro."),
        "rules": _("Please check the conditions."),
    }
    named = set()
    for field in answer.errors:
        parts = field.split(".")
        name = next((p for p in reversed(parts) if p in fields), parts[-1])
        named.add("product_code" if name == "code" and "products" in parts else name)
    messages = {n: fields.get(n, _("Please check this.")) for n in named}
    if "product_code" in messages:
        messages["product_code"] = fields["code"]
    return messages or {"form": _("The catalogue could not be saved.")}


def onboarding_message(status: int, _: Callable[..., str]) -> str:
    if status == 503:
        return _(
            "The partner is saved but not set up: Keycloak or Kafka did not answer. "
            "Complete the set-up below."
        )
    return _("Partner added and set up: its Keycloak client and its topic exist.")
