"""The closed sets of words the data and the code share: one spelling of each allowed value.

Each tuple is the vocabulary of a column (the loader accepts nothing else: ``choices`` in
:mod:`spasm_lib.records`) or of the course itself (the notebooks in reading order, the two
audiences, the plain names of the back regions). Logic, views, commands and tests take a value from
here rather than typing it again.

Why apart from the schema (:mod:`spasm_lib.records`, the dataclass of each table): a widget, a view
or a command that needs the notebooks' names or a region's label has no business with the tables'
columns, and the words stay one list whichever table uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


AUDIENCES = ("student", "instructor")
"""Who a run or a handout is for: the student version has no answers, the instructor's has them."""

SOURCE_PARAGRAPHS = (1, 2, 3, 4, 5)
"""The source text has five paragraphs; a ``source_paragraph`` outside this range is an error."""


RISK_CATEGORIES = (
    "tissue-state",
    "acute-force",
    "sport",
    "structural-condition",
    "muscle-weakness",
    "unknown-cause",
)
BACK_REGIONS = ("lower-back", "upper-back", "upper-and-lower-back", "not-stated")
REGION_LABELS = {
    "lower-back": "Lower back",
    "upper-back": "Upper back",
    "upper-and-lower-back": "Upper and lower back",
    "not-stated": "Not stated",
}
"""Plain names of the back regions (and spasm sites): the one wording, capitalised as a heading or
table cell; a sentence lower-cases it ("tender at the lower back")."""
SPASM_SITES = ("lower-back", "upper-back")
CONDITION_ASPECTS = ("definition", "mechanism", "symptom", "time-course")
EXAM_KINDS = (
    "history", "palpation", "movement", "inspection", "neurological", "red-flag-screen", "general-examination",
)
FINDING_TRIGGERS = (
    "always",
    "site-match",
    "site-other",
    "tissue-injury",
    "no-tissue-injury",
    "radicular",
    "not-radicular",
    "red-flags",
    "no-red-flags",
    "typical-onset",
    "unremitting-onset",
    "risk-factors",
    "no-risk-factors",
    "yellow-flags",
    "no-yellow-flags",
    "upper-back",
    "cauda-equina",
    "no-neuro-signs",
    "insidious-onset",
    "sudden-severe-onset",
    "ces-retention",
    "no-ces-retention",
    "cord-signs",
    "otherwise",
)
"""When a finding shows: ``not-radicular`` is a lower-back patient without nerve-root signs (the
straight leg raise of an upper-back patient shows the ``upper-back`` finding); ``cauda-equina`` is a
patient with a warning sign of cauda equina syndrome; ``no-neuro-signs`` neither that nor radicular;
``ces-retention`` a patient whose bladder no longer empties (the late form), ``no-ces-retention`` any
other; ``cord-signs`` cancer with new neurological symptoms; ``otherwise``: the step's default, shown
only when no other finding of the step shows. A finding's ``interpretations`` narrows it further to
patients whose working diagnosis is one of those listed (empty: any patient)."""
ONSETS = ("typical", "unremitting", "insidious", "sudden-severe")
"""``typical``: sudden, carried on at first, worse over hours (source paragraph 1); ``unremitting``:
constant since it began and never eased, which is not the course of a spasm; ``insidious``: crept on
over months (an inflammatory cause, spinal stenosis); ``sudden-severe``: at full strength from the
first moment with no strain to explain it (a non-spinal cause)."""
EXAM_NEEDED_WHEN = ("always", "lower-back", "optional")
"""Where a step applies: to every patient, to lower-back pain only, or never needed (it cannot change
the interpretation). Whether a patient needs it is the working diagnosis's expert path
(``interpretations.csv``, ``needed_steps``), within this limit."""
YES_NO_MAYBE = ("yes", "no", "maybe")
SPORT_RULES = ("required", "optional", "none")
RED_FLAG_CONCERNS = (
    "fracture", "tumour-or-infection", "infection", "cancer", "cauda-equina", "nerve-deficit", "non-spinal",
)
"""What a flag raises concern of; ``tumour-or-infection`` is the weak flags' shared concern (age, night pain)."""
INTERPRETATION_GROUPS = ("non-specific", "radicular", "serious-spinal", "inflammatory", "non-spinal")
"""Diagnostic triage (bardin2017): non-specific back pain, radicular syndromes (sciatica, stenosis),
specific spinal pathology, an inflammatory cause, and causes outside the spine."""
TREATMENT_KINDS = ("non-drug", "drug", "referral", "self-care")
VERDICTS = ("agrees", "partly-agrees", "differs", "beyond-source")
PATHWAY_KINDS = (
    "screen",
    "emergency-referral",
    "urgent-referral",
    "self-management",
    "non-drug",
    "drug",
    "reassess",
    "referral",
    "safety-net",
    "stratify",
    "pain-relief",
    "programme",
)
PATHWAY_WHEN = ("always", "not-improving")
"""``not-improving``: the step is on the path only when the treatment has not worked at review."""
PATIENT_FEATURES = ("tissue-injury", "radicular", "yellow-flags")
"""What a pathway step's ``only_for`` / ``not_for`` may name besides an interpretation id or an
interpretation group: a finding of the patient's own (a hot, red, swollen back; nerve-root signs;
yellow flags), for plans that depend on it whatever the working diagnosis."""
REFERENCE_KINDS = ("guideline", "systematic-review", "trial", "study", "review", "tool", "patient-information")
NOTEBOOKS = (
    "00_start_here",
    "01_risk_factors",
    "02_exam_simulator",
    "03_treatment_pathway",
    "04_case_study",
)
"""The classroom notebooks, by file stem: the one spelling of a notebook's name in data and code."""
INSTRUCTOR_NOTEBOOKS = ("05_class_debrief",)
"""Notebooks for the lecturer only: left out of the handout set, the student Lite site and
`spasm-teach start`; run with papermill (or `spasm-teach render`) on a folder of traces."""


def notebook_stem(notebook: Any) -> str:
    """Any spelling a person may type (``notebooks/01_risk_factors.ipynb``, ``01_risk_factors``,
    ``01-risk-factors``) -> the stem, ``01_risk_factors``."""
    return Path(str(notebook)).name.removesuffix(".ipynb").replace("-", "_")


CASE_ANSWERS = (
    "triage", "findings", "risk-factors", "plan", "source-vs-guidance", "why-not-conservative", "safety-net",
    "deciding-history",
    "triage-level", "interpretation",
)
"""What a case question's model answer is composed from (see :mod:`spasm_lib.case_study`).
``triage-level`` and ``interpretation`` are closed questions: the student chooses one of the levels
or interpretations, and the model answer is the patient's own."""

CASE_PARTS = ("history", "triage", "interpretation", "plan")
"""The case study's parts in clinical order: the history, the warning signs and triage, the
interpretation of the findings, the plan."""
