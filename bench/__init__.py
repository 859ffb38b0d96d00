"""Benchmarks, simulations and soak runs (scripts run by hand; see docs/benchmarks.md)."""
