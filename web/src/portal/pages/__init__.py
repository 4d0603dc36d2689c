"""The portal's pages, a module per area; what they all depend on (the officer's session,
CSRF, calling the APIs) is `portal.dependencies`.

`ROUTERS` is the order the app mounts them in, and the order matters: Starlette takes the
first route that matches, so a literal path must come before a parameter in the same place
(`/partners/new` before `/partners/{code}`, `/clients/imports` and `/clients/new` before
`/clients/{client_id}`, `/training/mine` before `/training/{session_id}`).
"""

from __future__ import annotations

from fastapi import APIRouter

from portal.pages import (
    bell,
    breaches,
    cases,
    clients,
    dashboard,
    imports,
    inbox,
    login,
    partner_admin,
    privacy,
    province,
    referrals,
    registration,
    supervision,
    training,
    training_records,
)

ROUTERS: tuple[APIRouter, ...] = (
    partner_admin.router,
    imports.router,
    login.router,
    dashboard.router,
    registration.router,
    clients.router,
    referrals.router,
    training.router,
    training_records.router,
    supervision.router,
    province.router,
    bell.router,
    privacy.router,
    cases.router,
    breaches.router,
    inbox.router,
)
