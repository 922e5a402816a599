"""Reusable Textual widgets; they never open a session or write SQL."""
