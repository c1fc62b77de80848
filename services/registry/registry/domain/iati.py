"""IATI 2.03 activity XML for the national fund's (KCQG) proposals.

Each proposal is an activity of the Ministry of Industry and Trade (reporting and funding
organisation) implemented by the province's industrial-promotion centre, in Việt Nam, with its
planned dates and, once approved, a committed budget in dong. The XML has no timestamp, so
unchanged data gives the same bytes. IATI 2.03 needs one activity at least (`iati-activities`
holds 1..n `iati-activity`), so with no national proposal there is no file (None).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

FILE = "iati-activities.xml"
REPORTING_ORG = "VN-MOIT"  # the ministry's organisation identifier in this publication
MINISTRY = "Bộ Công Thương (Ministry of Industry and Trade)"
SECTOR = "32130"  # OECD DAC CRS: small and medium-sized enterprises (SME) development
# A proposal's state -> IATI ActivityStatus code.
STATUS = {
    "submitted": "1",
    "in_appraisal": "1",
    "revision": "1",
    "approved": "1",
    "contracted": "2",
    "in_progress": "2",
    "accepted": "3",
    "settled": "4",
    "rejected": "5",
    "cancelled": "5",
}


def _narrative(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "narrative").text = text
    return element


def activities(proposals: list[dict[str, Any]], awards: list[dict[str, Any]]) -> bytes | None:
    """The activities' XML; None when no proposal is of the national fund (IATI wants one)."""
    approved = {a["proposal_id"]: a for a in awards}
    national = [p for p in proposals if p["source_fund"] == "national"]
    if not national:
        return None
    root = ET.Element("iati-activities", {"version": "2.03"})
    for p in national:
        _activity(root, p, approved.get(p["proposal_id"]))
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def _activity(root: ET.Element, p: dict[str, Any], award: dict[str, Any] | None) -> None:
    activity = ET.SubElement(
        root,
        "iati-activity",
        {"default-currency": "VND", "{http://www.w3.org/XML/1998/namespace}lang": "vi"},
    )
    ET.SubElement(activity, "iati-identifier").text = f"{REPORTING_ORG}-{p['proposal_id']}"
    _narrative(activity, "reporting-org", MINISTRY, ref=REPORTING_ORG, type="10")
    _narrative(activity, "title", p["title"] or p["proposal_id"])
    _narrative(
        activity,
        "description",
        f"Đề án khuyến công quốc gia {p['year']}, {p['province_name']}: {p['activity']}",
        type="1",
    )
    _narrative(activity, "participating-org", MINISTRY, ref=REPORTING_ORG, role="1", type="10")
    centre = f"Trung tâm Khuyến công {p['province_name']}"
    _narrative(activity, "participating-org", centre, role="4", type="10")
    ET.SubElement(activity, "activity-status", {"code": STATUS.get(p["state"] or "", "1")})
    if p["planned_start"]:
        ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": p["planned_start"]})
    if p["planned_end"]:
        ET.SubElement(activity, "activity-date", {"type": "3", "iso-date": p["planned_end"]})
    if not (p["planned_start"] or p["planned_end"]):  # the schema needs one date
        ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": f"{p['year']}-01-01"})
    ET.SubElement(activity, "recipient-country", {"code": "VN", "percentage": "100"})
    ET.SubElement(activity, "sector", {"code": SECTOR, "vocabulary": "1", "percentage": "100"})
    if award and p["planned_start"] and p["planned_end"]:
        budget = ET.SubElement(activity, "budget", {"type": "1", "status": "2"})
        ET.SubElement(budget, "period-start", {"iso-date": p["planned_start"]})
        ET.SubElement(budget, "period-end", {"iso-date": p["planned_end"]})
        value = ET.SubElement(
            budget, "value", {"currency": "VND", "value-date": p["planned_start"]}
        )
        value.text = str(award["contract_vnd"] or award["approved_vnd"])
