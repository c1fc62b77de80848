"""Names folded for search: lower case, without Vietnamese diacritics, đ as d.

"Cơ sở dệt may Đông Hòa" folds to "co so det may dong hoa", so a search typed without
diacritics ("co so det may") finds it, and so does one typed with them.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`text` lower-cased, its combining marks dropped, đ/Đ as d, spaces collapsed."""
    lowered = text.replace("Đ", "d").replace("đ", "d").lower()
    decomposed = unicodedata.normalize("NFD", lowered)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def words(query: str) -> list[str]:
    """The folded words of a search query; a record matches when it holds every one."""
    return fold(query).split()
