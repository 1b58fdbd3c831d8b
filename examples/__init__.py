"""Worked examples for credo."""
