"""Reference data of the khuyến công programme, kept as data with effective dates.

Provinces by (GSO code, date) and the 2025 merger mapping, regions, activity types, support
ceilings and advance caps. Everything is read once from the YAML files under ``data/``; a rule
that changes gets a new row with the date it takes effect, never an edit in code.
"""

from grantflow.reference.activities import ACTIVITY_CODES, Activity, activity
from grantflow.reference.advances import AdvanceCap, advance_cap, advance_cap_percent
from grantflow.reference.ceilings import (
    Ceiling,
    ceiling_for,
    ceilings_in_force,
    priority_area_percent,
)
from grantflow.reference.provinces import (
    Province,
    carry_forward,
    code_on,
    predecessors,
    province,
    provinces_on,
    successor,
)
from grantflow.reference.regions import (
    Grouping,
    grouping,
    in_region,
    region_label,
    region_members,
    region_names,
)

__all__ = [
    "ACTIVITY_CODES",
    "Activity",
    "AdvanceCap",
    "Ceiling",
    "Grouping",
    "Province",
    "activity",
    "advance_cap",
    "advance_cap_percent",
    "carry_forward",
    "ceiling_for",
    "ceilings_in_force",
    "code_on",
    "grouping",
    "in_region",
    "predecessors",
    "priority_area_percent",
    "province",
    "provinces_on",
    "region_label",
    "region_members",
    "region_names",
    "successor",
]
