"""Allow ``python -m agentdesk``."""

from agentdesk.entry import main

main()
