"""The notify service's outbox relay process: `python -m notify.entrypoints.relay`."""

from notify.settings import NotifySettings
from shared.messaging.relay import run_relay

if __name__ == "__main__":
    run_relay(NotifySettings())
