"""Yes/no conditions only a question states (catalog.STATED_CONDITIONS): a finished prototype, an
IT major, living in Gunpo, a completed course."""
from __future__ import annotations

import re

from chatbot.programs.profile.context import Finding, constant, en_rule, ko_rule_or_topic, scan
from chatbot.programs.profile.residence import KO_LIVE


# name -> (Korean yes, English yes, Korean no, English no); "no" patterns are tried too, and a
# question that says both leaves the condition open.
_STATED_PATTERNS: dict[str, tuple[str, str, str, str]] = {
    "prototype_ready": (
        r"(?:기술\s*)?개발(?:이|은|을)?\s*(?:다\s*)?(?:완료|끝났|끝나서|마쳤)|시제품(?:이|은|도)?\s*(?:완성|나왔|만들어\s*놨|있습니다|있어요|있고|있는데)"
        r"|(?:현장|바로)\s*설치\s*(?:가능|할\s*수\s*있)",
        r"\bprototype\s+(?:is|'s)\s+(?:already\s+)?(?:finished|ready|complete|completed|built|done)\b|"
        r"\b(?:(?:our|my)|(?:we|i)\s+have\s+an?)\s+(?:finished|working|completed)\s+prototype\b|"
        r"\b(?:it's|it\s+is|is)\s+(?:ready\s+to\s+(?:be\s+)?install|installable)|"
        r"\bdevelopment\s+is\s+(?:finished|complete|done)\b",
        r"아이디어\s*(?:단계|만\s*있)|시제품(?:은|이|도)?\s*(?:아직\s*)?(?:없|안\s*나왔|못\s*만들)|(?:개발|제작)\s*(?:을\s*)?(?:아직\s*)?(?:안\s*했|시작\s*전)",
        r"\b(?:only|just)\s+(?:have\s+)?an\s+idea\b|\bidea\s+stage\b|\bnothing\s+(?:is\s+)?built\s+yet\b|"
        r"\bno\s+prototype\b|\bprototype\s+(?:is\s+)?not\s+(?:ready|finished|built)\b|\bhaven't\s+built\b",
    ),
    "it_major": (
        r"컴퓨터\s*공학|컴공|전산\s*(?:학|전공)|소프트웨어\s*(?:학과|전공)|(?:IT|it|정보통신)\s*(?:학과|전공)",
        r"\b(?:computer\s+science|cs|software\s+engineering|it)\s+(?:major|degree|graduate)\b|"
        r"\bmajored\s+in\s+(?:computer\s+science|cs|software|it)\b",
        r"비전공|전공(?:이|은)?\s*(?:아니|안\s*했|아닌)",
        r"\bnon-?(?:cs\s+|it\s+)?major\b|\bno\s+(?:coding|programming|cs|it)\s+(?:background|experience)\b|"
        r"\bnever\s+(?:coded|programmed)\b|\bdidn't\s+major\s+in\s+(?:computer|cs|it|software)",
    ),
    "gunpo_resident": (
        rf"(?<![가-힣])군포(?:시)?(?:{KO_LIVE}|\s*(?:시민|주민))",
        r"\b(?:live|lives|living|reside|resides|residing|based)\s+in\s+gunpo\b|\bgunpo\s+(?:citizen|resident)s?\b(?!s)",
        r"(?<![가-힣])군포(?:시)?(?:에)?\s*(?:안\s*(?:살|사)|살지\s*않)",
        r"\b(?:don't|do\s+not|doesn't|does\s+not)\s+live\s+in\s+gunpo\b",
    ),
    "course_completed": (
        r"수료(?:했|한|생|하고|해서|를\s*했)|과정(?:을|를)?\s*(?:다\s*)?(?:마쳤|끝냈|이수했)",
        r"\b(?:finished|completed|graduated\s+from)\s+(?:a|an|the|my)\s+(?:[\w-]+\s+){0,3}(?:course|program|programme|academy|bootcamp)\b",
        r"수료(?:는|를|도)?\s*(?:안|못)\s*(?:했|한)|수료\s*전|수료하지\s*(?:않|못)",
        r"\b(?:haven't|have\s+not|didn't|did\s+not)\s+(?:finish|complete)(?:ed)?\s+(?:the|a|my)\s+(?:[\w-]+\s+){0,3}course\b",
    ),
}
_STATED_RES = {name: tuple(re.compile(p, re.I) for p in patterns) for name, patterns in _STATED_PATTERNS.items()}


def stated_findings(text: str) -> list[Finding]:
    found = []
    for name, (ko_yes, en_yes, ko_no, en_no) in _STATED_RES.items():
        found += scan(text, ko_no, name, constant(False), ko_rule_or_topic)
        found += scan(text, en_no, name, constant(False), en_rule)
        found += scan(text, ko_yes, name, constant(True), ko_rule_or_topic)
        found += scan(text, en_yes, name, constant(True), en_rule)
    return found
