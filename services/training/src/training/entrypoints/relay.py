"""The training service's outbox relay process: `python -m training.entrypoints.relay`."""

from shared.messaging.relay import run_relay
from training.settings import TrainingSettings

if __name__ == "__main__":
    run_relay(TrainingSettings())
