"""Settings of the portal (env prefix `PORTAL_`); defaults fit the local stack of `make up`."""

from __future__ import annotations

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Keycloak's realm file takes this value in development (infra/keycloak/run.sh).
_DEV_CLIENT_SECRET = "officer-portal-dev-secret"  # noqa: S105  (public, development only)


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", frozen=True)

    service_name: str = "portal"
    database_url: str = "postgresql+psycopg://portal:portal-dev@127.0.0.1:5432/portal"
    http_port: int = 8100
    # Where browsers reach the portal and Keycloak; Keycloak redirects back to `public_url`.
    public_url: str = "http://localhost:8100"
    oidc_public_base: str = "http://localhost:8180"
    # The portal's own calls to Keycloak (token, refresh) and to the APIs.
    oidc_internal_base: str = "http://localhost:8180"
    oidc_realm: str = "jembatan"
    client_id: str = "officer-portal"
    client_secret: SecretStr = SecretStr(_DEV_CLIENT_SECRET)
    gateway_url: str = "http://127.0.0.1:8080"
    # Encrypts the tokens kept in the session store.
    session_key: SecretStr = SecretStr("dev-only-portal-session-key")
    session_idle_minutes: int = 60
    # Browsers treat http://localhost as secure, so the cookie is `Secure` there too.
    cookie_secure: bool = True
    # Offices work in their own time zone; the portal shows times in it.
    default_time_zone: str = "Asia/Jakarta"

    @model_validator(mode="after")
    def _no_dev_client_secret_outside_dev(self) -> PortalSettings:
        if not self.is_dev and self.client_secret.get_secret_value() == _DEV_CLIENT_SECRET:
            raise ValueError("client_secret must be set to a real secret outside development")
        return self

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"
