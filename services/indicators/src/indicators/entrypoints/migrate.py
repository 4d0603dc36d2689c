"""Apply the indicators database's migrations: `python -m indicators.entrypoints.migrate`."""

from indicators.settings import IndicatorsSettings
from shared.db import upgrade

if __name__ == "__main__":
    upgrade("indicators.migrations", IndicatorsSettings().database_url)
