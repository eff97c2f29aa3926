"""A scripted class: trace files made by driving the library's own state functions, with seeded mistakes.

Each student examines their class patient (``class_mix.class_patients``) step by step with
``exam_findings.record_step``, commits, and gets ``exam_grading.feedback``; walks the pathway with
``pathway_walk.advance``; answers every quiz with ``quiz.grade``; answers the case study. The
statements are written through issue 20's recorder (``recorder.Recorder``, spasm_lib.xapi builders) in
the shape docs/trace.md gives, with an injected clock and seeded ids, so the files are the same bytes
every run. Mistakes are seeded by the student's number (a rule written here, in plain arithmetic), and
the script keeps, beside the files, what it knows each student did: the known answers that the
collect tests compare the report with. Nothing here calls spasm_lib.collect.

Used by tests/test_collect.py (30 students) and benchmarks/run.py (1,000 students x 5 notebooks).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from spasm_lib import exam_findings as ex
from spasm_lib import exam_grading as gr
from spasm_lib import pathway_walk as pw
from spasm_lib import quiz, treatment_pathway as tp, xapi
from spasm_lib.recorder import Recorder, fixed_clock, seeded_ids
from spasm_lib.tables import Facts
from spasm_lib.vocabulary import NOTEBOOKS
from spasm_lib.triage import case_triage
from spasm_lib.class_mix import class_patients

CONFIDENCE = (("very-unsure", "Very unsure"), ("unsure", "Unsure"), ("sure", "Sure"), ("very-sure", "Very sure"))
"""The four confidence levels the script records (the scale travels in each statement's definition)."""


@dataclass
class Known:
    """What the script knows it did: the expected report."""

    grades: dict[str, dict[str, float | None]] = field(default_factory=dict)
    triage: Counter = field(default_factory=Counter)
    interpretation: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    confidence: dict[str, list[int]] = field(default_factory=dict)
    statements: int = 0
    files: list[Path] = field(default_factory=list)


def _pct(right: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * right / total, 1)


def write_class(facts: Facts, folder: Path, students: int, class_seed: int, *, quizzes: bool = True) -> Known:
    folder.mkdir(parents=True, exist_ok=True)
    known = Known()
    levels = [t.id for t in sorted(facts.triage_levels, key=lambda t: t.order)]
    interpretations = [i.id for i in facts.interpretations]
    warning_steps = sorted(s.id for s in facts.exam_steps if s.kind == ex.RED_FLAG_KIND)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    for p in class_patients(facts, students, class_seed):
        i = p.number
        name = f"s{i:03d}"
        case = p.case
        clock = fixed_clock(start + timedelta(hours=i), step_seconds=20)
        ids = seeded_ids(i)
        recorders = {stem: Recorder(stem, name, folder=folder, clock=clock, ids=ids, enabled=True) for stem in NOTEBOOKS}
        grades: dict[str, float | None] = {}
        patient = xapi.patient_activity(case.id, f"Patient {i}")
        true_level = case_triage(facts, case).id

        # --- the exam simulator (02)
        rec = recorders["02_exam_simulator"]
        if i % 5 == 0:  # an encounter left after two steps, without the warning-sign questions
            reg = rec.new_registration()
            rec.record("initialized", patient, registration=reg)
            for step in ("history-onset", "palpation"):
                rec.record("arrived", xapi.activity(xapi.activity_id("patient", case.id, "step", step), "node", step),
                           registration=reg, parent=patient)
            rec.record("terminated", patient, registration=reg)
            for step in warning_steps:
                known.skipped[step] += 1
        reg = rec.new_registration()
        rec.record("initialized", patient, registration=reg)
        needed = [s for s in ex.exam_steps(facts) if gr.step_needed(facts, case, s)]
        if i % 4 == 1:  # seeded: the last needed step that is not a warning-sign question is skipped
            drop = [s for s in needed if s.kind != ex.RED_FLAG_KIND][-1]
            needed = [s for s in needed if s.id != drop.id]
        state = ex.ExamState(case.id)
        for step in needed:
            site = case.spasm_site if ex.step_needs_site(facts, step.id) else None
            state = ex.record_step(facts, state, step.id, site)
            rec.record("arrived", xapi.activity(xapi.activity_id("patient", case.id, "step", step.id), "node", step.name),
                       registration=reg, parent=patient, result=xapi.result(response=step.id))
        assert gr.commit_refusal(facts, state, case.interpretation_id) is None
        chosen = case.interpretation_id
        if i % 6 == 2:  # seeded: a wrong interpretation
            chosen = next(x for x in interpretations if x != case.interpretation_id)
        fb = gr.feedback(facts, case, ex.examine(facts, state.committed(chosen), case), chosen)
        level = levels.index(true_level)
        chosen_level = true_level
        if i % 7 == 3 and level + 1 < len(levels):
            chosen_level = levels[level + 1]  # seeded: less urgent than the flags call for
        elif i % 7 == 5 and level > 0:
            chosen_level = levels[level - 1]  # seeded: more urgent
        confidence = "sure" if fb.correct else ("very-sure" if i % 4 == 2 else "unsure")
        rec.record("responded", xapi.activity(xapi.activity_id("patient", case.id, "confidence"), "cmi.interaction",
                                              "How sure are you?", interaction_type="likert", scale=CONFIDENCE),
                   registration=reg, parent=patient, result=xapi.result(response=confidence))
        rec.record("responded", xapi.activity(xapi.activity_id("patient", case.id, "triage"), "cmi.interaction",
                                              "Triage level", interaction_type="choice",
                                              choices=[(x, x) for x in levels], correct=[true_level]),
                   registration=reg, parent=patient,
                   result=xapi.result(response=xapi.choice_response([chosen_level]), success=chosen_level == true_level))
        rec.record("responded", xapi.activity(xapi.activity_id("patient", case.id, "interpretation"), "cmi.interaction",
                                              "Interpretation", interaction_type="choice",
                                              choices=[(x, x) for x in interpretations], correct=[case.interpretation_id]),
                   registration=reg, parent=patient,
                   result=xapi.result(response=xapi.choice_response([chosen]), success=bool(fb.correct)))
        for missed in fb.missed:
            rec.record("ignored", xapi.activity(xapi.activity_id("patient", case.id, "step", missed.step_id), "node",
                                                missed.step_name), registration=reg, parent=patient)
        errors = []
        if not fb.reasoning_complete:
            errors.append("missed-discriminating-step")
        if not fb.correct and confidence == "very-sure":
            errors.append("calibration")
        rec.record("completed", patient, registration=reg, result=xapi.result(
            success=bool(fb.correct), completion=True, seconds=20.0 * (len(needed) + 4),
            extensions={xapi.EXT["verdict"]: fb.grade, xapi.EXT["errors"]: errors,
                        xapi.EXT["triage"]: true_level, xapi.EXT["confidence"]: confidence}))
        known.triage[(true_level, chosen_level)] += 1
        known.interpretation[(case.interpretation_id, chosen)] += 1
        for e in errors:
            known.errors[e] += 1
        known.confidence.setdefault(confidence, [0, 0])[0 if fb.correct else 1] += 1
        grades["exam_right"] = 100.0 if fb.correct else 0.0
        grades["exam_reasoned"] = 100.0 if fb.grade == "correct" else 0.0
        grades["triage_right"] = 100.0 if chosen_level == true_level else 0.0

        # --- the pathway walk (03)
        rec = recorders["03_treatment_pathway"]
        walk_reg = rec.new_registration()
        walk_activity = xapi.activity(xapi.activity_id("pathway", case.id), "simulation", "Pathway walk")
        rec.record("initialized", walk_activity, registration=walk_reg)
        wstate = pw.PathwayState(case.id)
        right = shown = 0
        while True:
            result = pw.walk(facts, wstate, case)
            if result.awaiting_review_answer:
                wstate = pw.answer_review(wstate, improving=False)
                continue
            if result.finished:
                break
            actual = tp.journey(facts, case, improving=bool(wstate.improving))[wstate.shown]
            predicted = actual
            if i % 3 == 0 and wstate.shown == 1:  # seeded: the first prediction is wrong
                predicted = next(s.id for s in result.choices if s.id != actual)
            wstate = pw.advance(facts, wstate, case, predicted)
            shown += 1
            right += predicted == actual
            rec.record("responded", xapi.activity(xapi.activity_id("pathway", case.id, "step", str(wstate.shown)),
                                                  "cmi.interaction", "Next step", interaction_type="choice",
                                                  correct=[actual]),
                       registration=walk_reg, parent=walk_activity,
                       result=xapi.result(response=predicted, success=predicted == actual))
        rec.record("completed", walk_activity, registration=walk_reg,
                   result=xapi.result(score=(right, max(shown, 1)), completion=True))
        grades["pathway"] = _pct(right, shown)

        # --- the quizzes (every notebook)
        for stem in NOTEBOOKS:
            questions = quiz.questions(facts, stem)
            if not questions or not quizzes:
                continue
            if stem == "01_risk_factors" and i % 10 == 9:  # seeded: this quiz never opened
                grades[f"quiz_{stem}"] = None
                continue
            rec = recorders[stem]
            qreg = rec.new_registration()
            quiz_activity = xapi.activity(xapi.activity_id("quiz", stem), "assessment", f"Quiz {stem}")
            rec.record("initialized", quiz_activity, registration=qreg)
            right = 0
            for q in questions:
                option = q.correct_option
                if (i + q.number) % 4 == 0:  # seeded: a wrong answer
                    option = next(o for o in q.options if not o.correct)
                graded = quiz.grade(facts, q.id, option.id)
                right += graded.correct
                rec.record("answered", xapi.activity(xapi.activity_id("quiz", stem, q.id), "cmi.interaction", q.prompt,
                                                     interaction_type="choice",
                                                     choices=[(o.id, o.text) for o in q.options],
                                                     correct=[q.correct_option.id]),
                           registration=qreg, parent=quiz_activity,
                           result=xapi.result(response=xapi.choice_response([option.id]), success=graded.correct))
            grades[f"quiz_{stem}"] = _pct(right, len(questions))

        # --- the case study (04)
        from spasm_lib.collect_results import case_questions_asked  # only the list of questions asked, from data

        rec = recorders["04_case_study"]
        asked = case_questions_asked(facts, case.id)
        answered = 0
        for n, key in enumerate(asked):
            text = "" if (i % 8 == 4 and n == len(asked) - 1) else f"Answer {n + 1} of student {name}."
            answered += bool(text)
            if not text:  # an answer left empty is not recorded (xAPI allows no empty response)
                continue
            rec.record("answered", xapi.activity(xapi.activity_id("case-study", case.id, key), "cmi.interaction",
                                                 key, interaction_type="long-fill-in"),
                       parent=patient, result=xapi.result(response=text))
        grades["case_study"] = _pct(answered, len(asked))
        known.grades[name] = grades
        for r in recorders.values():
            r.flush()
    known.files = sorted(folder.glob("spasm-trace_*.jsonl"))
    known.statements = sum(len(f.read_bytes().splitlines()) for f in known.files)
    return known
