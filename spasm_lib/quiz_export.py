"""The quiz questions as an item bank for a learning management system: GIFT, Moodle XML, QTI 1.2.

Why: a lecturer who wants the self-check questions in a proctored test should not retype them. Every
question of ``data/quiz_questions.csv`` goes out with its options (in the order students see them),
the feedback of each option (``data/quiz_options.csv``), the right answer, its learning objectives
(``data/learning_objectives.csv``) and, as the general feedback, where it comes from (the same
provenance wording a handout prints). Each format follows its specification as written:

* **GIFT**, as Moodle documents it (docs.moodle.org, "GIFT format"): one ``$CATEGORY:`` per notebook,
  a ``// [id:...] [tag:...]`` comment line before each question (Moodle reads the question's id
  number and tags from it), ``::name::``, the ``[html]`` text format, ``=right``/``~wrong`` with
  ``#feedback`` and ``####general feedback``; the six special characters ``~ = # { } :`` and the
  backslash are escaped with a backslash.
* **Moodle XML** (docs.moodle.org, "Moodle XML format"): a ``category`` pseudo-question per notebook,
  then ``multichoice`` questions with ``<answer fraction="100|0">`` and ``<feedback>``,
  ``<generalfeedback>``, ``<idnumber>`` and ``<tags>`` (the objectives).
* **QTI 1.2** as Canvas imports it: a zip with ``imsmanifest.xml`` (IMS Content Packaging 1.1, a
  resource of type ``imsqti_xmlv1p2``) and one ``questestinterop`` document: an assessment with one
  section per notebook, each question an ``item`` with Canvas's ``question_type``
  ``multiple_choice_question``, a ``response_lid`` of the options, ``resprocessing`` that sets
  ``SCORE`` to 100 for the right option and shows each option's feedback, ``itemfeedback`` blocks
  and the item's ``objectives`` (QTI 1.2's own element for what an item tests).

Text is HTML-escaped once (every format carries it as HTML, so a ``<`` in data is text, never
markup); XML is written by :mod:`xml.etree.ElementTree`, which escapes for XML. The output has no date
and no random id: the same data gives the same bytes. The writers take :class:`ExportItem` values,
not the data tables, so a test can feed them text full of special characters.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from spasm_lib.tables import Facts

FORMATS = ("gift", "moodle-xml", "qti")
"""The formats of ``spasm-teach quiz-export --format``."""

CATEGORY_ROOT = "spasm-teach"
"""The top category (Moodle) or assessment title (Canvas) that holds one category per notebook."""

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Every member of the QTI zip carries this date: no timestamp, the same bytes each run."""


@dataclass(frozen=True)
class ExportOption:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ExportItem:
    """One question ready for any format."""

    id: str
    notebook: str
    prompt: str
    options: tuple[ExportOption, ...]
    objectives: tuple[tuple[str, str], ...]
    """(objective id, objective text), in objective order."""
    general_feedback: str
    """Where the question comes from (``Source, paragraph 1; ACP 2017``)."""


def items(facts: Facts) -> tuple[ExportItem, ...]:
    """Every quiz question, notebook by notebook, each with its options in the order students see them."""
    from spasm_lib import quiz
    from spasm_lib.vocabulary import NOTEBOOKS

    out = []
    for notebook in NOTEBOOKS:
        for q in quiz.questions(facts, notebook):
            out.append(ExportItem(
                id=q.id,
                notebook=notebook,
                prompt=q.prompt,
                options=tuple(ExportOption(o.id, o.text, o.correct, o.explanation) for o in q.options),
                objectives=tuple((o.id, o.text) for o in q.objectives),
                general_feedback=q.provenance,
            ))
    return tuple(out)


def _html(text: str) -> str:
    return html.escape(text, quote=False)


# --------------------------------------------------------------------------- GIFT

_GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    """Text safe inside a GIFT question: HTML-escaped, then each GIFT special character backslashed,
    and line breaks written as ``\\n`` (a blank line would end the question)."""
    out = []
    for ch in _html(text):
        if ch in _GIFT_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _gift_tag(text: str) -> str:
    """A value inside ``[id:...]`` or ``[tag:...]``: Moodle ends it at the first ``]`` not escaped."""
    return " ".join(text.split()).replace("]", "\\]")


def to_gift(bank: Sequence[ExportItem]) -> str:
    lines = [f"// spasm-teach quiz bank: {len(bank)} questions, GIFT format for Moodle (educational, not medical advice)", ""]
    notebook = None
    for item in bank:
        if item.notebook != notebook:
            notebook = item.notebook
            lines += [f"$CATEGORY: $course$/top/{CATEGORY_ROOT}/{notebook}", ""]
        tags = " ".join(f"[tag:{_gift_tag(oid)}]" for oid, _ in item.objectives)
        lines.append(f"// [id:{_gift_tag(item.id)}] {tags}".rstrip())
        lines.append(f"::{gift_escape(item.id)}::[html]{gift_escape(item.prompt)} {{")
        for option in item.options:
            mark = "=" if option.correct else "~"
            lines.append(f"\t{mark}{gift_escape(option.text)} #{gift_escape(option.feedback)}")
        lines.append(f"\t####{gift_escape(item.general_feedback)}")
        lines += ["}", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- Moodle XML


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def _text_field(parent: ET.Element, tag: str, text: str, fmt: str = "html") -> ET.Element:
    node = _sub(parent, tag, format=fmt)
    _sub(node, "text", _html(text))
    return node


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def to_moodle_xml(bank: Sequence[ExportItem]) -> bytes:
    quiz = ET.Element("quiz")
    notebook = None
    for item in bank:
        if item.notebook != notebook:
            notebook = item.notebook
            category = _sub(quiz, "question", type="category")
            _sub(_sub(category, "category"), "text", f"$course$/top/{CATEGORY_ROOT}/{notebook}")
            _text_field(category, "info", f"Self-check questions of the notebook {notebook}")
        q = _sub(quiz, "question", type="multichoice")
        _sub(_sub(q, "name"), "text", item.id)
        _text_field(q, "questiontext", item.prompt)
        _text_field(q, "generalfeedback", item.general_feedback)
        _sub(q, "defaultgrade", "1")
        _sub(q, "penalty", "0")
        _sub(q, "hidden", "0")
        _sub(q, "idnumber", item.id)
        _sub(q, "single", "true")
        _sub(q, "shuffleanswers", "true")
        _sub(q, "answernumbering", "abc")
        for option in item.options:
            answer = _sub(q, "answer", fraction="100" if option.correct else "0", format="html")
            _sub(answer, "text", _html(option.text))
            _text_field(answer, "feedback", option.feedback)
        tags = _sub(q, "tags")
        for oid, _ in item.objectives:
            _sub(_sub(tags, "tag"), "text", oid)
    return _xml_bytes(quiz)


# --------------------------------------------------------------------------- QTI 1.2 (Canvas)

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_IDENT = "spasm_teach_quiz_bank"
"""The assessment's identifier, its folder in the zip and its file name."""


def _mattext(parent: ET.Element, text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", _html(text), texttype="text/html")


def _field(parent: ET.Element, label: str, entry: str) -> None:
    f = _sub(parent, "qtimetadatafield")
    _sub(f, "fieldlabel", label)
    _sub(f, "fieldentry", entry)


def _qti_item(section: ET.Element, item: ExportItem) -> None:
    idents = {o.id: o.id.replace("-", "_") for o in item.options}
    node = _sub(section, "item", ident=item.id.replace("-", "_"), title=item.id)
    meta = _sub(_sub(node, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", "multiple_choice_question")
    _field(meta, "points_possible", "1.0")
    _field(meta, "original_answer_ids", ",".join(idents[o.id] for o in item.options))
    _field(meta, "assessment_question_identifierref", f"{item.id.replace('-', '_')}_ref")
    for oid, text in item.objectives:
        objectives = _sub(node, "objectives", view="All")
        _mattext(objectives, f"{oid}: {text}")
    presentation = _sub(node, "presentation")
    _mattext(presentation, item.prompt)
    choices = _sub(_sub(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice")
    for option in item.options:
        _mattext(_sub(choices, "response_label", ident=idents[option.id]), option.text)
    processing = _sub(node, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    general = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    for option in item.options:
        shown = _sub(processing, "respcondition", **{"continue": "Yes"})
        _sub(_sub(shown, "conditionvar"), "varequal", idents[option.id], respident="response1")
        _sub(shown, "displayfeedback", feedbacktype="Response", linkrefid=f"{idents[option.id]}_fb")
    for option in item.options:
        if option.correct:
            right = _sub(processing, "respcondition", **{"continue": "No"})
            _sub(_sub(right, "conditionvar"), "varequal", idents[option.id], respident="response1")
            _sub(right, "setvar", "100", action="Set", varname="SCORE")
    blocks = [("general_fb", item.general_feedback)] + [(f"{idents[o.id]}_fb", o.feedback) for o in item.options]
    for ident, text in blocks:
        _mattext(_sub(_sub(node, "itemfeedback", ident=ident), "flow_mat"), text)


def qti_assessment(bank: Sequence[ExportItem]) -> bytes:
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element("questestinterop", {"xmlns": QTI_NS, f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}"})
    assessment = _sub(root, "assessment", ident=QTI_IDENT, title="spasm-teach quiz bank")
    _field(_sub(assessment, "qtimetadata"), "cc_maxattempts", "1")
    notebook, section = None, None
    for item in bank:
        if item.notebook != notebook:
            notebook = item.notebook
            section = _sub(assessment, "section", ident=f"section_{notebook}", title=notebook)
        _qti_item(section, item)
    return _xml_bytes(root)


def qti_manifest() -> bytes:
    root = ET.Element("manifest", {
        "identifier": f"{QTI_IDENT}_manifest", "xmlns": CP_NS,
        f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    })
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resource = _sub(_sub(root, "resources"), "resource", identifier=QTI_IDENT, type="imsqti_xmlv1p2")
    _sub(resource, "file", href=f"{QTI_IDENT}/{QTI_IDENT}.xml")
    return _xml_bytes(root)


def to_qti_zip(bank: Sequence[ExportItem]) -> bytes:
    """The QTI content package (a zip) Canvas's "QTI .zip file" import takes."""
    members = {"imsmanifest.xml": qti_manifest(), f"{QTI_IDENT}/{QTI_IDENT}.xml": qti_assessment(bank)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def export(facts: Facts, fmt: str) -> bytes:
    """The whole item bank in one format (see :data:`FORMATS`), as the bytes of the file to write."""
    bank = items(facts)
    if fmt == "gift":
        return to_gift(bank).encode("utf-8")
    if fmt == "moodle-xml":
        return to_moodle_xml(bank)
    if fmt == "qti":
        return to_qti_zip(bank)
    raise ValueError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
