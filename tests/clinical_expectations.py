"""Clinical expectations written out by hand, for the tests of the clinical core.

Everything here was written from ../shared/content/guidelines.md and guidelines-2.md and by reading
data/*.csv, never by calling spasm_lib, so a test that compares the code's answer with these can fail. One definition
of each, shared by the exam, pathway, case-study, virtual-patient and widget tests.
"""

from __future__ import annotations

# The flags of red_flags.csv by the triage level each sets on its own, written from
# ../shared/content/guidelines-2.md section 3 (and section 1 for cauda equina syndrome): cauda equina
# signs, cord compression, major trauma, a leaking aneurysm and a heart or aortic cause are
# emergencies; infection (same day), metastases without neurology (a week), an osteoporotic fracture
# (primary care), a foot drop (same day) and a kidney cause are urgent; age and night pain are weak.
CAUDA_EQUINA_FLAGS = frozenset({"saddle-anaesthesia", "bladder-dysfunction", "urinary-retention", "bowel-dysfunction",
                                "sexual-dysfunction", "both-legs", "weakness-both-legs"})
EMERGENCY_FLAGS = CAUDA_EQUINA_FLAGS | {"major-trauma", "cancer-with-neurological-symptoms", "fainting-or-collapse",
                                        "tearing-or-chest-pain"}
URGENT_FLAGS = frozenset({"minor-trauma-older-or-osteoporotic", "history-of-cancer", "unexplained-weight-loss",
                          "fever-or-chills", "spinal-infection-risk", "weakness-one-leg", "loin-pain-fever-or-urine"})
WEAK_FLAGS = frozenset({"age-over-50-or-under-20", "pain-lying-down-or-night"})

# What each strong flag makes a clinician write down (guidelines-2, sections 1 to 3 and 5).
SUGGESTS = {
    **dict.fromkeys(CAUDA_EQUINA_FLAGS, "suspected-cauda-equina"),
    "cancer-with-neurological-symptoms": "suspected-cancer-or-cord-compression",
    "history-of-cancer": "suspected-cancer-or-cord-compression",
    "unexplained-weight-loss": "suspected-cancer-or-cord-compression",
    "fever-or-chills": "suspected-infection",
    "spinal-infection-risk": "suspected-infection",
    "major-trauma": "suspected-fracture",
    "minor-trauma-older-or-osteoporotic": "suspected-fracture",
    "weakness-one-leg": "progressive-motor-deficit",
    "fainting-or-collapse": "suspected-aortic-aneurysm",
    "loin-pain-fever-or-urine": "suspected-kidney-cause",
    "tearing-or-chest-pain": "suspected-heart-or-aorta-cause",
}
# When several point different ways, the most dangerous to miss is written first.
PRIORITY = ["suspected-cauda-equina", "suspected-cancer-or-cord-compression", "suspected-infection",
            "suspected-fracture", "suspected-heart-or-aorta-cause", "suspected-aortic-aneurysm",
            "suspected-kidney-cause", "progressive-motor-deficit", "axial-spondyloarthritis",
            "lumbar-spinal-stenosis", "nerve-root-irritation", "back-spasm-with-tissue-injury", "back-spasm"]
# Presentations whose working diagnosis no warning sign names (presentations.csv read by hand).
PRESENTATION_DIAGNOSIS = {"axial-spa": "axial-spondyloarthritis", "spinal-stenosis": "lumbar-spinal-stenosis"}
# The level each working diagnosis needs at least (guidelines-2: NG65 rheumatology referral is not
# urgent; stenosis and stable sciatica are conservative).
DIAGNOSIS_LEVEL = {"suspected-cauda-equina": "emergency", "suspected-heart-or-aorta-cause": "emergency",
                   "suspected-aortic-aneurysm": "emergency", "suspected-cancer-or-cord-compression": "urgent",
                   "suspected-infection": "urgent", "suspected-fracture": "urgent", "suspected-kidney-cause": "urgent",
                   "progressive-motor-deficit": "urgent"}


def expected_level(red_flag_ids, interpretation_id: str | None = None) -> str:
    """Any emergency flag or diagnosis; any urgent one; any weak flag (alone or together); none."""
    flags = set(red_flag_ids)
    need = DIAGNOSIS_LEVEL.get(interpretation_id or "", "routine")
    if flags & EMERGENCY_FLAGS or need == "emergency":
        return "emergency"
    if flags & URGENT_FLAGS or need == "urgent":
        return "urgent"
    if flags & WEAK_FLAGS:
        return "watchful"
    return "routine"


def expected_interpretation(case) -> str:
    """The strong flags' diagnosis (the most dangerous first); a presentation's own; then the findings."""
    suggested = {SUGGESTS[f] for f in case.red_flag_ids if f in SUGGESTS}
    if suggested:
        return min(suggested, key=PRIORITY.index)
    if case.presentation_id in PRESENTATION_DIAGNOSIS:
        return PRESENTATION_DIAGNOSIS[case.presentation_id]
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
    "red-flag-saddle-numbness": ("emergency", "suspected-cauda-equina"),
    "older-lifter-osteoporosis": ("urgent", "suspected-fracture"),
}

# The source's own advice (paragraphs 4 and 5): evidence checks beside the plan, never the plan.
SOURCE_ONLY_TREATMENTS = ("ice", "rest", "compression", "muscle-relaxants")

# Exam steps (exam_steps.csv) in teaching order.
EXAM_STEPS = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags", "history-pattern",
              "general-check", "inspection", "palpation", "lean-forward", "twisting", "straight-leg-raise",
              "neuro-screen", "abdomen-check"]
# The expert's examination per working diagnosis (what a musculoskeletal teacher asks for before a
# decision): the full history and examination for non-specific and radicular pain; in an emergency
# only what decides the transfer (guidelines-2 item 7: no outpatient work-up for suspected CES).
FULL_NON_SPECIFIC = ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags",
                     "history-pattern", "inspection", "palpation", "lean-forward", "straight-leg-raise"]
EXPERT_PATH = {
    "back-spasm": FULL_NON_SPECIFIC,
    "back-spasm-with-tissue-injury": FULL_NON_SPECIFIC,
    "nerve-root-irritation": FULL_NON_SPECIFIC + ["neuro-screen"],
    "suspected-cauda-equina": ["history-onset", "red-flag-questions", "neuro-screen"],
    "suspected-aortic-aneurysm": ["history-onset", "red-flag-questions", "general-check"],
    "suspected-heart-or-aorta-cause": ["history-onset", "red-flag-questions", "general-check"],
    "suspected-fracture": ["history-onset", "red-flag-questions", "palpation", "neuro-screen"],
    "suspected-infection": ["history-onset", "red-flag-questions", "general-check", "palpation", "neuro-screen"],
    "suspected-cancer-or-cord-compression": ["history-onset", "red-flag-questions", "general-check", "palpation",
                                             "neuro-screen"],
    "suspected-kidney-cause": ["history-onset", "red-flag-questions", "history-pattern", "general-check",
                               "abdomen-check"],
    "progressive-motor-deficit": ["history-onset", "red-flag-questions", "straight-leg-raise", "neuro-screen"],
    "axial-spondyloarthritis": ["history-onset", "red-flag-questions", "history-pattern", "palpation", "lean-forward"],
    "lumbar-spinal-stenosis": ["history-onset", "red-flag-questions", "history-pattern", "lean-forward",
                               "neuro-screen", "abdomen-check"],
}
PROVOCATIVE = ["lean-forward", "twisting", "straight-leg-raise"]

# What a full examination (every step, palpating at the pain) shows for each data case, by hand
# from findings.csv and the case's hidden facts in cases.csv.
_PLAIN = ["onset-history", "risk-factors-history", "red-flags-absent", "yellow-flags-absent", "pattern-mechanical",
          "general-normal", "inspection-clear", "palpation-tender", "lean-forward-pain", "twisting-pain",
          "slr-back-pain-only", "neuro-normal", "abdomen-normal"]


def _swap(ids, **changes):
    return [changes.get(i.replace("-", "_"), i) for i in ids]


FULL_EXAM_FINDINGS = {
    "golfer-twist": _PLAIN,
    "weekend-footballer": _swap(_PLAIN, inspection_clear="inspection-signs", palpation_tender="palpation-injury"),
    "office-worker-weak-core": _swap(_PLAIN, yellow_flags_absent="yellow-flags-present",
                                     slr_back_pain_only="slr-upper-back"),
    "arthritis-older-adult": _swap(_PLAIN, red_flags_absent="red-flags-present"),
    "ruptured-disc": _swap(_PLAIN, slr_back_pain_only="slr-radicular", neuro_normal="neuro-root"),
    "no-known-cause": _PLAIN,
    "red-flag-saddle-numbness": ["onset-ces", "risk-factors-history", "red-flags-present", "yellow-flags-absent",
                                 "pattern-mechanical", "general-normal", "inspection-clear",
                                 "palpation-muscles-neutral", "lean-forward-guarded", "twisting-pain", "slr-both",
                                 "neuro-ces-early", "abdomen-normal"],
    "older-lifter-osteoporosis": ["onset-unremitting", "risk-factors-none", "red-flags-present", "yellow-flags-absent",
                                  "pattern-mechanical", "general-normal", "inspection-clear", "palpation-midline",
                                  "lean-forward-guarded", "twisting-pain", "slr-back-pain-only", "neuro-normal",
                                  "abdomen-normal"],
}


def expected_finding_ids(facts, case) -> list[str]:
    """findings.csv read with the trigger rules written out here (palpating at the pain), in step order:
    a finding shows when its trigger holds and the patient's diagnosis is among its ``interpretations``
    (or it lists none); a step's ``otherwise`` finding only when nothing else of the step shows.

    Used for virtual patients, whose findings cannot be listed by hand one by one.
    """
    flags = set(case.red_flag_ids)
    ces = bool(flags & CAUDA_EQUINA_FLAGS)
    # The triggers that hold for this patient, one clinical question at a time (a trigger not
    # added does not hold): where is it, what hurts, how did it start, what is on the list.
    holds = {"always", "site-match"}  # the examiner palpates where the patient hurts
    if case.spasm_site != "lower-back":
        holds.add("upper-back")
    elif case.radicular:
        holds.add("radicular")
    else:
        holds.add("not-radicular")
    holds.add("tissue-injury" if case.tissue_injury else "no-tissue-injury")
    holds.add(f"{case.onset}-onset")
    for listed, trigger in ((flags, "red-flags"), (case.risk_factor_ids, "risk-factors"),
                            (case.yellow_flag_ids, "yellow-flags")):
        holds.add(trigger if listed else f"no-{trigger}")
    if ces:
        holds.add("cauda-equina")
    elif not case.radicular:
        holds.add("no-neuro-signs")
    holds.add("ces-retention" if "urinary-retention" in flags else "no-ces-retention")
    if "cancer-with-neurological-symptoms" in flags:
        holds.add("cord-signs")
    diagnosis = expected_interpretation(case)
    ids = []
    for step in EXAM_STEPS:
        mine = [f for f in facts.findings if f.step_id == step]
        fits = [f for f in mine if not f.interpretations or diagnosis in f.interpretations]
        shown = [f for f in fits if f.trigger in holds]
        ids += [f.id for f in (shown or [f for f in fits if f.trigger == "otherwise"])]
    return ids

PLAN_TITLES = {  # pathway_steps.csv's steps and titles in order, copied by hand
    "red-flag-screen": "Screen for warning signs and set the triage level",
    "emergency-referral": "Emergency care now",
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
    "history-pattern": "History: pattern through the day",
    "general-check": "General check",
    "inspection": "Inspection of the painful area",
    "palpation": "Palpation",
    "lean-forward": "Bending forward",
    "twisting": "Turning the trunk",
    "straight-leg-raise": "Straight leg raise",
    "neuro-screen": "Neurological screen of the legs",
    "abdomen-check": "Abdomen, loins and pulses",
}
