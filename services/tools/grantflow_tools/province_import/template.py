"""The import template: one sheet (or CSV file) per kind of registry record.

Each sheet's first row names its columns (in any order; unknown columns are refused, empty
cells are absent values). Each row becomes one event of the sheet's type:

- beneficiaries (beneficiary.registered): beneficiary_id, kind, name, province; district,
  tax_code (typed as text), representative;
- recognitions (craft_village.recognised): beneficiary_id, decision_no, recognised_on;
- products (product.awarded): product_id, name, beneficiary_id, province, level, year,
  decision_no;
- clusters (cluster.registered): cluster_id, name, province, area_ha, status;
  occupancy_percent;
- collaborators (collaborators.reported): province, level, count, since.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sheet:
    name: str
    event_type: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # what one record is: two rows with one key must agree
    integers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()  # never numbers, even if a spreadsheet typed them so

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        Sheet(
            "beneficiaries",
            "beneficiary.registered",
            ("beneficiary_id", "kind", "name", "province"),
            ("district", "tax_code", "representative"),
            key=("beneficiary_id",),
            texts=("tax_code", "province", "beneficiary_id"),
        ),
        Sheet(
            "recognitions",
            "craft_village.recognised",
            ("beneficiary_id", "decision_no", "recognised_on"),
            key=("beneficiary_id",),
            dates=("recognised_on",),
        ),
        Sheet(
            "products",
            "product.awarded",
            ("product_id", "name", "beneficiary_id", "province", "level", "year", "decision_no"),
            key=("product_id", "year", "level"),
            integers=("year",),
            texts=("province",),
        ),
        Sheet(
            "clusters",
            "cluster.registered",
            ("cluster_id", "name", "province", "area_ha", "status"),
            ("occupancy_percent",),
            key=("cluster_id",),
            integers=("occupancy_percent",),
            texts=("province", "area_ha"),
        ),
        Sheet(
            "collaborators",
            "collaborators.reported",
            ("province", "level", "count", "since"),
            key=("province", "level"),
            integers=("count",),
            dates=("since",),
            texts=("province",),
        ),
    )
}
