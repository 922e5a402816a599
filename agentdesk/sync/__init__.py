"""Workstation sync: push the outbox to the hub, pull its change feed, replay what is pending."""
