"""The load test behind `make loadtest`: see run.py."""
