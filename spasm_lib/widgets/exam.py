"""Controls for notebook 02: choose a patient, examine step by step, commit an interpretation.

Wiring only: each click updates an :class:`~spasm_lib.exam_findings.ExamState`, which goes through
:func:`~spasm_lib.exam_findings.examine` (and :func:`~spasm_lib.exam_grading.feedback` once an
interpretation is committed) into the views of :mod:`spasm_lib.views.exam`. Live mode starts with
nothing examined, whatever the static run's ``steps`` parameter says. Every click answers where it
was made: a status line under the step buttons says what the step showed (or that it was already
done), the buttons of done steps carry a tick, and the feedback appears right under Commit. With
``interactive = False`` the same functions render the parameters' state: by default a complete
worked examination with its feedback.
"""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.debrief import debrief
from spasm_lib.encounter import (
    COMMIT,
    COMMIT_ATTEMPT,
    CONFIDENCE,
    CONFIDENCE_LEVELS,
    HYPOTHESIS,
    STEP,
    Encounter,
    careless_path,
    expert_path,
    is_history_step,
)
from spasm_lib.exam_findings import ExamState, exam_steps, perform, record_step, state_from, step_needs_site
from spasm_lib.exam_grading import commit_refusal, exam_feedback, refusal_text
from spasm_lib.recording import ExamRecording, recorder_for
from spasm_lib.tables import Facts
from spasm_lib.html import Html, esc
from spasm_lib.params import facts_for
from spasm_lib.views.exam import (
    COMMIT_MESSAGES,
    SITE_LABELS,
    button_label,
    case_view,
    exam_view,
    feedback_view,
    findings_view,
)
from spasm_lib.recorder import Recorder
from spasm_lib.views.debrief import debrief_view, worked_debrief_view
from spasm_lib.views.style import styled
from spasm_lib.virtual_patients import case_for, is_virtual
from spasm_lib.widgets import Described
from spasm_lib.widgets.base import StaticView
from spasm_lib.widgets.notice import notice_line
from spasm_lib.widgets.patient_code import PatientPicker

STEM = "02_exam_simulator"
CONFIDENCE_FIRST = "Before committing, say how sure you are (the four choices above Commit)."
HYPOTHESIS_PROMPT = ("After the history: what is your working hypothesis? Choose one before the physical "
                     "examination, then test it; you may revise it at any time.")
NO_HYPOTHESIS_YET = " You have not given a working hypothesis yet: say what you think after the history, then test it."

_WIDE = {"description_width": "initial"}
DONE_MARK = "\u2713 "


def exam_html(facts: Facts, case: R.Case, state: ExamState, audience: str = "student", worked: bool = False) -> Html:
    """What the simulator shows for a state (the same for the live widget and the handout).

    ``worked``: a worked example, so the feedback shows even with nothing committed.
    """
    result, fb = exam_feedback(facts, case, state, audience, worked)
    return styled(exam_view(case, result, fb, audience))


def worked_debrief_html(facts: Facts, case: R.Case) -> Html:
    """The handouts' worked example: a deliberately careless path beside an expert's, both debriefed."""
    return styled(worked_debrief_view(debrief(facts, case, expert_path(facts, case)),
                                      debrief(facts, case, careless_path(facts, case))))


class ExamSimulator(StaticView, Described, W.VBox):
    """Patient and seed, one button per exam step, where to palpate, and the interpretation."""

    description_text = "Exam simulator"

    def __init__(self, facts: Facts, case_id: str, seed: int, audience: str, recorder: Recorder | None = None):
        self.facts = facts
        self.audience = audience
        self.recording = ExamRecording(recorder, facts)
        self._quiet = False
        self._expert: Encounter | None = None
        self._shown_feedback = None
        self._shown_debrief = None
        self.notice = notice_line(recorder)
        self.picker = PatientPicker(facts, case_id, seed, self._on_patient)
        self.patient_view = W.HTML()
        self.step_buttons: dict[str, W.Button] = {}
        for step in exam_steps(facts):
            button = W.Button(description=button_label(step), tooltip=step.how, layout=W.Layout(width="auto"))
            button.on_click(lambda _b, step_id=step.id: self.perform(step_id))
            self.step_buttons[step.id] = button
        self.site = W.Dropdown(
            options=[(SITE_LABELS[s].capitalize(), s) for s in V.SPASM_SITES],
            value=V.SPASM_SITES[0], description="Palpate at", style=_WIDE,
        )
        self.status = W.HTML()
        self.findings = W.HTML()
        self.hypothesis_prompt = W.HTML(f"<p><strong>{esc(HYPOTHESIS_PROMPT)}</strong></p>")
        self.hypothesis = W.Dropdown(
            options=[("Not decided yet", "")] + [(i.name, i.id) for i in facts.interpretations],
            value="", description="Your working hypothesis", style=_WIDE,
            layout=W.Layout(width="100%", max_width="36em"),
        )
        self.confidence = W.RadioButtons(
            options=[(label, level) for level, label in CONFIDENCE_LEVELS], value=None,
            description="How sure are you?", style=_WIDE, layout=W.Layout(width="auto"),
        )
        self.interpretation = W.Dropdown(
            options=[("Not decided yet", "")] + [(i.name, i.id) for i in facts.interpretations],
            value="", description="Your interpretation", style=_WIDE,
            layout=W.Layout(width="100%", max_width="36em"),
        )
        self.commit = W.Button(description="Commit", button_style="primary",
                               tooltip="Commit to this interpretation and see feedback",
                               layout=W.Layout(width="auto", flex="0 0 auto"))
        self.restart = W.Button(description="Start again", tooltip="Forget the steps performed, same patient",
                                layout=W.Layout(width="auto", flex="0 0 auto"))
        self.feedback = W.HTML()
        self.feedback.add_class("spasm-exam-feedback")
        # Right under the feedback, an empty label that can take focus (tabindex -1: never in the tab
        # order). Focusing it scrolls the page so that it, and the refusal just above it, are in view;
        # an HTML widget cannot take focus itself (its view passes focus to an inner div).
        self.focus_anchor = W.Label(value="", tabbable=False, layout=W.Layout(height="1px", margin="0"))
        self.feedback_area = W.VBox([self.feedback, self.focus_anchor], layout=W.Layout(width="100%"))
        self.debrief = W.HTML()
        self.debrief.add_class("spasm-exam-debrief")
        self.hypothesis.observe(self._on_hypothesis, names="value")
        self.confidence.observe(self._on_confidence, names="value")
        self.commit.on_click(lambda _b: self._commit())
        self.restart.on_click(lambda _b: self._restart())
        super().__init__(
            [
                self.picker,
                self.patient_view,
                W.HBox(list(self.step_buttons.values()), layout=W.Layout(flex_flow="row wrap")),
                self.site,
                self.status,
                self.findings,
                self.hypothesis_prompt,
                self.hypothesis,
                self.confidence,
                W.HBox([self.interpretation, self.commit, self.restart], layout=W.Layout(flex_flow="row wrap")),
                self.feedback_area,
                self.debrief,
                self.notice,
            ]
        )
        self._on_patient()

    @property
    def patient(self) -> R.Case:
        return self.picker.patient

    def perform(self, step_id: str) -> None:
        site = self.site.value if step_needs_site(self.facts, step_id) else None
        before = self.state
        self.state = record_step(self.facts, self.state, step_id, site)
        step = self.facts.by_id("exam_steps")[step_id]
        name = step.name
        where = f" at the {SITE_LABELS[site]}" if site else ""
        if self.state == before:
            self._say(f"{name}{where} was already done: its finding is in the list below.")
        else:
            self.encounter = self.encounter.then(STEP, step_id, site)
            self.recording.step(step, site, perform(self.facts, self.patient, step_id, site))
            later = "" if is_history_step(self.facts, step_id) or self.encounter.hypothesis else NO_HYPOTHESIS_YET
            self._say(f"Done: {name}{where}. Its finding is added at the end of the list below.{later}")
        self.refresh()

    def _on_hypothesis(self, change: dict) -> None:
        if self._quiet or not change["new"] or change["new"] == self.encounter.hypothesis:
            return
        self.encounter = self.encounter.then(HYPOTHESIS, change["new"])
        self.recording.hypothesis(change["new"])

    def _on_confidence(self, change: dict) -> None:
        if self._quiet or not change["new"]:
            return
        self.encounter = self.encounter.then(CONFIDENCE, change["new"])
        self.recording.confidence(change["new"])

    def _commit(self) -> None:
        refusal = commit_refusal(self.facts, self.state, self.interpretation.value)
        message = (refusal_text(self.facts, refusal) or COMMIT_MESSAGES[refusal]) if refusal else None
        if refusal is None and self.confidence.value is None:
            message = CONFIDENCE_FIRST
        if message:
            if self.interpretation.value:
                self.encounter = self.encounter.then(COMMIT_ATTEMPT, self.interpretation.value)
            self.feedback.value = styled(Html(f'<p class="spasm-alert" role="status">{esc(message)}</p>')).markup
            self.focus_anchor.focus()  # scrolls the refusal into view
            return
        self.state = self.state.committed(self.interpretation.value)
        self.encounter = self.encounter.then(COMMIT, self.interpretation.value)
        self.refresh()
        if self._shown_feedback is not None and self._shown_debrief is not None:
            self.recording.committed(self._shown_feedback, self._shown_debrief, self.encounter.confidence,
                                     self.encounter.hypothesis, [s for s, _site in self.state.performed])

    def debrief_result(self):
        if self._expert is None or self._expert.case_id != self.patient.id:
            self._expert = expert_path(self.facts, self.patient)
        return debrief(self.facts, self.patient, self.encounter, self._expert)

    def _restart(self, opened: bool = False) -> None:
        if not opened:
            self.recording.opened(self.patient, self.picker.seed.value)
        self.state = ExamState(self.patient.id)
        self.encounter = Encounter(self.patient.id)
        self._quiet = True  # clearing the controls is not the student's choice
        try:
            self.interpretation.value = ""
            self.hypothesis.value = ""
            self.confidence.value = None
        finally:
            self._quiet = False
        self._say("Nothing examined yet: choose a step to begin.")
        self.refresh()

    def _on_patient(self) -> None:
        self.patient_view.value = styled(case_view(self.patient, is_virtual(self.patient))).markup
        self.recording.opened(self.patient, self.picker.seed.value)
        self._restart(opened=True)

    def _say(self, text: str) -> None:
        self.status.value = f'<p role="status"><strong>{esc(text)}</strong></p>'

    def refresh(self) -> None:
        done = {s for s, _site in self.state.performed}
        for step_id, button in self.step_buttons.items():
            name = button_label(self.facts.by_id("exam_steps")[step_id])
            button.description = (DONE_MARK + name) if step_id in done else name
        result, fb = exam_feedback(self.facts, self.patient, self.state, self.audience)
        self.findings.value = styled(findings_view(result)).markup
        self.feedback.value = styled(feedback_view(fb, self.audience)).markup if fb else ""
        committed = self.state.interpretation_id is not None
        self._shown_feedback = fb
        self._shown_debrief = self.debrief_result() if committed else None
        self.debrief.value = styled(debrief_view(self._shown_debrief)).markup if self._shown_debrief else ""

    def static_html(self) -> Html:
        html = exam_html(self.facts, self.patient, self.state, self.audience)
        if self._shown_debrief is not None:
            html = html + styled(debrief_view(self._shown_debrief))
        return html


def exam_simulator(params: SimpleNamespace, facts: Facts | None = None) -> ExamSimulator | Html:
    """The simulator for notebook 02's parameters: live controls (starting with nothing examined),
    or the static view of the parameters' state (by default, a complete worked examination)."""
    facts = facts or facts_for(params)
    if params.interactive:
        return ExamSimulator(facts, params.case, params.seed, params.audience, recorder_for(params, STEM))
    case = case_for(facts, params.case, params.seed)
    state = state_from(facts, case, list(params.steps), params.palpation_site, params.interpretation)
    html = exam_html(facts, case, state, params.audience, worked=not params.interpretation)
    if params.interpretation:
        encounter = Encounter(case.id)
        for step_id, site in state.performed:
            encounter = encounter.then(STEP, step_id, site)
        html = html + styled(debrief_view(debrief(facts, case, encounter.then(COMMIT, params.interpretation))))
    else:
        html = html + worked_debrief_html(facts, case)
    return html
