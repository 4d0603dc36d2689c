"""Apply the training database's migrations: `python -m training.entrypoints.migrate`."""

from shared.db import upgrade
from training.settings import TrainingSettings

if __name__ == "__main__":
    upgrade("training.migrations", TrainingSettings().database_url)
