"""The operator's command line (`jembatan`): what the engineer on call asks and does."""
