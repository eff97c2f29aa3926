"""What each activity records: one small class per widget, turning its events into xAPI statements.

Why a layer between the widgets and :mod:`spasm_lib.trace`: the widgets stay wiring only (one call
per callback), and every statement of an activity is spelled in one place, in the shape docs/trace.md
describes. Each class takes a :class:`~spasm_lib.recorder.Recorder` or None; with None (a static run,
recording off) every method does nothing, so the widgets never test for it.

The first statement of each activity (a patient opened, a quiz shown) is *deferred*: it is written
at the student's first action, so a notebook that is run but never touched writes no file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from spasm_lib import records as R
from spasm_lib import xapi
from spasm_lib.debrief import Debrief
from spasm_lib.encounter import CONFIDENCE_LEVELS
from spasm_lib.exam_findings import RevealedFinding
from spasm_lib.exam_grading import Feedback
from spasm_lib.recorder import Recorder, recording_enabled
from spasm_lib.virtual_patients import is_virtual

EXT = xapi.EXT


class _Activity:
    def __init__(self, recorder: Recorder | None):
        self.rec = recorder if recorder is not None and recorder.enabled else None
        self.registration: uuid.UUID | None = None
        self.started: datetime | None = None

    def _begin(self, initialized: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """A new attempt: a new registration and, with ``initialized`` (the activity), its deferred
        "initialized" statement, kept only if the attempt is used."""
        assert self.rec is not None
        self.registration = self.rec.new_registration()
        self.started = None
        if initialized is not None:
            self.rec.record("initialized", initialized, registration=self.registration, deferred=True, **kwargs)

    def _record(self, verb: str, obj: Mapping[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        if self.rec is None:
            return None
        stmt = self.rec.record(verb, obj, registration=self.registration, **kwargs)
        if self.started is None and stmt is not None:
            self.started = datetime.fromisoformat(stmt["timestamp"].replace("Z", "+00:00"))
        return stmt

    def _seconds(self) -> float | None:
        if self.rec is None or self.started is None:
            return None
        return max(0.0, (self.rec.clock() - self.started).total_seconds())


def _case_ext(case: R.Case, seed: int | None) -> dict[str, Any]:
    ext: dict[str, Any] = {EXT["case"]: case.id}
    if seed is not None and is_virtual(case):  # a virtual patient's seed is recorded too
        ext[EXT["seed"]] = seed
    return ext


def patient_key(case: R.Case) -> str:
    """The case id as it appears in activity ids (a virtual patient's id names its seed)."""
    return case.id


class ExamRecording(_Activity):
    """Notebook 02: a patient opened, each step with what it showed, the working hypothesis and its
    revisions, the confidence, the commit, the feedback and the debrief shown."""

    def __init__(self, recorder: Recorder | None, facts: Any):
        super().__init__(recorder)
        self.facts = facts
        self.case: R.Case | None = None
        self.seed: int | None = None
        self.hypotheses = 0
        self.active = False

    def _patient(self) -> dict[str, Any]:
        assert self.case is not None
        return xapi.patient_activity(patient_key(self.case), self.case.title)

    def _item(self, part: str, name: str, **kwargs: Any) -> dict[str, Any]:
        assert self.case is not None
        return xapi.activity(xapi.activity_id("patient", patient_key(self.case), part), "cmi.interaction", name, **kwargs)

    def _interpretation_choices(self) -> list[tuple[str, str]]:
        return [(i.id, i.name) for i in self.facts.interpretations]

    def _ctx(self, **kwargs: Any) -> dict[str, Any]:
        assert self.case is not None
        return {"parent": self._patient(), "extensions": _case_ext(self.case, self.seed), **kwargs}

    def opened(self, case: R.Case, seed: int | None) -> None:
        """A patient opened (a new encounter): the previous one, if it was used, is terminated."""
        if self.rec is None:
            return
        self.left()
        self.case, self.seed, self.hypotheses = case, seed, 0
        self.rec.pending.clear()  # an untouched encounter leaves no trace
        self._begin(self._patient(), extensions=_case_ext(case, seed))
        self.active = False

    def left(self) -> None:
        """The encounter is left (another patient, Start again) after the student did something in it."""
        if self.rec is not None and self.case is not None and self.active:
            self._record("terminated", self._patient(), extensions=_case_ext(self.case, self.seed),
                         result=xapi.result(seconds=self._seconds()) or None)
        self.active = False

    def _touch(self) -> None:
        self.active = True

    def step(self, step: R.ExamStep, site: str | None, shown: Sequence[RevealedFinding]) -> None:
        if self.rec is None or self.case is None:
            return
        self._touch()
        obj = xapi.activity(xapi.activity_id("patient", patient_key(self.case), "step", step.id), "node", step.name,
                            step.how)
        ext: dict[str, Any] = {EXT["finding"]: [f.finding_id for f in shown]}
        if site:
            ext[EXT["site"]] = site
        self._record("arrived", obj, result=xapi.result(response=" ".join(f.full_text for f in shown), extensions=ext),
                     **self._ctx())

    def hypothesis(self, interpretation_id: str) -> None:
        if self.rec is None or self.case is None or not interpretation_id:
            return
        self._touch()
        verb = "responded" if self.hypotheses == 0 else "updated"
        self.hypotheses += 1
        item = self._item("hypothesis", "Working hypothesis", interaction_type="choice",
                          choices=self._interpretation_choices())
        self._record(verb, item, result=xapi.result(response=xapi.choice_response([interpretation_id])), **self._ctx())

    def confidence(self, level: str) -> None:
        if self.rec is None or self.case is None or not level:
            return
        self._touch()
        item = self._item("confidence", "How sure are you?", interaction_type="likert", scale=CONFIDENCE_LEVELS)
        self._record("responded", item, result=xapi.result(response=xapi.choice_response([level])), **self._ctx())

    def committed(self, fb: Feedback, db: Debrief, confidence: str | None, hypothesis: str | None,
                  steps: Iterable[str]) -> None:
        """The commit: the interpretation item (with the right answer), the needed steps not taken
        (``ignored``), the feedback and the debrief shown, and the encounter completed with its score."""
        if self.rec is None or self.case is None or fb.chosen_id is None:
            return
        with self.rec.batch():
            self._committed(fb, db, confidence, hypothesis, steps)

    def _committed(self, fb: Feedback, db: Debrief, confidence: str | None, hypothesis: str | None,
                   steps: Iterable[str]) -> None:
        assert self.case is not None
        self._touch()
        item = self._item("interpretation", "Interpretation", interaction_type="choice",
                          choices=self._interpretation_choices(), correct=[fb.expected_id])
        ext = {EXT["confidence"]: confidence or "", EXT["hypothesis"]: hypothesis or ""}
        self._record("responded", item, result=xapi.result(response=xapi.choice_response([fb.chosen_id]),
                                                           success=bool(fb.correct), extensions=ext), **self._ctx())
        for missed in fb.missed:
            obj = xapi.activity(xapi.activity_id("patient", patient_key(self.case), "step", missed.step_id), "node",
                                missed.step_name)
            self._record("ignored", obj, **self._ctx())
        feedback_obj = xapi.activity(xapi.activity_id("patient", patient_key(self.case), "feedback"), "simulation",
                                     "Feedback")
        self._record("experienced", feedback_obj, result=xapi.result(extensions={EXT["verdict"]: fb.grade}), **self._ctx())
        debrief_obj = xapi.activity(xapi.activity_id("patient", patient_key(self.case), "debrief"), "simulation", "Debrief")
        errors = [e.error.id for e in db.errors]
        self._record("experienced", debrief_obj, result=xapi.result(extensions={EXT["errors"]: errors}), **self._ctx())
        raw = fb.needed_done + (1 if fb.correct else 0)
        top = fb.needed_steps + 1
        self._record("completed", self._patient(), extensions=_case_ext(self.case, self.seed), result=xapi.result(
            completion=True, success=fb.grade == "correct", score=(raw, top), seconds=self._seconds(),
            extensions={EXT["steps"]: list(steps), EXT["verdict"]: fb.grade, EXT["errors"]: errors,
                        EXT["triage"]: fb.triage.level.id, EXT["confidence"]: confidence or ""}))
        self.active = False


class PathwayRecording(_Activity):
    """Notebook 03: each prediction (the menu as shown, the step that came), the review answer, the end."""

    def __init__(self, recorder: Recorder | None):
        super().__init__(recorder)
        self.case: R.Case | None = None
        self.seed: int | None = None
        self.number = 0

    def _walk(self) -> dict[str, Any]:
        assert self.case is not None
        return xapi.activity(xapi.activity_id("pathway", patient_key(self.case)), "simulation",
                             f"Treatment pathway: {self.case.title}")

    def opened(self, case: R.Case, seed: int | None) -> None:
        if self.rec is None:
            return
        self.case, self.seed, self.number = case, seed, 0
        self._begin(self._walk(), extensions=_case_ext(case, seed))

    def predicted(self, menu: Sequence[tuple[str, str]], predicted: str | None, actual: R.PathwayStep) -> None:
        if self.rec is None or self.case is None:
            return
        self.number += 1
        item = xapi.activity(xapi.activity_id("pathway", patient_key(self.case), "step", str(self.number)),
                             "cmi.interaction", f"What comes next? (step {self.number + 1})",
                             interaction_type="choice", choices=list(menu), correct=[actual.id])
        self._record("responded", item, parent=self._walk(), extensions=_case_ext(self.case, self.seed),
                     result=xapi.result(response=xapi.choice_response([predicted]) if predicted else None,
                                        success=predicted == actual.id))

    def review(self, improving: bool) -> None:
        if self.rec is None or self.case is None:
            return
        item = xapi.activity(xapi.activity_id("pathway", patient_key(self.case), "review"), "cmi.interaction",
                             "At the review, is the treatment working?", interaction_type="true-false")
        self._record("responded", item, parent=self._walk(), extensions=_case_ext(self.case, self.seed),
                     result=xapi.result(response="true" if improving else "false"))

    def finished(self, correct: int, total: int) -> None:
        if self.rec is None or self.case is None:
            return
        self._record("completed", self._walk(), extensions=_case_ext(self.case, self.seed),
                     result=xapi.result(completion=True, score=(correct, total) if total else None,
                                        seconds=self._seconds()))


class QuizRecording(_Activity):
    """A notebook's "Check yourself": every answer with the options in the order shown."""

    def __init__(self, recorder: Recorder | None, notebook: str):
        super().__init__(recorder)
        self.notebook = notebook
        if self.rec is not None:
            self._begin(self._quiz())

    def _quiz(self) -> dict[str, Any]:
        return xapi.activity(xapi.activity_id("quiz", self.notebook), "assessment", f"Check yourself: {self.notebook}")

    def answered(self, question: Any, option_id: str, correct: bool, score: tuple[int, int]) -> None:
        """``question`` is a :class:`spasm_lib.quiz.Question` (options in display order)."""
        if self.rec is None:
            return
        item = xapi.activity(xapi.activity_id("quiz", self.notebook, question.id), "cmi.interaction", question.prompt,
                             interaction_type="choice", choices=[(o.id, o.text) for o in question.options],
                             correct=[question.correct_option.id])
        self._record("answered", item, parent=self._quiz(), result=xapi.result(
            response=xapi.choice_response([option_id]), success=correct, score=(1 if correct else 0, 1)))
        got, total = score
        if total and got == total:
            self._record("completed", self._quiz(), result=xapi.result(completion=True, success=True, score=(got, total)))


class CaseStudyRecording(_Activity):
    """Notebook 04: each written answer (the latest is read back by :func:`trace.latest_responses`)."""

    def __init__(self, recorder: Recorder | None, case: R.Case):
        super().__init__(recorder)
        self.case = case
        if self.rec is not None:
            self._begin(self._study())

    def _study(self) -> dict[str, Any]:
        return xapi.activity(xapi.activity_id("case-study", patient_key(self.case)), "simulation",
                             f"Case study: {self.case.title}")

    def answered(self, key: str, prompt: str, text: str) -> None:
        if self.rec is None:
            return
        item = xapi.activity(xapi.activity_id("case-study", patient_key(self.case), key), "cmi.interaction", prompt,
                             interaction_type="long-fill-in")
        # xAPI allows no empty value: a cleared answer is an answer with completion false and no response
        self._record("answered", item, parent=self._study(), extensions={EXT["case"]: self.case.id},
                     result=xapi.result(response=text) if text.strip() else xapi.result(completion=False))


class RiskRecording(_Activity):
    """Notebook 01: the explorer's choices (ticked factors in order, the sport) after each change."""

    def __init__(self, recorder: Recorder | None):
        super().__init__(recorder)
        if self.rec is not None:
            self._begin()

    def chose(self, risk_factor_ids: Sequence[str], sport: str) -> None:
        if self.rec is None:
            return
        obj = xapi.activity(xapi.activity_id("risk-explorer"), "interaction", "Risk-factor explorer")
        self._record("interacted", obj, result=xapi.result(
            response=xapi.choice_response(risk_factor_ids),
            extensions={EXT["choices"]: {"risk_factors": list(risk_factor_ids), "sport": sport}}))


def recorder_for(params: Any, stem: str) -> Recorder | None:
    """The recorder of a live notebook run, or None (static runs and ``SPASM_TRACE=off`` record nothing).

    Each widget gets its own recorder (its own deferred first statement); all append to the same file.
    """
    from spasm_lib import identity

    if not getattr(params, "interactive", False) or not recording_enabled():
        return None
    return Recorder(stem, identity.student_for(params), home_page=identity.course_home_page())
