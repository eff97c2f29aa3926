"""`spasm-teach quiz-export`: each format read back by a parser written by others, compared with data/.

The expected questions are read here from the CSV files with the csv module (never through
spasm_lib), and the exports are read with independent parsers:

* GIFT: npm ``gift-pegjs`` (the PEG grammar of Moodle's GIFT format, which also reads Moodle's
  ``[id:]`` and ``[tag:]`` comments), installed once into build/npm by the fixture below;
* Moodle XML: PyPI ``moodle-xml-parser`` for questions, options, feedback and general feedback;
  the category pseudo-questions and the ``<tags>`` are read with ElementTree at the paths Moodle's
  documentation gives (the parser does not read them);
* QTI 1.2: PyPI ``pyslet`` (``pyslet.qtiv1``, an implementation of IMS QTI 1.2.1 by a member of the
  QTI working group; Canvas's QTI migration tool grew from the same code).
"""

from __future__ import annotations

import csv
import html
import json
import logging
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from spasm_lib import quiz_export
from spasm_lib.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
GIFT_PEGJS = "gift-pegjs@1.0.2"
NOTEBOOK_ORDER = ["00_start_here", "01_risk_factors", "02_exam_simulator", "03_treatment_pathway", "04_case_study"]


def _rows(table: str) -> list[dict[str, str]]:
    with (DATA / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def expected_bank() -> list[dict]:
    """Every question as data/ states it: the independent expectation."""
    refs = {r["id"]: r["short"] for r in _rows("references")}
    options: dict[str, list] = {}
    for o in _rows("quiz_options"):
        options.setdefault(o["question_id"], []).append((o["text"], o["correct"] == "yes", o["explanation"]))
    questions = sorted(_rows("quiz_questions"), key=lambda q: (NOTEBOOK_ORDER.index(q["notebook"]), int(q["order"])))
    out = []
    for q in questions:
        where = [f"Source, paragraph {q['source_paragraph']}"] if q["source_paragraph"] else []
        where += [refs[i] for i in q["reference_ids"].split(";") if i]
        out.append({
            "id": q["id"], "notebook": q["notebook"], "prompt": q["prompt"],
            "options": sorted(options[q["id"]]),
            "objectives": sorted(q["objective_ids"].split(";")),
            "general_feedback": "; ".join(where),
        })
    return out


def test_the_expectation_is_not_empty():
    bank = expected_bank()
    assert len(bank) >= 20 and all(len(q["options"]) >= 3 for q in bank)
    assert all(sum(correct for _, correct, _ in q["options"]) == 1 for q in bank)


# --------------------------------------------------------------------------- GIFT through gift-pegjs


@pytest.fixture(scope="session")
def gift_pegjs() -> Path:
    """gift-pegjs installed once into build/npm (make test needs npm, as CI has)."""
    prefix = ROOT / "build" / "npm"
    module = prefix / "node_modules" / "gift-pegjs"
    if not module.is_dir():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install gift-pegjs, the independent GIFT parser"
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", GIFT_PEGJS],
                       check=True, timeout=600)
    return module


def parse_gift(module: Path, path: Path) -> list[dict]:
    script = ("const p=require(process.argv[1]);const fs=require('fs');"
              "process.stdout.write(JSON.stringify(p.parse(fs.readFileSync(process.argv[2],'utf8'))));")
    done = subprocess.run(["node", "-e", script, str(module), str(path)], capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout)


def gift_as_bank(parsed: list[dict]) -> list[dict]:
    out, category = [], None
    for q in parsed:
        if q["type"] == "Category":
            category = q["title"]
            continue
        assert q["type"] == "MC" and q["stem"]["format"] == "html"
        out.append({
            "id": q["title"], "notebook": category.rsplit("/", 1)[-1], "prompt": html.unescape(q["stem"]["text"]),
            "options": sorted((html.unescape(c["text"]["text"]), c["isCorrect"], html.unescape(c["feedback"]["text"]))
                              for c in q["choices"]),
            "objectives": sorted(q["tags"] or []),
            "general_feedback": html.unescape(q["globalFeedback"]["text"]),
            "idnumber": q["id"],
        })
    return out


@pytest.mark.subprocess
def test_gift_read_back_by_gift_pegjs_equals_data(tmp_path, gift_pegjs, capsys):
    out = tmp_path / "bank.gift.txt"
    assert main(["quiz-export", "--format", "gift", "-o", str(out)]) == 0
    got = gift_as_bank(parse_gift(gift_pegjs, out))
    assert [q.pop("idnumber") for q in got] == [q["id"] for q in expected_bank()]
    assert got == expected_bank()
    assert "$CATEGORY: $course$/top/spasm-teach/00_start_here" in out.read_text()


# --------------------------------------------------------------------------- Moodle XML


def moodle_as_bank(path: Path) -> list[dict]:
    from moodle_xml_parser.parser import parse_file

    parsed = parse_file(str(path))["multichoice"]
    tree = ET.parse(path).getroot()
    categories, tags = {}, {}
    category = None
    for question in tree.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        name = question.findtext("name/text")
        categories[name] = category
        tags[name] = sorted(t.text for t in question.findall("tags/tag/text"))
        assert question.findtext("single") == "true"
    return [{
        "id": q.name, "notebook": categories[q.name].rsplit("/", 1)[-1], "prompt": q.text_pre_parse,
        "options": sorted((o.answer, o.score_fraction == 100, o.feedback) for o in q.options),
        "objectives": tags[q.name], "general_feedback": q.general_feedback,
    } for q in parsed]


def test_moodle_xml_read_back_equals_data(tmp_path):
    out = tmp_path / "bank.xml"
    assert main(["quiz-export", "--format", "moodle-xml", "-o", str(out)]) == 0
    assert moodle_as_bank(out) == expected_bank()
    assert out.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')


# --------------------------------------------------------------------------- QTI 1.2 through pyslet


def qti_as_bank(zip_path: Path, folder: Path) -> list[dict]:
    from pyslet.qtiv1 import xml as qtixml
    from pyslet.qtiv1.common import MatText
    from pyslet.qtiv1.item import ResponseLabel

    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    manifest = ET.parse(folder / "imsmanifest.xml").getroot()
    ns = {"cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
    resources = manifest.findall("cp:resources/cp:resource", ns)
    assert [r.get("type") for r in resources] == ["imsqti_xmlv1p2"]
    assessment_file = folder / resources[0].find("cp:file", ns).get("href")

    def texts(node) -> list[str]:
        return [m.get_value() for m in node.find_children_depth_first(MatText)]

    logging.disable(logging.WARNING)  # pyslet logs every text/html mattext it keeps as text
    try:
        doc = qtixml.QTIDocument(baseURI=str(assessment_file))
        doc.read()
    finally:
        logging.disable(logging.NOTSET)
    out = []
    for section in doc.root.Assessment.SectionMixin:
        for item in section.SectionItemMixin:
            meta = {f.FieldLabel.get_value(): f.FieldEntry.get_value()
                    for f in item.ItemMetadata.QTIMetadata[0].QTIMetadataField}
            assert meta["question_type"] == "multiple_choice_question"
            prompt = texts(item.Presentation)[0]
            labels = {label.ident: texts(label)[0] for label in item.Presentation.find_children_depth_first(ResponseLabel)}
            feedback = {fb.ident: texts(fb)[0] for fb in item.ItemFeedback}
            shown, right = {}, set()
            for condition in item.ResProcessing[0].ConditionMixin:
                equal = [c for c in condition.ConditionVar.get_children() if type(c).__name__ == "VarEqual"]
                for d in condition.DisplayFeedback:
                    key = equal[0].get_value() if equal else None
                    shown[key] = d.linkRefID
                if any(s.varName == "SCORE" and s.get_value() == "100" for s in condition.SetVar):
                    right.add(equal[0].get_value())
            out.append({
                "id": item.title, "notebook": section.title, "prompt": html.unescape(prompt),
                "options": sorted((html.unescape(text), ident in right, html.unescape(feedback[shown[ident]]))
                                  for ident, text in labels.items()),
                "objectives": sorted(texts(o)[0].split(":", 1)[0] for o in item.Objectives),
                "general_feedback": html.unescape(feedback[shown[None]]),
            })
    return out


def test_qti_read_back_by_pyslet_equals_data(tmp_path):
    out = tmp_path / "bank.zip"
    assert main(["quiz-export", "--format", "qti", "-o", str(out)]) == 0
    assert qti_as_bank(out, tmp_path / "unzipped") == expected_bank()


# --------------------------------------------------------------------------- special characters, bytes, refusals

HOSTILE = "a~b=c#d{e}f:g\\h <b>x</b> &amp; -> %50% // [tag:x] ]end\nnext line"


def hostile_bank() -> tuple[quiz_export.ExportItem, ...]:
    options = (
        quiz_export.ExportOption("h-1-a", "=right " + HOSTILE, True, "#why " + HOSTILE),
        quiz_export.ExportOption("h-1-b", "~wrong " + HOSTILE, False, "####not general " + HOSTILE),
    )
    return (quiz_export.ExportItem("h-1", "00_start_here", "::" + HOSTILE, options, (("lo-x", "objective"),), HOSTILE),)


@pytest.mark.subprocess
def test_every_special_character_survives_each_format(tmp_path, gift_pegjs):
    bank = hostile_bank()
    want = [{"id": "h-1", "notebook": "00_start_here", "prompt": "::" + HOSTILE,
             "options": sorted([("=right " + HOSTILE, True, "#why " + HOSTILE),
                                ("~wrong " + HOSTILE, False, "####not general " + HOSTILE)]),
             "objectives": ["lo-x"], "general_feedback": HOSTILE}]
    gift = tmp_path / "h.gift.txt"
    gift.write_text(quiz_export.to_gift(bank), encoding="utf-8")
    got = gift_as_bank(parse_gift(gift_pegjs, gift))
    got[0].pop("idnumber")
    assert got == want
    moodle = tmp_path / "h.xml"
    moodle.write_bytes(quiz_export.to_moodle_xml(bank))
    # moodle-xml-parser strips the ends of each text; the text itself is intact
    assert moodle_as_bank(moodle) == want
    qti = tmp_path / "h.zip"
    qti.write_bytes(quiz_export.to_qti_zip(bank))
    assert qti_as_bank(qti, tmp_path / "hq") == want


@pytest.mark.parametrize("fmt", quiz_export.FORMATS)
def test_same_data_same_bytes(tmp_path, fmt):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["quiz-export", "--format", fmt, "-o", str(a)]) == 0
    assert main(["quiz-export", "--format", fmt, "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_a_folder_as_output_is_refused_and_nothing_written(tmp_path, capsys):
    assert main(["quiz-export", "--format", "gift", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder" in err
    assert os.listdir(tmp_path) == []


def test_an_unknown_format_is_one_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["quiz-export", "--format", "docx", "-o", str(tmp_path / "x")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_data_table_as_output_is_refused(capsys):
    from spasm_lib.facts import default_data_dir

    target = default_data_dir() / "quiz_options.csv"
    before = target.read_bytes()
    assert main(["quiz-export", "--format", "gift", "-o", str(target)]) == 2
    assert "inside the package's own files" in capsys.readouterr().err  # files.inside_package refuses it first
    assert target.read_bytes() == before
