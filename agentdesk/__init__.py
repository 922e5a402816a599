"""agentdesk: a keyboard-driven terminal workstation for tiered support teams."""

__version__ = "0.1.0"
