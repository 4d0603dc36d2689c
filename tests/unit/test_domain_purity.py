"""Every service's domain is plain Python, checked against every package there is.

The import-linter contract in pyproject.toml names the frameworks we use today; this test also
catches a dependency added tomorrow. A domain may import the standard library, its own package,
`shared.errors`, and phonenumbers (the numbering plan, pure data).
"""

from __future__ import annotations

import sys

import grimp
import pytest

SERVICES = ("client", "referral", "training", "notify", "indicators")
ALLOWED_THIRD_PARTY = {"phonenumbers"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*SERVICES, "shared", include_external_packages=True)


def _foreign_imports(graph: grimp.ImportGraph, service: str) -> list[str]:
    domain = f"{service}.domain"
    modules = {domain} | graph.find_descendants(domain)
    foreign = []
    for module in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(module):
            top = imported.split(".")[0]
            if top in sys.stdlib_module_names or top == service or top in ALLOWED_THIRD_PARTY:
                continue
            if imported == "shared.errors" or imported.startswith("shared.errors."):
                continue
            foreign.append(f"{module} -> {imported}")
    return foreign


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_imports_nothing_but_the_standard_library_and_shared_errors(
    graph: grimp.ImportGraph, service: str
) -> None:
    assert graph.find_descendants(f"{service}.domain"), "the domain package has modules"
    assert _foreign_imports(graph, service) == []


def test_the_check_sees_a_foreign_import(graph: grimp.ImportGraph) -> None:
    """The check itself can fail: an import of a framework into a domain is reported."""
    probe = "referral.domain.referral"
    graph.add_import(importer=probe, imported="sqlalchemy", line_number=1, line_contents="probe")
    try:
        assert f"{probe} -> sqlalchemy" in _foreign_imports(graph, "referral")
    finally:
        graph.remove_import(importer=probe, imported="sqlalchemy")
