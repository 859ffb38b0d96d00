"""Benchmarks and simulations (run as scripts; see docs/benchmarks.md)."""
