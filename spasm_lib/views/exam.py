"""The exam simulator rendered: the patient, the findings so far, and the feedback after a commit.

The case view never shows the answer. Findings appear in the order the student asked for them;
a step beyond the source carries a badge naming its references, and a finding that reveals warning
signs is boxed (the alert's class) and labelled "Red flag" in words (never by colour alone).
"""

from __future__ import annotations

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.exam_findings import ExamResult, RevealedFinding
from spasm_lib.exam_grading import Feedback
from spasm_lib.evidence import paragraph_label
from spasm_lib.html import Html, esc, join, tag
from spasm_lib.views.pathway import triage_view

SITE_LABELS = {site: V.REGION_LABELS[site].lower() for site in V.SPASM_SITES}


def case_view(case: R.Case, virtual: bool = False) -> Html:
    """Who the patient is and what they say: title, age, story. Never the interpretation.

    ``virtual``: the patient was drawn from a seed (:func:`spasm_lib.virtual_patients.is_virtual`)."""
    parts = [
        '<section class="spasm-case">',
        tag("h3", case.title),
        f"<p><strong>Age:</strong> {esc(case.age)}</p>",
        f'<blockquote class="spasm-story">{esc(case.story)}</blockquote>',
    ]
    if virtual:
        parts.append(
            '<p class="spasm-note">A virtual patient, composed from the teaching data for practice.</p>'
        )
    parts.append("</section>")
    return join(parts, label="patient")


def red_flag_alert(inner: str) -> str:
    """A boxed finding led by the words "Red flag", for findings that reveal warning signs.

    ``inner`` is markup the caller has already escaped.
    """
    return (
        '<div class="spasm-red-flag spasm-alert">'
        f"<strong>Red flag:</strong> {inner}</div>"
    )


def provenance_badge(finding: RevealedFinding) -> str:
    """"Beyond the source: <references>" for steps the source does not teach; else its paragraph."""
    if finding.beyond_source:
        return (
            ' <span class="spasm-badge spasm-beyond-source">'
            f"Beyond the source: {esc(', '.join(finding.references))}</span>"
        )
    if finding.source_paragraph is not None:
        return f' <span class="spasm-provenance">({esc(paragraph_label(finding.source_paragraph))})</span>'
    return ""


def _finding_markup(finding: RevealedFinding) -> str:
    where = f" at the {esc(SITE_LABELS.get(finding.site, finding.site))}" if finding.site else ""
    body = f"{esc(finding.text)}"
    if finding.details:
        body += "<ul>" + "".join(tag("li", d) for d in finding.details) + "</ul>"
    if finding.red_flag:
        body = red_flag_alert(body)
    return f"<strong>{esc(finding.step_name)}</strong>{where}:{provenance_badge(finding)} {body}"


def findings_view(result: ExamResult) -> Html:
    """Every finding so far, in the order the steps were performed."""
    parts = ['<section class="spasm-findings">', tag("h4", "Findings so far")]
    if not result.findings:
        parts.append("<p>No examination steps performed yet. Choose a step to begin.</p>")
    else:
        parts.append("<ol>")
        parts.extend(f"<li>{_finding_markup(f)}</li>" for f in result.findings)
        parts.append("</ol>")
    parts.append("</section>")
    return join(parts, label="findings")


BEYOND_SOURCE_MARK = " (beyond the source)"


def button_label(step: R.ExamStep) -> str:
    """A step's button text: its name, marked when the step comes from guidance, not the source."""
    return step.name + (BEYOND_SOURCE_MARK if step.beyond_source else "")


COMMIT_MESSAGES = {
    "no-interpretation": "Choose an interpretation from the list before committing.",
}
"""What the simulator says when a commit is refused for a reason of the interface
(:func:`spasm_lib.exam_grading.commit_refusal`); a refusal that teaches ("red-flags-first") says the
data's sentence (:func:`spasm_lib.exam_grading.refusal_text`)."""


def _verdict(fb: Feedback) -> str:
    grade = fb.grade
    if grade == "worked-example":
        return (f'<p class="spasm-box"><strong>Worked example.</strong> Every step performed: the findings '
                f"support <strong>{esc(fb.expected_name)}</strong>.</p>")
    if grade == "correct":
        return (f'<p class="spasm-ok" role="status"><strong>\u2713 Correct, and well reasoned.</strong> You chose '
                f"<strong>{esc(fb.chosen_name)}</strong> after every step this patient needed.</p>")
    if grade == "right-but-incomplete":
        return (f'<p class="spasm-box" role="status"><strong>Right interpretation, incomplete examination.</strong> '
                f"You chose <strong>{esc(fb.chosen_name)}</strong>, but after {fb.needed_done} of the "
                f"{fb.needed_steps} steps this patient needed: on those findings alone it was a guess. "
                "See below what the other steps would have shown.</p>")
    return (f'<p class="spasm-alert" role="status"><strong>\u2717 Not this time.</strong> You chose '
            f"<strong>{esc(fb.chosen_name)}</strong>; this patient's findings support "
            f"<strong>{esc(fb.expected_name)}</strong>.</p>")


def _grouped(groups, heading: str) -> str:
    out = []
    for _target, name, members in groups:
        items = "".join(f"<li>{esc(f.step_name)}: {esc(f.full_text)}</li>" for f in members)
        out.append(f"<li><strong>{esc(heading.format(name=name))}</strong><ul>{items}</ul></li>")
    return "<ul>" + "".join(out) + "</ul>" if out else ""


def feedback_view(fb: Feedback, audience: str = "student") -> Html:
    """The verdict (weighing the reasoning), the triage, how the findings point and rule out,
    the needed steps left out, the steps not needed, and the case's teaching point."""
    parts = ['<section class="spasm-feedback">', tag("h4", "Feedback"), _verdict(fb)]
    parts.append(triage_view(fb.triage, level=5).markup)
    parts.append(f"<p><strong>What to do next:</strong> {esc(fb.expected_next_action)}</p>")
    if fb.red_flags_skipped:
        parts.append('<div class="spasm-alert"><strong>Warning:</strong> the warning-sign (red flag) questions '
                     f"were not asked. {esc(fb.reasons['red-flags-every-time'])}</div>")
    if fb.reasoning or fb.ruled_out:
        parts.append(tag("h5", "How the findings decide it"))
        parts.append(_grouped(fb.reasoning, "Point towards {name}"))
        parts.append(_grouped(fb.ruled_out, "Rule out {name}"))
    if fb.missed:
        parts.append(tag("h5", "Steps this patient needed that you did not take"))
        items = []
        for m in fb.missed:
            shown = " ".join(esc(f.full_text) for f in m.would_show)
            where = " (you did it, but not where the pain is)" if m.wrong_site else ""
            items.append(f"<li><strong>{esc(m.step_name)}</strong>{where}: {esc(m.reason)} "
                         f"<em>It would have shown:</em> {shown}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    if fb.delaying:
        parts.append(f'<div class="spasm-alert"><strong>Delayed the transfer:</strong> {esc("; ".join(fb.delaying))}. '
                     f"{esc(fb.reasons['delayed-transfer'])}</div>")
    if fb.unneeded:
        parts.append(f"<p><strong>Not needed for this patient:</strong> {esc('; '.join(fb.unneeded))}. "
                     f"{esc(fb.reasons['steps-not-needed'])}</p>")
    parts.append(tag("h5", "Teaching point"))
    parts.append(tag("p", fb.teaching_point))
    if audience == "instructor":
        parts.append(
            '<p class="spasm-instructor"><strong>For the instructor:</strong> expected interpretation: '
            f"{esc(fb.expected_name)}; triage: {esc(fb.triage.level.name)}.</p>"
        )
    parts.append("</section>")
    return join(parts, label="feedback")


def exam_view(case: R.Case, result: ExamResult, fb: Feedback | None = None, audience: str = "student") -> Html:
    """The whole simulator page: patient, findings, and the feedback when there is one."""
    parts = [case_view(case, result.virtual), findings_view(result)]
    if fb is not None:
        parts.append(feedback_view(fb, audience))
    return join(parts, label="exam simulator")
