/* Seoul program finder widget.
 *
 * Embed: <script src="https://HOST/widget.js" data-lang="ko" async></script>
 * Options (data- attributes on that tag): lang (ko|en), position (right|left), accent (#hex),
 * open (true|false); mode="page" + mount="<element id>" render it full-page (used by GET /).
 *
 * Everything is drawn in an open Shadow DOM under <seoul-finder-widget>, so host CSS cannot reach
 * it and its CSS cannot reach the host. Every string from the API, the report or the citizen is
 * put in the page as text (textContent / text nodes), never parsed as HTML. Nothing typed is kept:
 * no cookies, no storage; the form's answers live only in the open panel.
 */
(function () {
  "use strict";

  var SERVER = /*@SERVER@*/null;  // the server replaces this with versions, limits and choices
  var TAG = "seoul-finder-widget";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!SERVER || !script || !window.customElements || document.querySelector(TAG)) return;
  var BASE = new URL(script.src, location.href).origin;

  var STRINGS = {
    ko: {
      launcher: "정책 도우미",
      launcherLabel: "서울시 정책 도우미 열기",
      title: "서울시 정책 도우미",
      subtitle: "서울시 경제정책실 「2024 업무보고」를 근거로 답합니다",
      close: "도우미 닫기",
      language: "화면 언어",
      tabs: "도우미 기능",
      tabAsk: "질문하기",
      tabMatch: "나에게 맞는 사업",
      welcome: "서울시 경제정책실 사업에 대해 물어보세요. 모든 답에는 근거가 된 보고서 문단을 함께 보여 드립니다. 영어로 물으면 영어로 답합니다.",
      questionLabel: "질문",
      placeholder: "예: 면접 정장은 1년에 몇 번 빌릴 수 있나요?",
      send: "보내기",
      count: "{n}/{max}자",
      you: "내 질문: ",
      thinking: "답을 찾는 중입니다…",
      answered: "답변이 도착했습니다. ",
      statusLabel: { partial: "보고서에 일부만 나와 있어요", not_in_report: "보고서에 없는 내용이에요", clarify: "무엇을 찾으시는지 알려 주세요" },
      suggestions: "관련이 있을 수도 있는 사업 (이 질문의 답은 아닙니다)",
      choicePrograms: "{label} 분야 사업",
      sources: "근거 문단 ({n}개)",
      moreSources: "근거 더 보기 ({n}개)",
      edition: "{e} 업무보고",
      lines: "{s}–{e}행",
      line: "{s}행",
      programs: "관련 사업",
      eligibilityFor: "신청 자격: {name}",
      feedbackQ: "도움이 되었나요?",
      up: "도움이 됨",
      down: "도움이 안 됨",
      commentLabel: "의견 (선택)",
      commentHint: "이름·전화번호·이메일 같은 개인정보는 적지 마세요. 적더라도 저장하기 전에 가려집니다.",
      commentSend: "의견 보내기",
      thanks: "평가해 주셔서 감사합니다.",
      commentThanks: "의견이 전달되었습니다.",
      verdict: { eligible: "대상", unknown: "확인 필요", ineligible: "대상 아님" },
      status: { met: "충족", not_met: "충족하지 않음", unknown: "확인 필요", info: "참고" },
      ongoing: "진행 중",
      matchIntro: "아는 항목만 고르면 됩니다. 빈 항목은 '확인 필요'로 표시됩니다.",
      privacy: "입력한 내용은 저장되지 않습니다. 결과를 계산하는 데만 쓰이고, 이 창을 닫거나 '지우기'를 누르면 사라집니다.",
      age: "만 나이",
      ageError: "0에서 120 사이의 숫자로 적어 주세요.",
      seoul: "서울에 살고 있나요?",
      yes: "예",
      no: "아니요",
      unset: "선택 안 함",
      employment: "지금 하는 일",
      income: "가구 소득 (기준중위소득 대비)",
      incomeHint: "기준중위소득의 몇 %인지 모르면 비워 두세요.",
      incomeUpTo: "{p}% 이하",
      incomeRange: "{a}% 초과 ~ {p}% 이하",
      incomeAbove: "{p}% 초과",
      interests: "관심 분야",
      find: "사업 찾기",
      clear: "지우기",
      searching: "맞는 사업을 찾는 중입니다…",
      asOf: "{edition} 업무보고 기준 ({date})",
      groupEligible: "신청할 수 있어요 ({n})",
      groupUnknown: "확인이 필요한 사업 {n}개 보기",
      groupIneligible: "대상이 아닌 사업 {n}개 보기",
      resultsHead: "결과: 대상 {a}개, 확인 필요 {b}개, 대상 아님 {c}개",
      copyUnknown: "확인이 필요해요 ({n})", copyIneligible: "대상이 아니에요 ({n})",
      keep: { copy: "결과 복사", print: "인쇄", share: "공유 링크 복사", copied: "복사했습니다.",
        linkCopied: "공유 링크를 복사했습니다. 링크에는 입력한 조건이 들어 있으며 서버로 보내지 않습니다.",
        link: "공유 링크", cityNote: "서울시 제공 안내" },
      none: "해당하는 사업이 없습니다.",
      found: "대상 {a}개, 확인 필요 {b}개, 대상 아님 {c}개.",
      missing: "알려 주시면 판단할 수 있어요: ",
      nextSteps: { title: "다음 단계", general: "문의 안내", apply: "신청 방법", office: "담당", phone: "전화",
        web: "누리집", hours: "운영 시간", note: "서울시가 제공한 안내이며 업무보고 내용이 아닙니다.",
        checked: "{by} 제공 · {date} 확인" },
      nextDates: "일정",
      source: "출처: {doc}, {lines}",
      footer: "답은 「2024 업무보고」 원문을 인용합니다. 자격은 담당 부서에 확인하세요.",
      errors: {
        rate_limited: "요청이 너무 많습니다. {s}초 뒤에 다시 시도해 주세요.",
        index_not_ready: "도우미를 준비하는 중입니다. 잠시 뒤 다시 시도해 주세요.",
        network: "서버에 연결하지 못했습니다. 인터넷 연결을 확인해 주세요.",
        not_found: "이 기능은 아직 준비 중입니다.",
        generic: "문제가 생겼습니다. 잠시 뒤 다시 시도해 주세요."
      },
      employmentOptions: {
        unemployed: "구직 중 (실업)", employed: "직장인", day_laborer: "일용근로자", student: "학생",
        self_employed: "자영업자", business_owner: "사업주", retired: "은퇴"
      },
      interestOptions: {
        jobs: "일자리", training: "직업교육", startup: "창업", business: "소상공인·기업 지원",
        finance: "금융·자금", "industry-cluster": "산업거점", "culture-industry": "문화·콘텐츠산업",
        international: "국제·외국인", facility: "시설 이용", "public-jobs": "공공일자리"
      },
      fields: {
        age: "나이", resident_of_seoul: "서울 거주", employment_status: "지금 하는 일",
        income_pct_of_median: "가구 소득", household_assets_krw: "가구 재산", is_foreign_student: "외국인 유학생",
        business: "사업체", "business.size": "기업 규모", "business.years_since_founding": "창업 경과연수",
        "business.industry": "업종", "business.in_seoul": "사업체 소재지", "business.certified": "공공기관 인증", times_used: "이용·참여 횟수", no_shows: "노쇼 횟수",
        "business.annual_sales_krw": "연 매출", prototype_ready: "현장 설치 가능한 시제품", it_major: "IT·컴퓨터 전공", course_completed: "과정 수료", gunpo_resident: "군포시 거주"
      }
    },
    en: {
      launcher: "Program finder",
      launcherLabel: "Open the Seoul program finder",
      title: "Seoul program finder",
      subtitle: "Answers from the Seoul Economic Policy Office 2024 work report",
      close: "Close the program finder",
      language: "Display language",
      tabs: "Finder features",
      tabAsk: "Ask",
      tabMatch: "Programs for me",
      welcome: "Ask about the Economic Policy Office's programs. Every answer shows the report passages it rests on. Ask in Korean for an answer in Korean.",
      questionLabel: "Your question",
      placeholder: "e.g. How often can I borrow a suit?",
      send: "Send",
      count: "{n}/{max} characters",
      you: "Your question: ",
      thinking: "Looking for the answer…",
      answered: "New answer. ",
      statusLabel: { partial: "Only partly in the report", not_in_report: "Not in the report", clarify: "Tell us what you are looking for" },
      suggestions: "Programs that may be related (not an answer to this question)",
      choicePrograms: "Programs: {label}",
      sources: "Sources ({n} passages)",
      moreSources: "More sources ({n})",
      edition: "{e} work report",
      lines: "lines {s}–{e}",
      line: "line {s}",
      programs: "Related programs",
      eligibilityFor: "Who can apply: {name}",
      feedbackQ: "Was this helpful?",
      up: "Helpful",
      down: "Not helpful",
      commentLabel: "Comment (optional)",
      commentHint: "Please leave out names, phone numbers and e-mail addresses. Any that are typed are masked before saving.",
      commentSend: "Send comment",
      thanks: "Thank you for rating this answer.",
      commentThanks: "Your comment was sent.",
      verdict: { eligible: "Eligible", unknown: "Check needed", ineligible: "Not eligible" },
      status: { met: "met", not_met: "not met", unknown: "to check", info: "for information" },
      ongoing: "ongoing",
      matchIntro: "Fill in only what you know; anything left blank is marked 'check needed'.",
      privacy: "Nothing you enter here is stored. It is used only to work out the results and is gone when you close this panel or press 'Clear'.",
      age: "Age",
      ageError: "Enter a number from 0 to 120.",
      seoul: "Do you live in Seoul?",
      yes: "Yes",
      no: "No",
      unset: "Not saying",
      employment: "What you do now",
      income: "Household income (as a share of the standard median income)",
      incomeHint: "Leave it blank if you do not know the percentage.",
      incomeUpTo: "up to {p}%",
      incomeRange: "over {a}% up to {p}%",
      incomeAbove: "over {p}%",
      interests: "Interests",
      find: "Find programs",
      clear: "Clear",
      searching: "Looking for programs…",
      asOf: "{edition} work report, as of {date}",
      groupEligible: "You can apply ({n})",
      groupUnknown: "Show {n} programs to check",
      groupIneligible: "Show {n} programs you are not eligible for",
      resultsHead: "Results: {a} eligible, {b} to check, {c} not eligible",
      copyUnknown: "Check needed ({n})", copyIneligible: "Not eligible ({n})",
      keep: { copy: "Copy results", print: "Print", share: "Copy share link", copied: "Copied.",
        linkCopied: "Share link copied. It holds what you entered and is never sent to our server.",
        link: "Share link", cityNote: "from the City of Seoul" },
      none: "No programs here.",
      found: "{a} eligible, {b} to check, {c} not eligible.",
      missing: "Tell us to decide: ",
      nextSteps: { title: "Next steps", general: "Where to ask", apply: "How to apply", office: "Office", phone: "Phone",
        web: "Website", hours: "Opening hours", note: "Provided by the City of Seoul, not from the work report.",
        checked: "Provided by {by} · checked {date}" },
      nextDates: "Dates",
      source: "Source: {doc}, {lines}",
      footer: "Answers quote the 2024 work report. Confirm eligibility with the office in charge.",
      errors: {
        rate_limited: "Too many requests. Please try again in {s} seconds.",
        index_not_ready: "The finder is starting up. Please try again shortly.",
        network: "Could not reach the server. Please check your connection.",
        not_found: "This feature is not available yet.",
        generic: "Something went wrong. Please try again shortly."
      },
      employmentOptions: {
        unemployed: "Looking for work", employed: "Employed", day_laborer: "Day laborer", student: "Student",
        self_employed: "Self-employed", business_owner: "Business owner", retired: "Retired"
      },
      interestOptions: {
        jobs: "Jobs", training: "Job training", startup: "Starting a business", business: "Small business support",
        finance: "Finance and loans", "industry-cluster": "Industry hubs", "culture-industry": "Culture and content industry",
        international: "International", facility: "Facilities", "public-jobs": "Public jobs"
      },
      fields: {
        age: "age", resident_of_seoul: "Seoul residence", employment_status: "what you do now",
        income_pct_of_median: "household income", household_assets_krw: "household assets", is_foreign_student: "foreign student",
        business: "business", "business.size": "business size", "business.years_since_founding": "years since founding",
        "business.industry": "industry", "business.in_seoul": "business location", "business.certified": "public certification", times_used: "times already used", no_shows: "bookings missed",
        "business.annual_sales_krw": "annual sales", prototype_ready: "finished prototype", it_major: "IT or computer-science major", course_completed: "finished the course", gunpo_resident: "lives in Gunpo"
      }
    }
  };
  var VERDICTS = ["eligible", "unknown", "ineligible"];
  var STATUS_MARK = { met: "✓", not_met: "✗", unknown: "?", info: "i" };

  var data = script.dataset;
  var pageMode = data.mode === "page";
  var state = {
    lang: STRINGS[data.lang] ? data.lang : "ko",
    bindings: [],
    facts: {},                 // language -> Promise<{id: program}>, fetched once per language
    editions: {},              // document id -> edition ("2024"), learnt from answers and matches
    idSeq: 0
  };

  // ---------------------------------------------------------------- DOM and text helpers
  /** Element builder: attributes, listeners (onX) and children; strings become text nodes. */
  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    add(node, children);
    return node;
  }
  function add(node, children) {
    [].concat(children === undefined ? [] : children).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function uid(prefix) { state.idSeq += 1; return "sf-" + prefix + "-" + state.idSeq; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function lookup(lang, key) {
    return key.split(".").reduce(function (obj, part) { return obj && obj[part]; }, STRINGS[lang]);
  }
  function t(key, params, lang) {
    var text = lookup(lang || state.pin || state.lang, key);
    if (typeof text !== "string") text = lookup("en", key);
    if (typeof text !== "string") return key.split(".").pop();
    return text.replace(/\{(\w+)\}/g, function (m, name) { return params && name in params ? params[name] : m; });
  }
  /** Text (or an attribute) that follows the UI language when the citizen switches it — except
      inside an answer, drawn under inLang: there it stays in the answer's language. */
  function bind(node, key, params, attr) {
    var binding = { node: node, key: key, params: params, attr: attr, lang: state.pin };
    if (!state.pin) state.bindings.push(binding);
    apply(binding);
    return node;
  }
  /** ``fn`` with every label it draws in ``lang``, fixed: an answer is one language, its labels
      included (a Chinese question had a Korean status label over its English answer). */
  function inLang(lang, fn) {
    return function () {
      var before = state.pin;
      state.pin = lang;
      try { return fn.apply(this, arguments); } finally { state.pin = before; }
    };
  }
  function apply(b) {
    var before = state.pin;
    state.pin = b.lang || before;       // a function key calls t() itself
    try {
      var text = typeof b.key === "function" ? b.key() : t(b.key, b.params, b.lang);
    } finally { state.pin = before; }
    if (b.attr) b.node.setAttribute(b.attr, text); else b.node.textContent = text;
  }
  function T(tag, key, params, props) { return bind(h(tag, props), key, params); }
  /** A {ko, en} value (or a plain string) in the wanted language. */
  function loc(value, lang) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    return value[lang || state.lang] || value.ko || value.en || "";
  }
  function formatWhen(when, lang) {
    return String(when).split("..").map(function (point) {
      var q = /^(\d{4})-Q([1-4])$/.exec(point);
      if (q) return lang === "ko" ? q[1] + "년 " + q[2] + "분기" : "Q" + q[2] + " " + q[1];
      var d = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(point);
      if (!d) return point;
      if (lang === "ko") return d[1] + "년 " + Number(d[2]) + "월" + (d[3] ? " " + Number(d[3]) + "일" : "");
      var date = new Date(Date.UTC(+d[1], +d[2] - 1, d[3] ? +d[3] : 1));
      return date.toLocaleDateString("en-GB", d[3] ? { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }
        : { month: "long", year: "numeric", timeZone: "UTC" });
    }).join(" – ");
  }

  // ---------------------------------------------------------------- colours
  function parseHex(hex) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return null;
    var s = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(s.substr(i, 2), 16); });
  }
  function luminance(rgb) {
    var c = rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) { var x = luminance(a), y = luminance(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  /** The host's accent with companions that keep AA contrast whatever colour it picks. */
  function applyAccent(host, hex) {
    var rgb = parseHex(hex) || parseHex("#1d4ed8");
    var white = [255, 255, 255], ink = [27, 27, 31];
    var accent = "#" + rgb.map(function (v) { return ("0" + v.toString(16)).slice(-2); }).join("");
    host.style.setProperty("--accent", accent);
    host.style.setProperty("--on-accent", contrast(rgb, white) >= 4.5 ? "#ffffff" : "#1b1b1f");
    host.style.setProperty("--accent-ink", contrast(rgb, white) >= 4.5 ? accent : "#1b1b1f");
    return contrast(rgb, ink);
  }

  // ---------------------------------------------------------------- API
  function ApiError(status, body, retryAfter) {
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? "network" : status === 404 ? "not_found" : "generic");
    this.retryAfter = retryAfter;
  }
  function api(path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 30000);
    var init = { method: body ? "POST" : "GET", credentials: "omit", mode: "cors", signal: controller.signal,
      headers: body ? { "Content-Type": "application/json" } : {} };
    if (body) init.body = JSON.stringify(body);
    return fetch(BASE + path, init).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (json) {
        if (!res.ok) throw new ApiError(res.status, json && json.error, res.headers.get("Retry-After"));
        return json;
      });
    }, function () { throw new ApiError(0, null); }).finally(function () { clearTimeout(timer); });
  }
  function errorText(err) {
    var code = err instanceof ApiError ? err.code : "generic";
    if (!lookup(state.lang, "errors." + code)) code = "generic";
    return t("errors." + code, { s: (err && err.retryAfter) || "60" });
  }
  /** Summary and next dates of every program, for the cards under an answer. /api/match with an
      empty profile is the one route that returns both, with "next" judged by the server's date;
      it carries no personal data. A server without it simply gives cards without them. */
  function programFacts(lang) {
    if (!state.facts[lang]) {
      state.facts[lang] = api("/api/match", { profile: {}, lang: lang, include_ineligible: true }).then(function (json) {
        var byId = {};
        ((json && json.programs) || []).forEach(function (p) { if (p && p.id) byId[p.id] = p; });
        return byId;
      }, function () { return {}; });
    }
    return state.facts[lang];
  }

  // ---------------------------------------------------------------- shared renderers
  /** The program an eligibility verdict is about: {id, name}, or an id alone. */
  function programId(e) { return e.program && typeof e.program === "object" ? e.program.id : e.program; }
  function badge(verdict) {
    if (VERDICTS.indexOf(verdict) < 0) return null;
    return T("span", "verdict." + verdict, null, { class: "badge " + verdict });
  }
  function statusKey(status) {
    if (status === "met" || status === "pass" || status === true) return "met";
    if (status === "not_met" || status === "fail" || status === "unmet" || status === false) return "not_met";
    return status === "info" ? "info" : "unknown";
  }
  function linesText(lines) {
    if (!lines || !lines.length) return "";
    return lines[1] && lines[1] !== lines[0] ? t("lines", { s: lines[0], e: lines[1] }) : t("line", { s: lines[0] });
  }
  /** "2024 업무보고" for a report whose edition is known, else the document id. */
  function documentLabel(id) {
    var edition = state.editions[id] || state.editions["*"];
    return edition ? t("edition", { e: edition }) : id || "";
  }
  function clauseBlock(clause) {
    if (!clause || !clause.text) return null;
    return h("blockquote", { class: "clause", lang: "ko" }, [
      clause.text,
      h("cite", {}, bind(h("span"), function () {
        return t("source", { doc: documentLabel(clause.document), lines: linesText(clause.lines) });
      }))
    ]);
  }
  function criteriaList(criteria) {
    if (!criteria || !criteria.length) return null;
    return h("ul", { class: "criteria" }, criteria.map(function (c) {
      var key = statusKey(c.status);
      return h("li", { class: key }, [
        h("span", { class: "mark", "aria-hidden": "true" }, STATUS_MARK[key]),
        T("span", "status." + key, null, { class: "sr-only" }),
        " ",
        c.field ? bind(h("strong"), function () { return t("fields." + c.field) + ": "; }) : null,
        loc(c.rule),
        clauseBlock(c.clause)
      ]);
    }));
  }
  function missingLine(missing) {
    if (!missing || !missing.length) return null;
    return bind(h("p", { class: "missing" }), function () {
      return t("missing") + missing.map(function (f) { return t("fields." + f); }).join(", ");
    });
  }
  function datesList(dates, lang) {
    if (!dates || !dates.length) return null;
    return h("div", { class: "dates" }, [
      T("h5", "nextDates", null, { class: "sr-only" }),
      h("ul", {}, dates.slice(0, 3).map(function (d) {
        if (typeof d !== "object") return h("li", {}, formatWhen(d, lang));
        return h("li", {}, [formatWhen(d.when || d.date || "", lang), d.what ? " · " + loc(d.what, lang) : "",
          d.status === "ongoing" ? " (" + t("ongoing", null, lang) + ")" : ""]);
      }))
    ]);
  }
  /** "Ⅳ. … › 1. … › □ 사업개요" → "□ 사업개요": the heading a citizen recognises; the full path
      is shown when the source is opened. */
  function shortSection(path) {
    var parts = String(path || "").split(" › ");
    return parts[parts.length - 1] || "";
  }
  /** A passage as text nodes: the quoted lines marked (matched across the report's line breaks),
      footnote marks ("DT3)", "UI/UX4)") set as footnote numbers instead of raw text. */
  function passageNodes(text, quoted) {
    var marks = [];
    quoted.forEach(function (q) {
      var piece = String(q).split("…").sort(function (a, b) { return b.length - a.length; })[0];   // a shortened quote
      var chars = piece.replace(/\s+/g, "").split("").map(function (ch) { return ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
      if (!chars.length) return;
      var found = new RegExp(chars.join("\\s*")).exec(text);
      if (found) marks.push([found.index, found.index + found[0].length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var nodes = [], at = 0;
    marks.forEach(function (m) {
      if (m[0] < at) return;
      nodes = nodes.concat(footnoted(text.slice(at, m[0])), h("mark", {}, footnoted(text.slice(m[0], m[1]))));
      at = m[1];
    });
    return nodes.concat(footnoted(text.slice(at)));
  }
  function footnoted(text) {
    var nodes = [], at = 0, re = /([A-Za-z가-힣])(\d{1,2})\)/g, m;
    while ((m = re.exec(text))) {
      nodes.push(text.slice(at, m.index + 1), h("sup", { class: "fn" }, m[2]));
      at = m.index + m[0].length;
    }
    nodes.push(text.slice(at));
    return nodes;
  }
  /** The clipboard where the page allows it, else a selected hidden text box (older browsers, http). */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var box = h("textarea", { readonly: true }, text);
      box.style.position = "fixed";       // CSSOM, not a style attribute: allowed under a strict CSP
      box.style.left = "-9999px";
      document.body.appendChild(box);
      box.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(box);
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }
  /** The city's next steps (staff-given, not the report): labelled and dated, never set as a
      quote, so they cannot be read as the report's words. */
  /** The fields of the city's next steps, each with its label key, in the order they are shown. */
  var NEXT_STEP_ROWS = [["how_to_apply", "apply"], ["office", "office"], ["phone", "phone"], ["web", "web"], ["hours", "hours"]];
  function nextStepsBlock(ns) {
    if (!ns) return null;
    var items = [];
    NEXT_STEP_ROWS.forEach(function (r) {
      var value = ns[r[0]];
      if (!value) return;
      var shown = value;
      if (r[0] === "phone") shown = h("a", { href: "tel:" + String(value).replace(/[^\d+]/g, "") }, value);
      if (r[0] === "web" && /^https?:\/\//.test(value)) shown = h("a", { href: value, target: "_blank", rel: "noopener noreferrer" }, value);
      items.push(T("dt", "nextSteps." + r[1]), h("dd", {}, shown));
    });
    return h("section", { class: "next-steps", "data-source": "city", "data-general": String(!!ns.general) }, [
      T("h4", ns.general ? "nextSteps.general" : "nextSteps.title"),
      h("dl", {}, items),
      T("p", "nextSteps.note", null, { class: "note" }),
      T("p", "nextSteps.checked", { by: ns.provided_by || "", date: ns.checked_on || "" }, { class: "note" })
    ]);
  }
  /** A program card: name, one-line summary, verdict badge when known, next dates, criteria. */
  function programCard(p, lang, extra) {
    var card = h("li", { class: "card", "data-program": p.id }, [
      h("h4", { lang: lang }, [loc(p.name, lang), badge(p.verdict)]),
      p.summary ? h("p", { class: "summary", lang: lang }, loc(p.summary, lang)) : null,
      datesList(p.next_dates, lang)
    ]);
    return add(card, extra || []);
  }

  // ---------------------------------------------------------------- the widget
  function mount() {
    var host = document.createElement(TAG);
    if (pageMode) host.setAttribute("data-mode", "page");
    var shadow = host.attachShadow({ mode: "open" });
    applyAccent(host, data.accent);
    var root = h("div", { class: "root", "data-position": data.position === "left" ? "left" : "right",
      "data-mode": pageMode ? "page" : "launcher", hidden: true });
    var stylesheet = h("link", { rel: "stylesheet", href: BASE + SERVER.css });
    // shown once styled, so the host page never flashes an unstyled panel
    var styled = new Promise(function (resolve) {
      stylesheet.addEventListener("load", resolve);
      stylesheet.addEventListener("error", resolve);
    }).then(function () { root.hidden = false; });
    shadow.appendChild(stylesheet);
    shadow.appendChild(root);

    var live = h("div", { class: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    function announce(text) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 50); }

    var panelId = uid("panel"), titleId = uid("title");
    var launcher = null;
    if (!pageMode) {
      launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": panelId,
        "aria-haspopup": "dialog", onclick: function () { if (panel.hidden) open(); else close(); } }, [icon("chat"), T("span", "launcher")]);
      bind(launcher, "launcherLabel", null, "aria-label");
    }

    var langButtons = ["ko", "en"].map(function (code) {
      return h("button", { type: "button", lang: code, "aria-pressed": String(code === state.lang),
        onclick: function () { setLang(code); } }, code === "ko" ? "한국어" : "English");
    });
    var closeButton = pageMode ? null : bind(h("button", { type: "button", class: "close", onclick: function () { close(); } }, icon("close")),
      "close", null, "aria-label");
    var head = h("div", { class: "head" }, [
      h("div", { class: "titles" }, [T(pageMode ? "h1" : "h2", "title", null, { id: titleId }), T("p", "subtitle")]),
      bind(h("div", { class: "langs", role: "group" }, langButtons), "language", null, "aria-label"),
      closeButton
    ]);

    var chat = chatView(announce, function () { tabs.select(1, true); });
    var match = matchView(announce);
    var tabs = tabBar([["tabAsk", chat.view], ["tabMatch", match.view]]);
    var panel = h("div", { class: "panel", id: panelId, "aria-labelledby": titleId, hidden: !pageMode },
      [head, tabs.bar, chat.view, match.view, T("p", "footer", null, { class: "foot" }), live]);
    if (pageMode) panel.setAttribute("role", "region");
    else { panel.setAttribute("role", "dialog"); panel.setAttribute("aria-modal", "true"); }
    add(root, [launcher, panel]);

    function setLang(code) {
      state.lang = code;
      root.setAttribute("lang", code);
      langButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.lang === code)); });
      state.bindings.forEach(apply);
    }
    var fullScreen = window.matchMedia("(max-width: 480px), (max-height: 560px)");
    var pageOverflow = null;
    /** Behind a panel that covers the screen the host page must not scroll (a phone scrolls it
        under the finger otherwise). */
    function lockPage(lock) {
      var page = document.documentElement;
      if (lock && fullScreen.matches && pageOverflow === null) {
        pageOverflow = page.style.overflow;
        page.style.overflow = "hidden";
      } else if (!lock && pageOverflow !== null) {
        page.style.overflow = pageOverflow;
        pageOverflow = null;
      }
    }
    fullScreen.addEventListener("change", function () { if (!panel.hidden) { lockPage(false); lockPage(true); } });
    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      lockPage(true);
      if (chat.view.hidden) tabs.focus(); else chat.focus();
    }
    function close() {
      if (pageMode) return;
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      lockPage(false);
      match.forget();
      launcher.focus();
    }
    // Esc closes from anywhere while the panel is open, also when focus has left it
    document.addEventListener("keydown", function (event) {
      if (pageMode || panel.hidden || event.key !== "Escape") return;
      event.preventDefault();
      close();
    });
    panel.addEventListener("keydown", function (event) {
      if (!pageMode && event.key === "Tab") trapFocus(event, panel, shadow);
    });

    setLang(state.lang);
    var target = pageMode && data.mount ? document.getElementById(data.mount) : null;
    (target || document.body).appendChild(host);
    var shared = sharedProfile();
    if (shared) {
      styled.then(function () {
        if (!pageMode) open();
        tabs.select(1, false);
        match.restore(shared);
      });
    } else if (!pageMode && data.open === "true") styled.then(open);
  }

  /** A profile carried in the page's fragment by a share link (#sf-profile=…): read here, in the
      browser, never sent anywhere; anything unreadable is ignored. */
  function sharedProfile() {
    var match = /(?:^#|&)sf-profile=([^&]*)/.exec(location.hash || "");
    if (!match) return null;
    try {
      var p = JSON.parse(decodeURIComponent(match[1]));
      return p && typeof p === "object" && !Array.isArray(p) ? p : null;
    } catch (e) { return null; }
  }
  /** Inline SVG icons (no emoji: without an emoji font they render as empty boxes), always
      beside a text label or an aria-label. */
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z",
    close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
    up: "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z",
    down: "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z"
  };
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", ICONS[name || "chat"]);
    svg.appendChild(path);
    return svg;
  }

  /** Keeps Tab and Shift+Tab inside the open dialog (aria-modal promises that). */
  function trapFocus(event, panel, shadow) {
    var items = Array.prototype.filter.call(panel.querySelectorAll(
      'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'),
    function (el) { return el.getClientRects().length > 0 && !el.closest("[hidden]"); });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = shadow.activeElement;
    if (event.shiftKey && (active === first || !panel.contains(active))) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (active === last || !panel.contains(active))) { event.preventDefault(); first.focus(); }
  }

  /** ARIA tabs: arrow keys move between tabs, only the selected one is in the Tab order. */
  function tabBar(items) {
    var buttons = items.map(function (item, i) {
      var id = uid("tab"), view = item[1];
      view.setAttribute("role", "tabpanel");
      view.setAttribute("aria-labelledby", id);
      view.id = view.id || uid("tabpanel");
      return T("button", item[0], null, { type: "button", role: "tab", id: id, "aria-controls": view.id,
        onclick: function () { select(i, false); } });
    });
    function select(index, focus) {
      buttons.forEach(function (b, i) {
        b.setAttribute("aria-selected", String(i === index));
        b.tabIndex = i === index ? 0 : -1;
        items[i][1].hidden = i !== index;
      });
      if (focus) buttons[index].focus();
    }
    var bar = bind(h("div", { class: "tabs", role: "tablist", onkeydown: function (event) {
      var current = buttons.indexOf(event.target), next = null;
      if (event.key === "ArrowRight") next = (current + 1) % buttons.length;
      else if (event.key === "ArrowLeft") next = (current - 1 + buttons.length) % buttons.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next !== null && current >= 0) { event.preventDefault(); select(next, true); }
    } }, buttons), "tabs", null, "aria-label");
    select(0, false);
    return { bar: bar, select: select,
      focus: function () { buttons.filter(function (b) { return b.tabIndex === 0; })[0].focus(); } };
  }

  // ---------------------------------------------------------------- chat
  function chatView(announce, openMatch) {
    var max = SERVER.limits.question;
    var log = h("div", { class: "scroll", tabindex: "-1" }, [T("p", "welcome", null, { class: "note" })]);
    var inputId = uid("question"), countId = uid("count");
    var input = h("textarea", { id: inputId, rows: "2", maxlength: max, "aria-describedby": countId, autocomplete: "off",
      oninput: function () { count.textContent = countText(); }, onkeydown: function (event) {
        // Enter sends, Shift+Enter breaks the line; never while a Korean IME is composing
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
          event.preventDefault();
          form.requestSubmit();
        }
      } });
    bind(input, "placeholder", null, "placeholder");
    var count = h("span", { class: "count", id: countId });
    function countText() { return t("count", { n: input.value.length, max: max }); }
    bind(count, countText);
    var sendButton = T("button", "send", null, { type: "submit", class: "primary" });
    var form = h("form", { class: "ask", onsubmit: function (event) { event.preventDefault(); ask(); } }, [
      h("div", { class: "field" }, [T("label", "questionLabel", null, { for: inputId, class: "sr-only" }), input, count]),
      sendButton
    ]);
    var view = h("div", { class: "view" }, [log, form]);

    function ask() {
      var question = input.value.trim();
      if (!question || sendButton.disabled) return;
      sendButton.disabled = true;
      log.setAttribute("aria-busy", "true");
      var turn = h("article", { class: "turn" }, [
        h("p", { class: "bubble-q" }, [T("span", "you", null, { class: "sr-only" }), question])
      ]);
      var pending = T("p", "thinking", null, { class: "note" });
      add(log, add(turn, pending));
      announce(t("thinking"));
      reveal(turn);
      api("/api/ask", { question: question }).then(function (answer) {
        turn.removeChild(pending);
        renderAnswer(turn, question, answer);
        input.value = "";
        count.textContent = countText();
        announce(t("answered") + answer.answer);
      }, function (err) {
        turn.removeChild(pending);
        var text = errorText(err);
        add(turn, h("p", { class: "error", role: "alert" }, text));
      }).finally(function () {
        sendButton.disabled = false;
        log.removeAttribute("aria-busy");
        reveal(turn);
      });
    }

    /** Scrolls the conversation (or, on short screens, the panel) so ``el`` starts at the top.
        scrollIntoView would also scroll the host page. */
    function reveal(el) {
      var scroller = getComputedStyle(log).overflowY === "auto" ? log : log.closest(".panel");
      scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    }

    /** Each status looks different: a refusal or a question back never looks like an answer. The
        whole turn is in the answer's language (inLang), whatever the widget's. */
    function renderAnswer(turn, question, answer) {
      inLang(answer.answer_language === "en" ? "en" : "ko", drawAnswer)(turn, question, answer);
    }
    function drawAnswer(turn, question, answer) {
      var lang = state.pin;
      var status = answer.status || (answer.grounded ? "answered" : "not_in_report");
      var bubble = h("div", { class: "bubble-a status-" + status, lang: lang, "data-status": status }, [
        status === "answered" ? null : T("p", "statusLabel." + status, null, { class: "status-label" }),
        h("p", {}, answer.answer)
      ]);
      add(turn, bubble);
      if (status === "partial") add(turn, nextStepsBlock(answer.next_steps));
      var names = {};
      (answer.programs || []).forEach(function (p) { names[p.id] = p.name; });
      (answer.citations || []).forEach(function (c) { if (c.edition) state.editions[c.document] = c.edition; });
      if (answer.choices && answer.choices.length) add(turn, choiceButtons(turn, answer.choices, lang));
      if (answer.eligibility) add(turn, eligibilityBlock(answer.eligibility, names));
      add(turn, citations(answer.citations || [], names, lang, answer.quotes || []));
      // next steps once per program: not again on the card of the program the answer showed them for
      var stepsShown = {};
      if (status === "partial" && answer.next_steps && answer.programs && answer.programs[0]) stepsShown[answer.programs[0].id] = true;
      if (answer.eligibility && answer.eligibility.next_steps) stepsShown[programId(answer.eligibility)] = true;
      if (status === "answered" || status === "partial") add(turn, programCards(answer.programs || [], answer.eligibility, lang, stepsShown));
      if (answer.suggestions && answer.suggestions.length) add(turn, suggestionList(answer.suggestions, lang));
      if (answer.answer_id) add(turn, feedback(answer.answer_id, question));
    }

    /** The closest programs of a "not in the report" answer: names only, under a label that says
        they are not the answer. */
    function suggestionList(list, lang) {
      return h("section", { class: "suggestions" }, [T("h3", "suggestions"),
        h("ul", {}, list.map(function (p) { return h("li", { lang: lang, "data-program": p.id }, p.name); }))]);
    }

    /** A question back: each choice lists a category's programs or opens the profile form. */
    function choiceButtons(turn, choices, lang) {
      var results = h("div", { class: "choice-results" });
      var buttons = choices.map(function (c) {
        return h("button", { type: "button", class: "secondary choice", lang: lang, onclick: inLang(lang, function () {
          if (c.action === "profile") { openMatch(); return; }
          var query = c.category ? "category=" + encodeURIComponent(c.category) : "audience=" + encodeURIComponent(c.audience);
          api("/api/programs?" + query + "&lang=" + lang).then(inLang(lang, function (body) {
            results.textContent = "";
            add(results, h("section", {}, [
              bind(h("h3"), function () { return t("choicePrograms", { label: c.label }); }),
              h("ul", { class: "cards" }, (body.programs || []).map(function (p) {
                return programCard(p, lang, [nextStepsBlock(p.next_steps)]);
              }))
            ]));
            reveal(results);
          }), function (err) { results.textContent = errorText(err); });
        }) }, c.label);
      });
      return h("div", { class: "choices", role: "group" }, [h("div", { class: "choice-row" }, buttons), results]);
    }

    function eligibilityBlock(e, names) {
      var name = (e.program && e.program.name) || names[programId(e)] || programId(e) || "";
      return h("section", { class: "card" }, [
        h("h3", {}, [bind(h("span"), function () { return t("eligibilityFor", { name: name }); }), " ", badge(e.verdict)]),
        criteriaList(e.criteria),
        missingLine(e.missing),
        nextStepsBlock(e.next_steps)
      ]);
    }

    /** Evidence a citizen reads in seconds: the first source under the answer (program › its □
        heading, "2024 업무보고 · 1291–1298행"; opened, the passage with the quoted line marked and the
        full heading path), the others behind "근거 더 보기". */
    function citations(list, names, lang, quotes) {
      if (!list.length) return null;
      var cards = list.map(function (c) {
        var heading = shortSection(c.section) || c.document_title || "";
        var summary = h("summary", {}, [
          c.program_id && names[c.program_id] ? h("span", { class: "prog", lang: lang }, names[c.program_id] + " › ") : null,
          h("span", { lang: "ko" }, heading),
          bind(h("span", { class: "meta" }), function () {
            return t("edition", { e: c.edition || "" }) + " · " + linesText(c.lines);
          })
        ]);
        var quoted = quotes.filter(function (q) { return q.passage_id === c.id; }).map(function (q) { return q.text; });
        return h("details", { class: "cite", "data-passage": c.id }, [
          summary,
          c.section ? h("p", { class: "path", lang: "ko" }, c.section) : null,
          add(h("blockquote", { class: "passage", lang: "ko" }), passageNodes(c.text || "", quoted)),
          h("p", { class: "source", lang: "ko" }, c.document_title || c.document || "")
        ]);
      });
      var more = cards.length > 1 ? h("details", { class: "more-sources" },
        [T("summary", "moreSources", { n: cards.length - 1 })].concat(cards.slice(1))) : null;
      return h("section", { class: "cites" }, [T("h3", "sources", { n: list.length }), cards[0], more]);
    }

    function programCards(programs, eligibility, lang, stepsShown) {
      if (!programs.length) return null;
      var list = h("ul", { class: "cards" }, programs.slice(0, 3).map(function (p) {
        var verdict = eligibility && programId(eligibility) === p.id ? eligibility.verdict : null;
        return programCard({ id: p.id, name: p.name, verdict: verdict }, lang);
      }));
      programFacts(lang).then(inLang(lang, function (facts) {
        Array.prototype.forEach.call(list.children, function (card) {
          var fact = facts[card.getAttribute("data-program")];
          if (!fact) return;
          var title = card.firstChild;
          if (fact.summary) card.insertBefore(h("p", { class: "summary", lang: lang }, loc(fact.summary, lang)), title.nextSibling);
          add(card, [datesList(fact.next_dates, lang), stepsShown[card.getAttribute("data-program")] ? null : nextStepsBlock(fact.next_steps)]);
        });
      }));
      return h("section", {}, [T("h3", "programs"), list]);
    }

    function feedback(answerId, question) {
      var rating = null, lang = state.pin;
      var status = h("p", { class: "status", role: "status" });
      var commentId = uid("comment"), hintId = uid("hint");
      var comment = h("textarea", { id: commentId, rows: "2", maxlength: SERVER.limits.comment, "aria-describedby": hintId });
      var commentSend = T("button", "commentSend", null, { type: "submit", class: "secondary" });
      var commentForm = h("form", { class: "comment", hidden: true, onsubmit: function (event) {
        event.preventDefault();
        if (!comment.value.trim()) return;
        send(rating, comment.value).then(inLang(lang, function () {
          comment.disabled = commentSend.disabled = true;
          bind(status, "commentThanks");
        }));
      } }, [T("label", "commentLabel", null, { for: commentId }), T("p", "commentHint", null, { class: "hint", id: hintId }), comment, commentSend]);
      var thumbs = ["up", "down"].map(function (value) {
        var button = h("button", { type: "button", class: "thumb", "aria-pressed": "false", "data-rating": value,
          onclick: function () {
            rating = value;
            thumbs.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
            send(value).then(inLang(lang, function () { bind(status, "thanks"); commentForm.hidden = false; }));
          } }, [icon(value), T("span", value)]);
        return button;
      });
      function send(value, text) {
        var body = { answer_id: answerId, rating: value, question: question };
        if (text) body.comment = text;
        return api("/api/feedback", body).catch(function (err) {
          status.textContent = errorText(err);
          throw err;
        });
      }
      var group = h("div", { class: "feedback", role: "group" }, [T("span", "feedbackQ", null, { class: "q" })].concat(thumbs, [status, commentForm]));
      return bind(group, "feedbackQ", null, "aria-label");
    }

    return { view: view, focus: function () { input.focus(); } };
  }

  // ---------------------------------------------------------------- "programs for me"
  function matchView(announce) {
    var ageId = uid("age"), ageErrorId = uid("age-error"), incomeId = uid("income"), incomeHintId = uid("income-hint");
    var employmentId = uid("employment");
    var age = h("input", { type: "number", id: ageId, min: "0", max: "120", step: "1", inputmode: "numeric",
      autocomplete: "off", "aria-describedby": ageErrorId });
    var ageError = T("p", "ageError", null, { class: "field-error", id: ageErrorId, hidden: true });
    var seoulName = uid("seoul");
    var seoul = [["", "unset"], ["true", "yes"], ["false", "no"]].map(function (pair) {
      var input = h("input", { type: "radio", name: seoulName, value: pair[0], checked: pair[0] === "" });
      return { input: input, label: h("label", {}, [input, T("span", pair[1])]) };
    });
    var employment = h("select", { id: employmentId, autocomplete: "off" },
      [T("option", "unset", null, { value: "" })].concat(SERVER.employment.map(function (value) {
        return T("option", "employmentOptions." + value, null, { value: value });
      })));
    var bands = SERVER.incomeBands;
    var income = h("select", { id: incomeId, autocomplete: "off", "aria-describedby": incomeHintId },
      [T("option", "unset", null, { value: "" })].concat(bands.map(function (edge, i) {
        return T("option", i === 0 ? "incomeUpTo" : "incomeRange", { a: bands[i - 1], p: edge }, { value: String(edge) });
      }), [T("option", "incomeAbove", { p: bands[bands.length - 1] }, { value: String(bands[bands.length - 1] + 1) })]));
    var interests = SERVER.interests.map(function (value) {
      var input = h("input", { type: "checkbox", value: value });
      return { input: input, label: h("label", {}, [input, T("span", "interestOptions." + value)]) };
    });
    var findButton = T("button", "find", null, { type: "submit", class: "primary" });
    var results = h("div", { class: "results" });
    var form = h("form", { class: "match", autocomplete: "off", novalidate: true,
      onsubmit: function (event) { event.preventDefault(); find(); } }, [
      T("p", "matchIntro", null, { class: "note" }),
      h("div", {}, [T("label", "age", null, { for: ageId }), age, ageError]),
      h("fieldset", {}, [T("legend", "seoul"), h("div", { class: "choices" }, seoul.map(function (s) { return s.label; }))]),
      h("div", {}, [T("label", "employment", null, { for: employmentId }), employment]),
      h("div", {}, [T("label", "income", null, { for: incomeId }), T("p", "incomeHint", null, { class: "hint", id: incomeHintId }), income]),
      h("fieldset", {}, [T("legend", "interests"), h("div", { class: "choices" }, interests.map(function (s) { return s.label; }))]),
      h("div", { class: "actions" }, [findButton, T("button", "clear", null, { type: "button", class: "secondary", onclick: forget })])
    ]);
    var view = h("div", { class: "view", hidden: true }, [
      h("div", { class: "scroll" }, [T("p", "privacy", null, { class: "privacy" }), form, results])
    ]);

    /** The profile as /api/match wants it; only what was given is sent. */
    function profile() {
      var p = {};
      if (age.value !== "") p.age = Number(age.value);
      var place = seoul.filter(function (s) { return s.input.checked; })[0];
      if (place && place.input.value) p.resident_of_seoul = place.input.value === "true";
      if (employment.value) p.employment_status = employment.value;
      if (income.value) p.income_pct_of_median = Number(income.value);
      var chosen = interests.filter(function (s) { return s.input.checked; }).map(function (s) { return s.input.value; });
      if (chosen.length) p.interests = chosen;
      return p;
    }
    function validAge() {
      var ok = age.value === "" || (/^\d{1,3}$/.test(age.value) && Number(age.value) <= 120);
      ageError.hidden = ok;
      if (ok) age.removeAttribute("aria-invalid"); else age.setAttribute("aria-invalid", "true");
      return ok;
    }
    function find() {
      if (!validAge()) { age.focus(); return; }
      findButton.disabled = true;
      clear(results);
      add(results, T("p", "searching", null, { class: "note" }));
      var lang = state.lang;
      api("/api/match", { profile: profile(), lang: lang, include_ineligible: true }).then(function (json) {
        clear(results);
        renderResults(json, lang);
      }, function (err) {
        clear(results);
        add(results, h("p", { class: "error", role: "alert" }, errorText(err)));
      }).finally(function () { findButton.disabled = false; });
    }
    function renderResults(json, lang) {
      var groups = { eligible: [], unknown: [], ineligible: [] };
      if (json.edition) state.editions["*"] = json.edition;
      (json.programs || []).forEach(function (p) { (groups[p.verdict] || groups.unknown).push(p); });
      var counts = { a: groups.eligible.length, b: groups.unknown.length, c: groups.ineligible.length };
      // focus and scroll go to the results: a citizen on a phone must not hunt for them below the form
      var heading = T("h3", "resultsHead", counts, { class: "results-head", tabindex: "-1" });
      add(results, heading);
      if (json.edition || json.as_of) add(results, T("p", "asOf", { edition: json.edition || "", date: json.as_of || "" }, { class: "note" }));
      // the programs a person can apply for first and open; the rest collapsed behind their count
      [["eligible", "groupEligible"], ["unknown", "groupUnknown"], ["ineligible", "groupIneligible"]].forEach(function (g) {
        var items = groups[g[0]];
        var list = items.length ? h("ul", { class: "cards" }, items.map(function (p) {
          return programCard(p, lang, [criteriaList(p.criteria), missingLine(p.missing),
                                       p.verdict === "ineligible" ? null : nextStepsBlock(p.next_steps)]);
        })) : T("p", "none", null, { class: "note" });
        var section = g[0] === "eligible"
          ? h("section", { "data-verdict": g[0] }, [T("h4", g[1], { n: items.length }), list])
          : (items.length ? h("details", { class: "group", "data-verdict": g[0] }, [T("summary", g[1], { n: items.length }), list]) : null);
        add(results, section);
      });
      add(results, keepActions(json, groups, lang));
      heading.focus();
      announce(t("found", counts));
    }
    /** Results people can keep without us storing them: as text, on paper, or as a link whose
        fragment (never sent to a server) holds the profile and reopens the same results. */
    function keepActions(json, groups, lang) {
      var status = h("p", { class: "status", role: "status" });
      var link = shareLink();
      var linkBox = h("input", { type: "text", readonly: true, value: link, class: "share-link", hidden: true });
      bind(linkBox, "keep.link", null, "aria-label");
      return h("div", { class: "results-actions" }, [
        T("button", "keep.copy", null, { type: "button", class: "secondary", onclick: function () {
          copyText(resultsText(json, groups, lang, link)).then(function () { bind(status, "keep.copied"); });
        } }),
        T("button", "keep.print", null, { type: "button", class: "secondary", onclick: printResults }),
        T("button", "keep.share", null, { type: "button", class: "secondary", onclick: function () {
          linkBox.hidden = false;
          copyText(link).then(function () { bind(status, "keep.linkCopied"); }, function () { linkBox.select(); });
        } }),
        linkBox, status
      ]);
    }
    function shareLink() {
      return location.href.split("#")[0] + "#sf-profile=" + encodeURIComponent(JSON.stringify(profile()));
    }
    function resultsText(json, groups, lang, link) {
      var lines = [t("resultsHead", { a: groups.eligible.length, b: groups.unknown.length, c: groups.ineligible.length })];
      if (json.edition || json.as_of) lines.push(t("asOf", { edition: json.edition || "", date: json.as_of || "" }));
      [["eligible", "groupEligible"], ["unknown", "copyUnknown"], ["ineligible", "copyIneligible"]].forEach(function (g) {
        var items = groups[g[0]];
        if (!items.length) return;
        lines.push("", t(g[1], { n: items.length }));
        items.forEach(function (p) {
          var line = "- " + loc(p.name, lang);
          if (g[0] === "eligible" && p.summary) line += ": " + loc(p.summary, lang);
          if (g[0] === "unknown" && p.missing && p.missing.length) {
            line += " (" + t("missing") + p.missing.map(function (f) { return t("fields." + f); }).join(", ") + ")";
          }
          lines.push(line);
          var ns = g[0] === "ineligible" ? null : p.next_steps;
          if (ns) {
            var parts = NEXT_STEP_ROWS
              .filter(function (r) { return ns[r[0]]; }).map(function (r) { return t("nextSteps." + r[1]) + " " + ns[r[0]]; });
            lines.push("  " + parts.join(" · ") + " (" + t("keep.cityNote") + ", " + (ns.checked_on || "") + ")");
          }
        });
      });
      lines.push("", t("keep.link") + ": " + link);
      return lines.join("\n");
    }
    /** The results alone on paper: the host page's other content is hidden while printing. */
    function printResults() {
      var host = view.getRootNode().host;
      var hidden = Array.prototype.filter.call(document.body.children, function (el) { return el !== host; })
        .map(function (el) { var before = el.style.display; el.style.display = "none"; return [el, before]; });
      var closed = Array.prototype.filter.call(results.querySelectorAll("details"), function (d) { return !d.open; });
      closed.forEach(function (d) { d.open = true; });
      view.getRootNode().querySelector(".root").classList.add("printing");
      function restore() {
        window.removeEventListener("afterprint", restore);
        hidden.forEach(function (pair) { pair[0].style.display = pair[1]; });
        closed.forEach(function (d) { d.open = false; });
        view.getRootNode().querySelector(".root").classList.remove("printing");
      }
      window.addEventListener("afterprint", restore);
      window.print();
    }
    /** Fill the form from a share link's profile (checked against the form's own choices) and find. */
    function restore(p) {
      if (!p || typeof p !== "object") return false;
      forget();
      if (typeof p.age === "number" && p.age >= 0 && p.age <= 120 && Math.floor(p.age) === p.age) age.value = String(p.age);
      seoul.forEach(function (s) { s.input.checked = s.input.value === (typeof p.resident_of_seoul === "boolean" ? String(p.resident_of_seoul) : ""); });
      if (SERVER.employment.indexOf(p.employment_status) >= 0) employment.value = p.employment_status;
      if (Array.prototype.some.call(income.options, function (o) { return o.value !== "" && o.value === String(p.income_pct_of_median); })) {
        income.value = String(p.income_pct_of_median);
      }
      interests.forEach(function (s) { s.input.checked = Array.isArray(p.interests) && p.interests.indexOf(s.input.value) >= 0; });
      find();
      return true;
    }
    /** Clear what was typed and the results derived from it. */
    function forget() {
      form.reset();
      validAge();
      clear(results);
    }
    return { view: view, forget: forget, restore: restore };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
