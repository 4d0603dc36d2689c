from indicators.adapters.orm import metadata
from shared.migrations import run

run(metadata)
