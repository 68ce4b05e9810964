"""Personal data a citizen may type (주민등록번호, phone numbers, e-mail, account numbers) is
masked before anything is logged or stored. Profile answers are never logged at all."""
from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("[주민등록번호]", re.compile(r"(?<!\d)\d{6}\s*-\s*[1-8]\d{6}(?!\d)|(?<!\d)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[1-8]\d{6}(?!\d)")),
    ("[이메일]", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    ("[전화번호]", re.compile(r"(?<!\d)(\+?82[\s-]?)?0?1[016789][\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)"
                            r"|(?<!\d)0(2|[3-6][1-5])[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")),
    ("[계좌번호]", re.compile(r"(?<!\d)\d{2,6}-\d{2,6}-\d{2,8}(-\d{1,4})?(?!\d)|(?<!\d)\d{11,16}(?!\d)")),
]


def mask_pii(text: str) -> str:
    """The text with every identifying number or address replaced by a label."""
    for label, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    return text


def contains_pii(text: str) -> bool:
    return mask_pii(text) != text
