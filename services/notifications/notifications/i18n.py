"""The words for codes (levels, kinds, funds, reasons) in Vietnamese and English.

Sentences live in the templates; these are the names the templates look codes up by.
"""

from __future__ import annotations

from typing import Any

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "vi": {
        "level": {
            "normal": "Bình thường",
            "watch": "Theo dõi",
            "warning": "Cảnh báo",
            "critical": "Nghiêm trọng",
        },
        "kind": {
            "province_lagging": "Giải ngân chậm so với kế hoạch",
            "province_forecast_short": "Dự báo giải ngân cả năm không đạt kế hoạch",
            "proposal_overdue": "Đề án chậm tiến độ",
            "tranche_overdue": "Đợt giải ngân quá hạn",
            "repayment_overdue": "Quá hạn trả nợ hỗ trợ có thu hồi",
            "refund_due": "Phải hoàn trả kinh phí sau quyết toán",
        },
        "fund": {"national": "KCQG", "local": "KCĐP"},
        "fund_long": {"national": "khuyến công quốc gia", "local": "khuyến công địa phương"},
        "reason": {
            "no_contract_30_days": "Chưa ký hợp đồng sau 30 ngày",
            "progress_report_missing": "Thiếu báo cáo tiến độ",
            "progress_behind": "Tiến độ thực hiện chậm",
            "not_accepted_by_end": "Chưa nghiệm thu khi hết thời hạn",
            "tranche_overdue": "Đợt giải ngân quá hạn",
            "repayment_overdue": "Quá hạn trả nợ",
            "settlement_late": "Chậm thanh lý, quyết toán",
            "year_end_unsettled": "Chưa quyết toán cuối năm",
        },
    },
    "en": {
        "level": {
            "normal": "Normal",
            "watch": "Watch",
            "warning": "Warning",
            "critical": "Critical",
        },
        "kind": {
            "province_lagging": "Disbursement behind schedule",
            "province_forecast_short": "Year-end forecast short of the plan",
            "proposal_overdue": "Proposal behind schedule",
            "tranche_overdue": "Tranche overdue",
            "repayment_overdue": "Recoverable support repayment overdue",
            "refund_due": "Refund due after settlement",
        },
        "fund": {"national": "national funds", "local": "local funds"},
        "fund_long": {"national": "national (KCQG)", "local": "local (KCĐP)"},
        "reason": {
            "no_contract_30_days": "No contract 30 days after approval",
            "progress_report_missing": "Progress report missing",
            "progress_behind": "Progress behind schedule",
            "not_accepted_by_end": "Not accepted by the end date",
            "tranche_overdue": "Tranche overdue",
            "repayment_overdue": "Repayment overdue",
            "settlement_late": "Settlement late",
            "year_end_unsettled": "Unsettled at year end",
        },
    },
}


class Labels:
    """``labels.level["warning"]`` in a template; an unknown code shows as itself."""

    def __init__(self, lang: str) -> None:
        self._table = LABELS.get(lang, LABELS["vi"])

    def __getattr__(self, name: str) -> Any:
        table = self._table.get(name)
        if table is None:
            raise AttributeError(name)
        return _Lookup(table)


class _Lookup(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(key)
