"""The team hub: an ASGI server on the same storage tables and Desk rules as the workstation."""
