"""Apply the portal database's migrations: `python -m portal.entrypoints.migrate`."""

from portal.settings import PortalSettings
from shared.db import upgrade

if __name__ == "__main__":
    upgrade("portal.migrations", PortalSettings().database_url)
