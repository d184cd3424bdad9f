"""``clientcraft export``: Moodle XML, GIFT and QTI 2.1 question banks and the SCORM 1.2 package,
each parsed back and checked against the bank (the browser side of SCORM is in
test_export_browser.py)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from clientcraft.bank import Bank, Scenario, load_bank
from clientcraft.errors import ClientcraftError
from clientcraft.render import gift, markup, moodle, qti
from clientcraft.render.moodle import MOODLE_FRACTIONS, moodle_fraction

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "clientcraft.cli"]
NODE_MODULES = REPO / "tests" / "browser" / "node_modules"
SCORM_SCHEMAS = REPO / "src" / "clientcraft" / "render" / "scorm12"
QTI_NS = {"q": qti.QTI_NS}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)


# --- a bank whose texts hold every character GIFT treats specially ------------------------------

TRICKY = """\
- id: fx-tricky-chars
  topic: trust
  pool: practice
  source: {article: 000_97ec9dda253dc4af.txt, section: Building client trust}
  claims: [trust-lost-by-delivering-less]
  situation: |
    Ana's invoice says "Total = 100 {EUR}" and ~5 % off; see item #3: "rush fee".

    A second paragraph with a backslash \\ and a colon: here.
  question: "Which reply: A, B or C?"
  options:
    - key: A
      text: "Write back: \\"fee = 0\\" ~ no #3 {waived}"
      credit: 0.5
      feedback: "Partly: the {fee} ~ note = fine, but #3 \\"stays\\": a problem."
      consequence: "Bo replies: 'OK = done' {closed} #1 ~ \\\\ end"
    - key: B
      text: "Send the full report; mark it 'v2' #final"
      credit: 1
      feedback: "Best: ~ all = kept {on time}: 100 %"
    - key: C
      text: "Ask \\"why?\\" & wait <here>"
      credit: 0
      feedback: "No: {nothing} = ~ #gained."
  takeaway: "Deliver = keep trust: {always} ~ #1 \\"rule\\"."
"""


@pytest.fixture
def tricky_bank(small_bank_dir: Path) -> Bank:
    (small_bank_dir / "tricky.yml").write_text(TRICKY, encoding="utf-8")
    return load_bank(small_bank_dir)


# --- Moodle XML --------------------------------------------------------------------------------


def _moodle_questions(data: bytes) -> tuple[list[etree._Element], list[str]]:
    root = etree.fromstring(data)
    assert root.tag == "quiz"
    questions = root.findall("question[@type='multichoice']")
    categories = root.xpath("question[@type='category']/category/text/text()")
    return questions, categories


def test_moodle_xml_one_question_per_scenario_with_credits_and_feedback(
    bank: Bank, tmp_path: Path
) -> None:
    out = tmp_path / "bank.xml"
    result = run("export", "moodle-xml", "--out", str(out), "--pool", "all")
    assert result.returncode == 0, result.stderr
    questions, categories = _moodle_questions(out.read_bytes())
    assert [q.findtext("name/text") for q in questions] == [
        s.id for s in sorted(bank.scenarios, key=lambda s: moodle.course_order(bank, s))
    ]
    assert {q.findtext("idnumber") for q in questions} == {s.id for s in bank.scenarios}
    for topic in bank.topics:
        assert f"$course$/top/clientcraft/{topic.title}/practice" in categories
    for question in questions:
        scenario = bank.scenario(question.findtext("name/text"))
        assert question.findtext("single") == "true"
        assert question.findtext("shuffleanswers") == "true"
        answers = question.findall("answer")
        assert len(answers) == len(scenario.options)
        for answer, option in zip(answers, scenario.options, strict=True):
            assert float(answer.get("fraction")) / 100 == pytest.approx(option.credit, abs=1e-6)
            assert answer.findtext("text") == markup.inline(option.text)
            feedback = answer.findtext("feedback/text")
            assert markup.block(option.feedback) in feedback
            if option.consequence:
                assert "What happens next" in feedback
        general = question.findtext("generalfeedback/text")
        assert markup.inline(scenario.takeaway) in general
        assert bank.article(scenario.source.article).english_title in general
        assert question.find("questiontext").get("format") == "html"
        assert question.findtext("questiontext/text").startswith("<p>")


def test_moodle_xml_renders_markdown_and_puts_slots_in_their_own_category(
    small_bank: Bank,
) -> None:
    questions, categories = _moodle_questions(moodle.render(small_bank, small_bank.scenarios))
    report = next(q for q in questions if q.findtext("name/text") == "fx-trust-report")
    assert "<strong>monthly report</strong>" in report.findtext("questiontext/text")
    assert "**" not in report.findtext("questiontext/text")
    assert "$course$/top/clientcraft/Earning and keeping trust/assessment" in categories


def test_moodle_fractions_map_credits_and_refuse_what_moodle_cannot_store(
    small_bank: Bank,
) -> None:
    scenario = small_bank.scenario("fx-trust-report")
    assert moodle_fraction(scenario, "A", 1 / 3) == 33.33333
    assert moodle_fraction(scenario, "A", 1 / 7) == 14.28571
    assert moodle_fraction(scenario, "A", 0.125) == 12.5
    assert all(moodle_fraction(scenario, "A", f / 100) == f for f in MOODLE_FRACTIONS)
    with pytest.raises(ClientcraftError) as error:
        moodle_fraction(scenario, "C", 0.35)
    message = str(error.value)
    assert f"{scenario.where}: fx-trust-report: option C has credit 0.35" in message
    assert "0.3333" in message


def test_a_credit_moodle_cannot_store_fails_the_export_with_file_and_line(
    small_bank_dir: Path, tmp_path: Path
) -> None:
    fixture = small_bank_dir / "fixture.yml"
    text = fixture.read_text(encoding="utf-8")
    fixture.write_text(text.replace("credit: 0.5", "credit: 0.35"), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "id: fx-trust-report" in row)
    for fmt in ("moodle-xml", "gift"):
        out = tmp_path / f"out-{fmt}"
        result = run("export", fmt, "--bank", str(small_bank_dir), "--out", str(out))
        assert result.returncode == 1
        assert f"{fixture}:{line}: fx-trust-report: option C has credit 0.35" in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists(), "a failed export writes nothing"


# --- GIFT --------------------------------------------------------------------------------------


def parse_gift(text: str) -> list[dict[str, object]]:
    """Parse GIFT with gift-pegjs (npm; a PEG grammar of Moodle's GIFT format) in Node."""
    assert (NODE_MODULES / "gift-pegjs").is_dir(), "run: npm ci --prefix tests/browser"
    script = (
        "const {parse} = require('gift-pegjs');"
        "let text = ''; process.stdin.on('data', d => text += d);"
        "process.stdin.on('end', () => process.stdout.write(JSON.stringify(parse(text))));"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=text,
        capture_output=True,
        text=True,
        cwd=NODE_MODULES.parent,
        check=True,
    )
    return json.loads(result.stdout)


def _weight(choice: dict[str, object]) -> float:
    if choice["isCorrect"]:
        return 1.0
    return float(choice["weight"] or 0) / 100


def test_gift_parsed_back_matches_the_bank(bank: Bank, tmp_path: Path) -> None:
    out = tmp_path / "bank.gift.txt"
    result = run("export", "gift", "--out", str(out), "--pool", "all")
    assert result.returncode == 0, result.stderr
    parsed = parse_gift(out.read_text(encoding="utf-8"))
    questions = [q for q in parsed if q["type"] == "MC"]
    categories = [q["title"] for q in parsed if q["type"] == "Category"]
    assert sorted(q["title"] for q in questions) == sorted(s.id for s in bank.scenarios)
    assert f"$course$/top/clientcraft/{bank.topics[0].title}/practice" in categories
    for question in questions:
        scenario = bank.scenario(question["title"])
        assert question["stem"] == {"format": "html", "text": markup.question_html(scenario)}
        choices = question["choices"]
        assert [c["text"]["text"] for c in choices] == [
            markup.inline(o.text) for o in scenario.options
        ]
        assert [_weight(c) for c in choices] == pytest.approx([o.credit for o in scenario.options])
        assert [c["feedback"]["text"] for c in choices] == [
            markup.option_feedback_html(o) for o in scenario.options
        ]
        assert question["globalFeedback"]["text"] == markup.general_feedback_html(bank, scenario)


def test_gift_keeps_special_characters_and_quotes_intact(tricky_bank: Bank) -> None:
    scenario = tricky_bank.scenario("fx-tricky-chars")
    text = gift.render(tricky_bank, (scenario,)).decode("utf-8")
    assert "\n\n" not in text.split("::fx-tricky-chars::", 1)[1], "no blank line inside"
    [_, question] = parse_gift(text)
    assert question["title"] == "fx-tricky-chars"
    assert question["stem"]["text"] == markup.question_html(scenario)
    assert [c["text"]["text"] for c in question["choices"]] == [
        markup.inline(o.text) for o in scenario.options
    ]
    assert [c["feedback"]["text"] for c in question["choices"]] == [
        markup.option_feedback_html(o) for o in scenario.options
    ]
    assert [_weight(c) for c in question["choices"]] == [0.5, 1.0, 0.0]
    assert question["globalFeedback"]["text"] == markup.general_feedback_html(tricky_bank, scenario)
    texts = [
        question["stem"]["text"],
        question["globalFeedback"]["text"],
        *(c["text"]["text"] for c in question["choices"]),
        *(c["feedback"]["text"] for c in question["choices"]),
    ]
    readable = html.unescape(" ".join(texts))
    for piece in (
        'says "Total = 100 {EUR}" and ~5 % off; see item #3: "rush fee".',
        "a backslash \\ and a colon: here.",
        "Which reply: A, B or C?",
        'Write back: "fee = 0" ~ no #3 {waived}',
        'Partly: the {fee} ~ note = fine, but #3 "stays": a problem.',
        "Bo replies: 'OK = done' {closed} #1 ~ \\ end",
        "Send the full report; mark it 'v2' #final",
        'Ask "why?" & wait <here>',
        'Deliver = keep trust: {always} ~ #1 "rule".',
    ):
        assert piece in readable, piece


def test_gift_escape() -> None:
    assert gift.escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


# --- QTI 2.1 -----------------------------------------------------------------------------------

# The QTI 2.1 item content model (imsqti_v2p1.xsd, AssessmentItem.Type): children in this order.
ITEM_CHILDREN = (
    "responseDeclaration",
    "outcomeDeclaration",
    "templateDeclaration",
    "templateProcessing",
    "stylesheet",
    "itemBody",
    "responseProcessing",
    "modalFeedback",
)
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def check_qti_item(document: etree._Element, scenario: Scenario) -> None:
    """The QTI 2.1 rules these items rely on, checked by hand: the content model's order, required
    attributes, NCName identifiers, and that mapping, correct response and feedback refer to the
    choices that exist. Not a schema validation: no PyPI or npm package we could find ships the
    QTI 2.1 XSD (imsqti_v2p1.xsd), and the project vendors only what a registry package gives."""
    assert document.tag == f"{{{qti.QTI_NS}}}assessmentItem"
    for attribute in ("identifier", "title", "adaptive", "timeDependent"):
        assert document.get(attribute), attribute
    assert NCNAME.match(document.get("identifier"))
    order = [etree.QName(child).localname for child in document]
    assert order == sorted(order, key=ITEM_CHILDREN.index), order
    choices = document.findall(".//q:choiceInteraction/q:simpleChoice", QTI_NS)
    keys = [c.get("identifier") for c in choices]
    assert keys == [o.key for o in scenario.options]
    interaction = document.find(".//q:choiceInteraction", QTI_NS)
    assert interaction.get("responseIdentifier") == "RESPONSE"
    assert interaction.get("maxChoices") == "1" and interaction.get("shuffle") == "true"
    response = document.find("q:responseDeclaration[@identifier='RESPONSE']", QTI_NS)
    assert response.get("cardinality") == "single" and response.get("baseType") == "identifier"
    assert response.findtext("q:correctResponse/q:value", namespaces=QTI_NS) == scenario.best.key
    mapping = {
        e.get("mapKey"): float(e.get("mappedValue"))
        for e in response.findall("q:mapping/q:mapEntry", QTI_NS)
    }
    assert mapping == {o.key: o.credit for o in scenario.options}
    outcomes = {e.get("identifier") for e in document.findall("q:outcomeDeclaration", QTI_NS)}
    assert {"SCORE", "FEEDBACK"} <= outcomes
    feedback = document.findall("q:modalFeedback", QTI_NS)
    assert [f.get("identifier") for f in feedback] == keys
    assert all(f.get("outcomeIdentifier") == "FEEDBACK" for f in feedback)
    for element in document.iter():
        assert etree.QName(element).namespace == qti.QTI_NS, element.tag


def test_qti_package_has_a_manifest_and_one_item_per_scenario(bank: Bank, tmp_path: Path) -> None:
    out = tmp_path / "qti.zip"
    result = run(
        "export", "qti", "--out", str(out), "--pool", "all", "--topic", "trust", "composure"
    )
    assert result.returncode == 0, result.stderr
    wanted = [s for s in bank.scenarios if s.topic in ("trust", "composure")]
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        items = {
            name: etree.fromstring(archive.read(name))
            for name in names
            if name != "imsmanifest.xml"
        }
    assert names[0] == "imsmanifest.xml"
    cp = {"cp": qti.CP_NS}
    resources = manifest.findall("cp:resources/cp:resource", cp)
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=cp) == "QTIv2.1 Package"
    assert [r.get("href") for r in resources] == [f"items/{s.id}.xml" for s in wanted]
    assert all(r.get("type") == "imsqti_item_xmlv2p1" for r in resources)
    assert sorted(items) == sorted(r.get("href") for r in resources)
    for scenario in wanted:
        check_qti_item(items[f"items/{scenario.id}.xml"], scenario)


def test_qti_item_check_catches_broken_items(small_bank: Bank) -> None:
    scenario = small_bank.scenario("fx-trust-report")
    document = etree.fromstring(qti.item(small_bank, scenario))
    check_qti_item(document, scenario)
    body = document.find("q:itemBody", QTI_NS)
    document.remove(body)
    document.append(body)  # itemBody after the modal feedback: out of the content model's order
    with pytest.raises(AssertionError):
        check_qti_item(document, scenario)


def test_qti_renders_markdown_as_xhtml_in_the_qti_namespace(tricky_bank: Bank) -> None:
    scenario = tricky_bank.scenario("fx-tricky-chars")
    document = etree.fromstring(qti.item(tricky_bank, scenario))
    check_qti_item(document, scenario)
    paragraphs = document.findall("q:itemBody/q:p", QTI_NS)
    assert len(paragraphs) == 2
    assert 'says "Total = 100 {EUR}"' in paragraphs[0].text
    report = etree.fromstring(qti.item(tricky_bank, tricky_bank.scenario("fx-trust-report")))
    assert report.find("q:itemBody/q:p/q:strong", QTI_NS).text == "monthly report"


# --- the assessment pool, bad input ------------------------------------------------------------


def test_assessment_exports_warn_about_the_answer_key(small_bank_dir: Path, tmp_path: Path) -> None:
    practice = tmp_path / "practice.gift.txt"
    result = run("export", "gift", "--bank", str(small_bank_dir), "--out", str(practice))
    assert result.returncode == 0 and "answer key" not in result.stderr
    assert "SECRET-ASSESSMENT" not in practice.read_text(encoding="utf-8")
    for pool in ("assessment", "all"):
        out = tmp_path / f"{pool}.xml"
        result = run(
            "export", "moodle-xml", "--bank", str(small_bank_dir), "--out", str(out), "--pool", pool
        )
        assert result.returncode == 0, result.stderr
        assert "contains the answer key of 1 assessment scenarios" in result.stderr
        assert "SECRET-ASSESSMENT-OPTION-A" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "pdf"], "unknown format 'pdf' (use one of: scorm, moodle-xml, gift, qti)"),
        (["export", "gift", "--pool", "exam"], "unknown pool 'exam' (use one of: practice,"),
        (["export", "gift", "--topic", "trust", "nope"], "unknown topic 'nope' (use one of: trust"),
        (["export", "scorm", "--pool", "all"], "a SCORM package holds the book, which shows only"),
    ],
)
def test_bad_requests_exit_1_with_a_clear_message(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = run(*args, "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unwritable_output_paths_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me", encoding="utf-8")
    for out, message in (
        (blocker / "bank.xml", "cannot write here"),
        (tmp_path, "is a folder (give a file name"),
    ):
        result = run("export", "moodle-xml", "--out", str(out))
        assert result.returncode == 1, out
        assert f"{out}: {message}" in result.stderr
        assert "Traceback" not in result.stderr
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_replacing_an_earlier_export_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "bank.gift.txt"
    assert run("export", "gift", "--out", str(out)).returncode == 0
    result = run("export", "gift", "--out", str(out))
    assert result.returncode == 0 and f"{out}: replaced the file that was there" in result.stderr


# --- SCORM 1.2 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scorm_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``clientcraft export scorm`` of the shipped book and bank (it builds the real book)."""
    out = tmp_path_factory.mktemp("scorm") / "clientcraft-scorm.zip"
    started = time.perf_counter()
    result = run("export", "scorm", "--out", str(out))
    assert result.returncode == 0, result.stderr
    print(f"scorm export: {time.perf_counter() - started:.1f} s, {out.stat().st_size} bytes")
    return out


def scorm_schema() -> etree.XMLSchema:
    """ADL's SCORM 1.2 control-document schemas (IMS CP 1.1.2 with ADL's extensions)."""
    driver = etree.XML(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        f'schemaLocation="{(SCORM_SCHEMAS / "imscp_rootv1p1p2.xsd").as_uri()}"/>'
        f'<xs:import namespace="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
        f'schemaLocation="{(SCORM_SCHEMAS / "adlcp_rootv1p2.xsd").as_uri()}"/>'
        "</xs:schema>"
    )
    return etree.XMLSchema(driver)


@pytest.mark.slow
def test_scorm_manifest_is_valid_scorm_12_with_one_sco_per_module(
    scorm_zip: Path, bank: Bank
) -> None:
    with zipfile.ZipFile(scorm_zip) as archive:
        names = set(archive.namelist())
        raw = archive.read("imsmanifest.xml")
    schema = scorm_schema()
    manifest = etree.fromstring(raw)
    assert schema.validate(manifest), schema.error_log
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2"}
    adlcp = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "1.2"
    items = manifest.findall("cp:organizations/cp:organization/cp:item", ns)
    assert [i.findtext("cp:title", namespaces=ns) for i in items] == [t.title for t in bank.topics]
    scos = manifest.findall("cp:resources/cp:resource[@type='webcontent']", ns)
    launch = {r.get("identifier"): r.get("href") for r in scos if r.get(adlcp) == "sco"}
    assert [launch[i.get("identifierref")] for i in items] == [
        f"lms/{t.id}.html" for t in bank.topics
    ]
    listed = {f.get("href") for f in manifest.iterfind(".//cp:file", ns)}
    assert listed <= names, listed - names
    assert {n for n in names if not n.endswith(".xsd")} - {"imsmanifest.xml"} == listed
    for schema_file in ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd"):
        assert schema_file in names
    scos[0].set(adlcp, "lesson")  # SCORM 1.2 knows only sco and asset
    assert not schema.validate(manifest), "the schema check can fail"


@pytest.mark.slow
def test_scorm_package_is_the_book_with_a_launch_page_per_module(
    scorm_zip: Path, bank: Bank
) -> None:
    with zipfile.ZipFile(scorm_zip) as archive:
        names = set(archive.namelist())
        texts = {
            n: archive.read(n).decode("utf-8", "replace")
            for n in names
            if n.endswith((".html", ".js", ".css", ".json"))
        }
    for topic in bank.topics:
        assert f"modules/{topic.id}.html" in names
        wrapper = texts[f"lms/{topic.id}.html"]
        assert f'src="../modules/{topic.id}.html"' in wrapper
        assert 'src="../_static/clientcraft-sco.js"' in wrapper
        config = json.loads(wrapper.split('id="cc-sco-config">', 1)[1].split("</script>")[0])
        assert list(config["scenarios"]) == [s.id for s in bank.pool("practice", topic.id)]
        assert not re.search(r'(src|href)="(https?:)?//', wrapper)
    assert {"index.html", "_static/scenario.js", "_static/clientcraft-sco.js"} <= names
    for scenario in bank.pool("assessment"):
        leaks = [n for n, text in texts.items() if scenario.id in text]
        assert not leaks, (scenario.id, leaks)


@pytest.mark.slow
def test_scorm_export_of_one_topic_has_one_sco(tmp_path: Path) -> None:
    out = tmp_path / "trust.zip"
    result = run("export", "scorm", "--out", str(out), "--topic", "trust")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        assert [n for n in archive.namelist() if n.startswith("lms/")] == ["lms/trust.html"]
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2"}
    assert len(manifest.findall(".//cp:item", ns)) == 1
