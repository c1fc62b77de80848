"""Pure rules of the workspace: how figures read and how a table is exported (standard library
and grantflow's formatting only)."""
