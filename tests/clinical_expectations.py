"""Clinical expectations written out by hand, for the tests of the clinical core.

Everything here was written from /tmp/team/CLINICAL_SPEC.md and by reading data/*.csv, never by
calling spasm_lib, so a test that compares the code's answer with these can fail. One definition
of each, shared by the exam, pathway, case-study, virtual-patient and widget tests.
"""

from __future__ import annotations

# The flags of red_flags.csv by the triage level each sets on its own (the spec's lists).
EMERGENCY_FLAGS = frozenset(
    {"saddle-anaesthesia", "bladder-dysfunction", "bowel-dysfunction", "leg-weakness-or-numbness", "major-trauma"}
)
URGENT_FLAGS = frozenset(
    {"minor-trauma-older-or-osteoporotic", "history-of-cancer", "fever-chills-weight-loss", "spinal-infection-risk"}
)
WEAK_FLAGS = frozenset({"age-over-50-or-under-20", "pain-lying-down-or-night"})
CAUDA_EQUINA_FLAGS = frozenset({"saddle-anaesthesia", "bladder-dysfunction", "bowel-dysfunction",
                                "leg-weakness-or-numbness"})


def expected_level(red_flag_ids) -> str:
    """The spec's rule: any emergency flag; any urgent flag or two weak ones; one weak; none."""
    flags = set(red_flag_ids)
    if flags & EMERGENCY_FLAGS:
        return "emergency"
    if flags & URGENT_FLAGS or len(flags & WEAK_FLAGS) >= 2:
        return "urgent"
    if flags & WEAK_FLAGS:
        return "watchful"
    return "routine"


def expected_interpretation(case) -> str:
    """Serious cause only when urgent or emergency; then nerve root, tissue injury, a plain spasm."""
    if expected_level(case.red_flag_ids) in ("emergency", "urgent"):
        return "serious-cause-suspected"
    if case.radicular:
        return "nerve-root-irritation"
    if case.tissue_injury:
        return "back-spasm-with-tissue-injury"
    return "back-spasm"


# Model plans, written from guidelines-2 (sections 3, 4, 7, 9, 10) and pathway_steps.csv read by hand:
# the path of a patient not improving at the review, with no diagnosis-specific step.
# Urgent and emergency: referral in the time the concern needs, pain relief while waiting (never before
# an emergency transfer), the safety net. Watchful and routine: risk stratification at first contact for
# every new episode (NG59, QS155), self-management, heat, an NSAID, a review that measures progress;
# without improvement, reassessment and a programme, then a specialist opinion on stated criteria.
PLANS = {
    "routine": ["red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "review",
                "programme", "specialist-referral", "safety-net"],
    "watchful": ["red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "watchful-review",
                 "programme", "specialist-referral", "safety-net"],
    "urgent": ["red-flag-screen", "urgent-referral", "pain-relief-while-waiting", "safety-net"],
    "emergency": ["red-flag-screen", "emergency-referral", "pain-relief-while-waiting", "safety-net"],
}
# ... and of a patient improving at the review: the programme and the specialist opinion drop out.
PLANS_IF_IMPROVING = {
    "routine": ["red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "review",
                "safety-net"],
    "watchful": ["red-flag-screen", "risk-stratification", "self-management", "non-drug", "drug", "watchful-review",
                 "safety-net"],
    "urgent": ["red-flag-screen", "urgent-referral", "pain-relief-while-waiting", "safety-net"],
    "emergency": ["red-flag-screen", "emergency-referral", "pain-relief-while-waiting", "safety-net"],
}
PLAN_KINDS = frozenset({"screen", "emergency-referral", "urgent-referral", "self-management", "non-drug", "drug",
                        "reassess", "referral", "safety-net", "stratify", "pain-relief", "programme"})
CONSERVATIVE_LEVELS = ("watchful", "routine")


def expected_plan(level: str, tissue_injury: bool = False, radicular: bool = False,
                  interpretation_id: str | None = None, improving: bool = False) -> list[str]:
    """The plan of one patient of this triage level, by the rules written out here (guidelines-2
    sections 2, 5, 6 and NG65):

    * a hot, red, swollen back gets its cause looked for (temperature, general state) and never heat;
    * stable nerve-root pain gets the neurological safety net (worsening weakness, foot drop, both
      legs, any cauda equina sign) before the general one;
    * axial spondyloarthritis gets a routine rheumatology referral (NG65) after self-management, and
      none of NG59's steps for non-specific pain (risk stratification, programme, specialist opinion).
    """
    plan = list((PLANS_IF_IMPROVING if improving else PLANS)[level])
    if level not in CONSERVATIVE_LEVELS:
        return plan
    if tissue_injury:
        plan.remove("non-drug")
        plan.insert(plan.index("self-management"), "hot-swollen-back")
    if interpretation_id == "axial-spondyloarthritis":
        for step in ("risk-stratification", "programme", "specialist-referral"):
            if step in plan:
                plan.remove(step)
        plan.insert(plan.index("self-management") + 1, "rheumatology-referral")
    if interpretation_id == "nerve-root-irritation":
        plan.insert(plan.index("safety-net"), "neuro-safety-net")
    return plan


def case_plan(case, level: str, improving: bool = False) -> list[str]:
    """:func:`expected_plan` for a Case (a data case or a virtual patient) whose triage level is
    ``level`` (the triage itself is tested on its own, in test_triage)."""
    return expected_plan(level, case.tissue_injury, case.radicular, case.interpretation_id, improving)


# The data cases of cases.csv: triage level and interpretation, read by hand.
CASE_TRIAGE = {
    "golfer-twist": ("routine", "back-spasm"),
    "weekend-footballer": ("routine", "back-spasm-with-tissue-injury"),
    "office-worker-weak-core": ("routine", "back-spasm"),
    "arthritis-older-adult": ("watchful", "back-spasm"),
    "ruptured-disc": ("routine", "nerve-root-irritation"),
    "no-known-cause": ("routine", "back-spasm"),
    "red-flag-saddle-numbness": ("emergency", "serious-cause-suspected"),
    "older-lifter-osteoporosis": ("urgent", "serious-cause-suspected"),
}

# The source's own advice (paragraphs 4 and 5): evidence checks beside the plan, never the plan.
SOURCE_ONLY_TREATMENTS = ("ice", "rest", "compression", "muscle-relaxants")

# Exam steps (exam_steps.csv) in teaching order, and which a careful examiner needs per patient.
EXAM_STEPS = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags", "inspection",
              "palpation", "lean-forward", "twisting", "straight-leg-raise", "neuro-screen"]
NEEDED_ALWAYS = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags",
                 "inspection", "palpation", "lean-forward"]
NEEDED_LOWER_BACK = NEEDED_ALWAYS + ["straight-leg-raise"]
NEEDED_LEG_SYMPTOMS = NEEDED_LOWER_BACK + ["neuro-screen"]

# What a full examination (every step, palpating at the spasm) shows for each data case, by hand
# from findings.csv's triggers and the case's hidden facts in cases.csv.
FULL_EXAM_FINDINGS = {
    "golfer-twist": ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-absent",
                     "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                     "slr-back-pain-only", "neuro-normal"],
    "weekend-footballer": ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-absent",
                           "inspection-signs", "palpation-tender", "lean-forward-pain", "twisting-pain",
                           "slr-back-pain-only", "neuro-normal"],
    "office-worker-weak-core": ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-present",
                                "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                                "slr-upper-back", "neuro-normal"],
    "arthritis-older-adult": ["onset-history", "risk-factors-history", "red-flags-present", "yellow-flags-absent",
                              "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                              "slr-back-pain-only", "neuro-normal"],
    "ruptured-disc": ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-absent",
                      "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                      "slr-radicular", "neuro-root"],
    "no-known-cause": ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-absent",
                       "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                       "slr-back-pain-only", "neuro-normal"],
    "red-flag-saddle-numbness": ["onset-history", "risk-factors-history", "red-flags-present", "yellow-flags-absent",
                                 "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
                                 "slr-back-pain-only", "neuro-saddle"],
    "older-lifter-osteoporosis": ["onset-unremitting", "risk-factors-none", "red-flags-present",
                                  "yellow-flags-absent", "inspection-clear", "palpation-tender", "lean-forward-pain",
                                  "twisting-pain", "slr-back-pain-only", "neuro-normal"],
}


def expected_finding_ids(facts, case) -> list[str]:
    """findings.csv read with the trigger rules written out here (palpating at the spasm), in step order.

    Used for virtual patients, whose findings cannot be listed by hand one by one.
    """
    lower = case.spasm_site == "lower-back"
    ces = bool(set(case.red_flag_ids) & CAUDA_EQUINA_FLAGS)
    holds = {
        "always": True,
        "site-match": True,
        "site-other": False,
        "tissue-injury": case.tissue_injury,
        "no-tissue-injury": not case.tissue_injury,
        "radicular": case.radicular,
        "not-radicular": lower and not case.radicular,
        "upper-back": not lower,
        "red-flags": bool(case.red_flag_ids),
        "no-red-flags": not case.red_flag_ids,
        "typical-onset": case.onset == "typical",
        "unremitting-onset": case.onset == "unremitting",
        "risk-factors": bool(case.risk_factor_ids),
        "no-risk-factors": not case.risk_factor_ids,
        "yellow-flags": bool(case.yellow_flag_ids),
        "no-yellow-flags": not case.yellow_flag_ids,
        "cauda-equina": ces,
        "no-neuro-signs": not case.radicular and not ces,
    }
    order = {s: k for k, s in enumerate(EXAM_STEPS)}
    found = [f for f in facts.findings if holds[f.trigger]]
    return [f.id for f in sorted(found, key=lambda f: order[f.step_id])]

PLAN_TITLES = {  # pathway_steps.csv's steps and titles in order, copied by hand
    "red-flag-screen": "Screen for warning signs and set the triage level",
    "emergency-referral": "Same-day emergency care",
    "urgent-referral": "Urgent assessment, in the time the concern needs",
    "pain-relief-while-waiting": "Pain relief while waiting",
    "risk-stratification": "Risk stratification for this new episode",
    "hot-swollen-back": "A hot, red, swollen back: look for its cause",
    "self-management": "Reassurance, staying active and self-management",
    "rheumatology-referral": "Referral to rheumatology (not urgent)",
    "non-drug": "Superficial heat",
    "drug": "An NSAID, if a medicine is wanted",
    "review": "Review: measure progress and plan the return to work",
    "watchful-review": "A sooner review, with the flags asked again",
    "programme": "Reassessment, then an exercise or combined programme",
    "specialist-referral": "Specialist opinion, only on stated criteria",
    "neuro-safety-net": "What to watch in the legs",
    "safety-net": "Safety-net advice, in writing",
}
STEP_NAMES = {  # exam_steps.csv's step names, copied by hand
    "history-onset": "History: onset and course",
    "history-risk-factors": "History: risk factors",
    "red-flag-questions": "Warning-sign (red flag) questions",
    "history-yellow-flags": "History: how the person sees their pain (yellow flags)",
    "inspection": "Inspection of the painful area",
    "palpation": "Palpation",
    "lean-forward": "Bending forward",
    "twisting": "Turning the trunk",
    "straight-leg-raise": "Straight leg raise",
    "neuro-screen": "Neurological screen of the legs",
}
