"""Editing program records in the staff form: schema and verbatim-quote checks as load_catalog
does, only the edited record's lines rewritten, and no lost update when two staff edit at once."""
from __future__ import annotations

import re
import threading

import yaml

from chatbot.admin import audit
from chatbot.admin.catalog_edit import get_record, record_version
from chatbot.programs.catalog import load_catalog
from chatbot.documents.corpus import load_corpus
from tests.support.admin import PROGRAM, csrf_token, save, signed_in
from tests.support.admin import PROGRAM_URL as URL


def current(admin_env) -> dict:
    return get_record(admin_env.live, PROGRAM)


def test_edit_saves_only_that_record_and_the_catalog_still_verifies(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    path = admin_env.live / "programs.yaml"
    before = path.read_text(encoding="utf-8")
    record = current(admin_env)
    record["summary"]["en"] = "Job training in software and digital skills for people in their 20s and 30s"
    response = save(client, record, record_version(current(admin_env)))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    path = admin_env.live / "programs.yaml"                   # the revision the save made
    after = path.read_text(encoding="utf-8")
    assert get_record(admin_env.live, PROGRAM)["summary"]["en"].startswith("Job training in software")
    catalog = load_catalog(path, {d.id: d for d in load_corpus(admin_env.live)})
    assert len(catalog) == len(yaml.safe_load(before)["programs"])
    others = lambda text: [r for r in yaml.safe_load(text)["programs"] if r["id"] != PROGRAM]  # noqa: E731
    assert others(after) == others(before)
    assert "# The programs of the Seoul Economic Policy Office" in after and "# ── Part Ⅳ-2" in after  # comments kept
    assert '# "20~30대" = in one\'s twenties' in after           # the record's own notes moved above it
    entry = audit.entries(admin_env.db, action="catalog.edit")[0]
    assert entry.actor == "editor" and entry.target == PROGRAM and entry.detail["fields"] == ["summary"]


def test_a_clause_not_in_the_document_is_refused_with_the_real_text(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    path = admin_env.live / "programs.yaml"
    before = path.read_bytes()
    record = current(admin_env)
    record["eligibility"][0]["clause"]["text"] = "대 상 : 취업 의지가 있는 20~34세 청년"
    response = save(client, record, record_version(current(admin_env)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "eligibility[0].clause.text: not found verbatim" in html and "those lines read" in html
    assert "취업 의지가 있는 20~30대 청년 구직자" in html
    assert (admin_env.live / "programs.yaml").read_bytes() == before


def test_schema_errors_are_listed_per_field(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    before = (admin_env.live / "programs.yaml").read_bytes()
    record = current(admin_env)
    record["eligibility"][0]["value"] = [39, 20]
    record["schedule"][0]["when"] = "June 2024"
    response = save(client, record, record_version(current(admin_env)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "eligibility[0].value: op &#39;between&#39; needs lo &lt;= hi" in html
    assert "schedule[0].when: bad when" in html
    assert (admin_env.live / "programs.yaml").read_bytes() == before


def test_a_criterion_can_be_added_and_removed_with_plain_form_rows(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    record = current(admin_env)
    base = record_version(record)
    count = len(record["eligibility"])
    data = {f"eligibility-{count}-field": "resident_of_seoul", f"eligibility-{count}-op": "==",
            f"eligibility-{count}-value": "true",
            f"eligibility-{count}-clause-text": record["eligibility"][0]["clause"]["text"],
            f"eligibility-{count}-clause-document": "seoul-economic-policy-office-2024",
            f"eligibility-{count}-clause-start": "1292", "eligibility-1-remove": "y"}
    response = save(client, record, base, **data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = current(admin_env)["eligibility"]
    assert [c.get("field") for c in saved] == ["age", "it_major", "course_completed", "resident_of_seoul"]
    assert saved[1]["part"][:2] == ["사전과정", "사전 과정"]            # a part's words survive the form
    assert saved[1]["value"] is False and saved[2]["value"] is True    # and a stated condition's yes/no
    assert saved[3]["value"] is True and saved[3]["clause"]["lines"] == [1292, 1292] and "part" not in saved[3]


def test_a_selection_criterion_survives_the_form_and_only_words_may_be_one(admin_app, admin_env):
    """"Selection" (how applicants who meet the conditions are chosen) is a box on a worded row."""
    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/strong-sme"
    record = get_record(admin_env.live, "strong-sme")
    assert [c.get("selection", False) for c in record["eligibility"]] == [False, False, False, False, True]
    base = record_version(record)
    record["summary"]["en"] += "."
    response = save(client, record, base, url=url)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = get_record(admin_env.live, "strong-sme")["eligibility"]
    assert saved[4]["selection"] is True and all("selection" not in c for c in saved[:4])
    before = (admin_env.live / "programs.yaml").read_bytes()
    response = save(client, get_record(admin_env.live, "strong-sme"),
                    record_version(get_record(admin_env.live, "strong-sme")), url=url,
                    **{"eligibility-0-selection": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[-1500:]
    assert "selection belongs to an op &#39;text&#39; criterion" in html, re.findall(r"<li[^>]*>[^<]*", html)
    assert (admin_env.live / "programs.yaml").read_bytes() == before


def test_alternatives_survive_the_form(admin_app, admin_env):
    """"Either-or": the angel fund's "창업 3년 이내 또는 매출 20억 이하" rows keep their shared name."""
    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/vision-fund"
    record = get_record(admin_env.live, "vision-fund")
    before = [c.get("alternative") for c in record["eligibility"]]
    assert before.count("early-stage") == 2
    base = record_version(record)
    record["summary"]["en"] += "."
    response = save(client, record, base, url=url)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert [c.get("alternative") for c in get_record(admin_env.live, "vision-fund")["eligibility"]] == before


def test_second_editor_gets_a_conflict_instead_of_overwriting(admin_app, admin_env):
    alice, bob = signed_in(admin_app, "editor"), signed_in(admin_app, "chief")
    opened = record_version(current(admin_env))              # both open the form now
    mine, theirs = current(admin_env), current(admin_env)
    mine["summary"]["en"] = "Alice's wording"
    theirs["name"]["en"] = "Bob's name"
    assert save(alice, mine, opened).status_code == 302
    response = save(bob, theirs, opened)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "someone changed this program after you opened it" in html and "Last saved by editor at " in html
    record = current(admin_env)
    assert record["summary"]["en"] == "Alice's wording" and record["name"]["en"] != "Bob's name"
    assert audit.entries(admin_env.db, action="catalog.conflict")[0].actor == "chief"


def test_simultaneous_saves_of_the_same_version_let_exactly_one_through(admin_app, admin_env):
    clients = [signed_in(admin_app, name) for name in ("editor", "chief", "editor", "chief")]
    tokens = [csrf_token(c, URL) for c in clients]
    opened = record_version(current(admin_env))
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def attempt(i: int) -> None:
        record = current(admin_env)
        record["summary"]["en"] = f"version {i}"
        barrier.wait()
        statuses.append(save(clients[i], record, opened, token=tokens[i]).status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 409, 409, 409]
    assert current(admin_env)["summary"]["en"].startswith("version ")


def test_new_program_and_duplicate_id(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    record = current(admin_env)
    record.update(id="youth-academy-gangbuk", name={"ko": "청년취업사관학교 강북 캠퍼스", "en": "SeSAC Gangbuk campus"},
                  aliases={"ko": ["강북 캠퍼스"]})               # a name or alias of its own: see below
    response = save(client, record, None, url="/admin/catalog/new")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert get_record(admin_env.live, "youth-academy-gangbuk")["name"] == record["name"]
    assert "section" not in get_record(admin_env.live, "youth-academy-gangbuk")   # the form has no section
    before = (admin_env.live / "programs.yaml").read_bytes()
    response = save(client, record, None, url="/admin/catalog/new")
    assert response.status_code == 400 and "already has the id" in response.get_data(as_text=True)
    assert (admin_env.live / "programs.yaml").read_bytes() == before


def test_clause_citing_a_retired_document_is_refused(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    record = current(admin_env)
    record["benefits"][0]["clause"]["document"] = "some-retired-notice"
    response = save(client, record, record_version(current(admin_env)))
    assert response.status_code == 400
    assert "unknown document" in response.get_data(as_text=True)


def test_a_programs_next_steps_are_edited_in_its_form(admin_app, admin_env):
    """The city's next steps are plain boxes; a half-filled language pair takes the other's words,
    and a bad phone number is refused by name."""
    client = signed_in(admin_app, "editor")
    record = current(admin_env)
    base = record_version(record)
    steps = {"next_steps-how_to_apply_ko": "캠퍼스 방문 접수", "next_steps-phone": "02-123-4567",
             "next_steps-web": "https://sesac.seoul.kr", "next_steps-provided_by": "일자리정책과",
             "next_steps-checked_on": "2026-11-01"}
    response = save(client, record, base, **steps)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = current(admin_env)["next_steps"]
    assert saved == {"how_to_apply": {"ko": "캠퍼스 방문 접수", "en": "캠퍼스 방문 접수"}, "phone": "02-123-4567",
                     "web": "https://sesac.seoul.kr", "provided_by": "일자리정책과", "checked_on": "2026-11-01"}
    page = client.get(URL).get_data(as_text=True)
    assert 'value="02-123-4567"' in page                    # the form shows them back
    bad = save(client, current(admin_env), record_version(current(admin_env)), **{**steps, "next_steps-phone": "call"})
    assert bad.status_code == 400 and "next_steps.phone: a phone number" in bad.get_data(as_text=True)
    documents = {d.id: d for d in load_corpus(admin_env.live)}
    assert load_catalog(admin_env.live / "programs.yaml", documents).get(PROGRAM).next_steps.phone == "02-123-4567"


def test_the_general_help_line_is_set_and_removed_without_touching_the_programs(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/help"
    before = (admin_env.live / "programs.yaml").read_text(encoding="utf-8")
    data = {"steps-office_ko": "서울시 다산콜센터", "steps-office_en": "Seoul Dasan Call Center", "steps-phone": "120",
            "steps-provided_by": "시민소통과", "steps-checked_on": "2026-10-15"}
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 302
    text = (admin_env.live / "programs.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["help"]["phone"] == "120"
    assert yaml.safe_load(text)["programs"] == yaml.safe_load(before)["programs"]
    assert text.startswith(before.split("help:")[0][:200])        # the header comments are kept
    documents = {d.id: d for d in load_corpus(admin_env.live)}
    assert load_catalog(admin_env.live / "programs.yaml", documents).help.office.ko == "서울시 다산콜센터"
    assert 'value="120"' in client.get(url).get_data(as_text=True)
    assert audit.entries(admin_env.db, action="catalog.help")[0].actor == "editor"
    bad = client.post(url, data={"csrf_token": csrf_token(client, url), **data, "steps-web": "seoul.go.kr"})
    assert bad.status_code == 400 and "help.web: a web address" in bad.get_data(as_text=True)
    empty = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert empty.status_code == 302
    assert "help" not in yaml.safe_load((admin_env.live / "programs.yaml").read_text(encoding="utf-8"))
    publisher = signed_in(admin_app, "publisher")                 # publishes, does not edit
    assert publisher.get(url).status_code == 403


def test_a_clause_pasted_without_lines_gets_them_found(admin_app, admin_env):
    """Staff paste the words; the lines are found for them, or they are told where the words occur
    more than once, or that they occur nowhere. The search page lists the places."""
    client = signed_in(admin_app, "editor")
    record = current(admin_env)
    base = record_version(record)
    extra = {"eligibility-9-field": "age", "eligibility-9-op": "<=", "eligibility-9-value": "39",
             "eligibility-9-clause-text": "「서울특별시 청년 기본 조례」에 따라 청년의 연령을 39세 이하까지 확대하여 적용하고 있음",
             "eligibility-9-clause-document": "seoul-economic-policy-office-2024"}
    response = save(client, record, base, **extra)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    added = current(admin_env)["eligibility"][-1]
    assert added["clause"]["lines"] == [2045, 2047]
    twice = save(client, current(admin_env), record_version(current(admin_env)),
                 **{**extra, "eligibility-9-clause-text": "청년 구직자"})
    assert twice.status_code == 400 and "give the lines of the one meant" in twice.get_data(as_text=True)
    nowhere = save(client, current(admin_env), record_version(current(admin_env)),
                   **{**extra, "eligibility-9-clause-text": "보고서에 없는 문장"})
    assert nowhere.status_code == 400 and "the quote is not in" in nowhere.get_data(as_text=True)
    found = client.get("/admin/catalog/find?q=취업 의지가 있는 20~30대").get_data(as_text=True)
    assert "1292" in found and "청년 구직자" in found


def test_a_staff_edit_keeps_section_block_and_aliases_and_can_change_the_aliases(admin_app, admin_env):
    """The record is the one place a program is edited: a save from the form keeps what the chunker
    reads (section, block) and the aliases, which the form shows one per line and lets staff change."""
    from chatbot.programs.names import ProgramNames

    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/interview-suit"
    record = get_record(admin_env.live, "interview-suit")
    kept = {key: record[key] for key in ("section", "block", "aliases")}
    assert kept["block"] == "취업날개서비스" and "면접정장" in kept["aliases"]["ko"]
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="aliases_ko"[^>]*>\s*취업날개\n취업날개서비스\n', page), page[:300]
    record["summary"]["en"] += "."
    response = save(client, record, record_version(get_record(admin_env.live, "interview-suit")), url=url)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = get_record(admin_env.live, "interview-suit")
    assert {key: saved[key] for key in kept} == kept and saved["summary"]["en"].endswith(".")

    aliases = {"aliases_ko": "면접정장\n정장 빌려주는 곳, 취업날개\n\n", "aliases_en": "suit rental"}
    response = save(client, saved, record_version(saved), url=url, **aliases)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    saved = get_record(admin_env.live, "interview-suit")
    assert saved["aliases"] == {"ko": ["면접정장", "정장 빌려주는 곳", "취업날개"], "en": ["suit rental"]}
    assert (saved["section"], saved["block"]) == (kept["section"], kept["block"])
    documents = {d.id: d for d in load_corpus(admin_env.live)}
    assert load_catalog(admin_env.live / "programs.yaml", documents).get("interview-suit").aliases.en == ["suit rental"]
    names = ProgramNames.load(admin_env.live)          # what the next build's chunker and questions read
    assert names.best_mention("정장 빌려주는 곳 있나요?") == "interview-suit"
    assert "interview-suit" not in names.mentions("borrow an interview suit")


def test_an_alias_another_program_has_is_refused(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/interview-suit"
    before = (admin_env.live / "programs.yaml").read_bytes()
    record = get_record(admin_env.live, "interview-suit")
    response = save(client, record, record_version(record), url=url,
                    aliases_ko="\n".join([*record["aliases"]["ko"], "일자리 카페"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[-1500:]
    assert (f"aliases.ko[{len(record['aliases']['ko'])}]: &#39;일자리 카페&#39; is already a name or alias of "
            f"program &#39;job-cafe&#39; (no alias is shared by two programs)") in html
    assert (admin_env.live / "programs.yaml").read_bytes() == before
