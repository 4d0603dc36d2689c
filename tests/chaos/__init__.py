"""The chaos suite: realistic traffic while a seeded schedule of faults hits the stack, then
every effect compared with every accepted input (`make chaos`; a smaller run in `make test`).
"""
