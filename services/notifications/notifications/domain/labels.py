"""The words for codes (levels, kinds, funds, reasons) in Vietnamese and English.

Sentences live in the templates; these are the names the templates look codes up by. Each code
has its words in both languages on one line: (Vietnamese, English).
"""

from __future__ import annotations

LANGUAGE_ORDER = ("vi", "en")

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "level": {
        "normal": ("Bình thường", "Normal"),
        "watch": ("Theo dõi", "Watch"),
        "warning": ("Cảnh báo", "Warning"),
        "critical": ("Nghiêm trọng", "Critical"),
    },
    "kind": {
        "province_lagging": ("Giải ngân chậm so với kế hoạch", "Disbursement behind schedule"),
        "province_forecast_short": (
            "Dự báo giải ngân cả năm không đạt kế hoạch",
            "Year-end forecast short of the plan",
        ),
        "proposal_overdue": ("Đề án chậm tiến độ", "Proposal behind schedule"),
        "tranche_overdue": ("Đợt giải ngân quá hạn", "Tranche overdue"),
        "repayment_overdue": (
            "Quá hạn trả nợ hỗ trợ có thu hồi",
            "Recoverable support repayment overdue",
        ),
        "refund_due": ("Phải hoàn trả kinh phí sau quyết toán", "Refund due after settlement"),
    },
    "fund": {"national": ("KCQG", "national funds"), "local": ("KCĐP", "local funds")},
    "fund_long": {
        "national": ("khuyến công quốc gia", "national (KCQG)"),
        "local": ("khuyến công địa phương", "local (KCĐP)"),
    },
    "reason": {
        "no_contract_30_days": (
            "Chưa ký hợp đồng sau 30 ngày",
            "No contract 30 days after approval",
        ),
        "progress_report_missing": ("Thiếu báo cáo tiến độ", "Progress report missing"),
        "progress_behind": ("Tiến độ thực hiện chậm", "Progress behind schedule"),
        "not_accepted_by_end": ("Chưa nghiệm thu khi hết thời hạn", "Not accepted by the end date"),
        "tranche_overdue": ("Đợt giải ngân quá hạn", "Tranche overdue"),
        "repayment_overdue": ("Quá hạn trả nợ", "Repayment overdue"),
        "settlement_late": ("Chậm thanh lý, quyết toán", "Settlement late"),
        "year_end_unsettled": ("Chưa quyết toán cuối năm", "Unsettled at year end"),
    },
}


class Labels:
    """``labels.level["warning"]`` in a template; an unknown code shows as itself, an unknown
    language as Vietnamese."""

    def __init__(self, lang: str) -> None:
        self._index = LANGUAGE_ORDER.index(lang) if lang in LANGUAGE_ORDER else 0

    def __getattr__(self, name: str) -> _Lookup:
        table = WORDS.get(name)
        if table is None:
            raise AttributeError(name)
        return _Lookup({code: words[self._index] for code, words in table.items()})


class _Lookup(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return str(key)
