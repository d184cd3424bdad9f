"""Shared helpers for the test suite and the benchmarks (never shipped in the package)."""
