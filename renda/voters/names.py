"""Names for search and sorting: pinyin (full, no spaces) and initials, computed once."""

from __future__ import annotations

import unicodedata

from pypinyin import lazy_pinyin

MIDDLE_DOTS = "·•‧∙⋅・･．."  # written variously in minority names (阿依古丽·买买提)


def clean_name(text: str) -> str:
    """NFKC, no spaces, every middle-dot variant as '·'."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = "".join(c for c in folded if not c.isspace())
    return "".join("·" if c in MIDDLE_DOTS else c for c in folded)


def pinyin_of(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; letters in a name are kept, the middle dot dropped."""
    syllables = [s.lower() for s in lazy_pinyin(name.replace("·", ""), errors="default")]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full[:200], initials[:64]
