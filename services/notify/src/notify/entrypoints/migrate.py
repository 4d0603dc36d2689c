"""Apply the notify database's migrations: `python -m notify.entrypoints.migrate`."""

from notify.settings import NotifySettings
from shared.db import upgrade

if __name__ == "__main__":
    upgrade("notify.migrations", NotifySettings().database_url)
