"""The message catalogues: which strings the portal shows (extracted from its code and
templates) and whether each language has every one of them.

    python -m portal.catalogues          # list what is missing or unused, per language
    python -m portal.catalogues --write  # add missing msgids (empty in `id`, the msgid in `en`)
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from portal.i18n import LANGUAGES

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def used() -> dict[str, str | tuple[str, str]]:
    """Every msgid in the portal's Python code and templates, by its singular: a message
    with plural forms as (singular, plural)."""
    root = str(resources.files("portal"))
    found = extract_from_dir(
        root, METHODS, keywords=KEYWORDS, options_map={"**.html": {"extensions": ""}}
    )
    return {
        (message if isinstance(message, str) else message[0]): (
            message if isinstance(message, str) else (message[0], message[1])
        )
        for _, _, message, *_ in found
    }


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def _id_of(catalogue: Catalog, singular: str) -> str | tuple[str, ...]:
    return next(
        m.id if isinstance(m.id, str) else tuple(m.id)
        for m in catalogue
        if (m.id if isinstance(m.id, str) else m.id[0]) == singular
    )


def path_of(language: str) -> Path:
    return (
        Path(str(resources.files("portal"))) / "locale" / language / "LC_MESSAGES" / "messages.po"
    )


def read(language: str) -> Catalog:
    with path_of(language).open("rb") as po:
        return read_po(po, locale=language)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    wanted = used()
    problems = 0
    for language in LANGUAGES:
        catalogue = read(language)
        have = {(m.id[0] if isinstance(m.id, tuple) else str(m.id)) for m in catalogue if m.id}
        missing, unused = sorted(wanted.keys() - have), sorted(have - wanted.keys())
        empty = sorted(
            str(m.id[0] if isinstance(m.id, tuple) else m.id)
            for m in catalogue
            if m.id and not _translated(m.string)
        )
        for msgid in missing:
            print(f"{language}: missing {msgid!r}")
        for msgid in unused:
            print(f"{language}: unused {msgid!r}")
        for msgid in empty:
            print(f"{language}: untranslated {msgid!r}")
        problems += len(missing) + len(unused) + len(empty)
        if args.write:
            for msgid in missing:
                message = wanted[msgid]
                if isinstance(message, tuple):
                    forms = message if language == "en" else ("",) * catalogue.num_plurals
                    catalogue.add(message, forms)
                else:
                    catalogue.add(message, message if language == "en" else "")
            for msgid in unused:
                catalogue.delete(_id_of(catalogue, msgid))
            with path_of(language).open("wb") as po:
                write_po(po, catalogue, width=100, omit_header=True, sort_output=True)
    sys.exit(1 if problems and not args.write else 0)


if __name__ == "__main__":
    main()
