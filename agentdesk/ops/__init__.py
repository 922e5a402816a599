"""Planners for the Desk's ops beyond the triage core, one module per capability.

Each module exports ``PLANNERS``: op name -> :data:`agentdesk.ops.base.Planner`.
``agentdesk.desk`` merges them into its dispatch table, so an op added here is
reachable from the named methods, :meth:`Desk.apply` (sync replay) and bulk.
"""
