"""Renderers: pure functions from the bank model to files (notebooks, nbgrader sources)."""
