from portal.orm import metadata
from shared.migrations import run

run(metadata)
