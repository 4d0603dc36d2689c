"""Apply the referral database's migrations: `python -m referral.entrypoints.migrate`."""

from referral.settings import ReferralSettings
from shared.db import upgrade

if __name__ == "__main__":
    upgrade("referral.migrations", ReferralSettings().database_url)
