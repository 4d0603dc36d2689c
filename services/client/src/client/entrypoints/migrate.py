"""Apply the client database's migrations: `python -m client.entrypoints.migrate`."""

from client.settings import ClientSettings
from shared.db import upgrade

if __name__ == "__main__":
    upgrade("client.migrations", ClientSettings().database_url)
