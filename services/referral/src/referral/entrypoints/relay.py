"""The referral service's outbox relay process: `python -m referral.entrypoints.relay`."""

from referral.settings import ReferralSettings
from shared.messaging.relay import run_relay

if __name__ == "__main__":
    run_relay(ReferralSettings())
