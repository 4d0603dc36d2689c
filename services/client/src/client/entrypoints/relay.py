"""The client service's outbox relay process: `python -m client.entrypoints.relay`."""

from client.settings import ClientSettings
from shared.messaging.relay import run_relay

if __name__ == "__main__":
    run_relay(ClientSettings())
