"""The open data package: what is public, as files that are the same bytes for the same data.

A Frictionless Data Package (`datapackage.json` describing every field, and CSV tables of
proposals, awards, payments by province and year, typical products and industrial clusters)
and IATI 2.03 activity XML for the national fund's proposals. Built from the registry's own
tables (its copy of support comes from the proposals' and disbursement's events).

Public means: no person's name (representatives, household businesses' names), no tax code
of a household business, nothing that is not already in a decision or a plan.
"""

from registry.open_data.package import FILES, build

__all__ = ["FILES", "build"]
