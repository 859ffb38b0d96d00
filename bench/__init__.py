"""Benchmarks and soak runs (scripts run by hand; see each module's docstring)."""
