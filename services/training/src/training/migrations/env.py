from shared.migrations import run
from training.adapters.orm import metadata

run(metadata)
