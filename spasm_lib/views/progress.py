""""My progress" drawn: per notebook what was done and the score, then the encounters listed."""

from __future__ import annotations

from spasm_lib.html import Html, esc, join, tag
from spasm_lib.progress import Progress


def _score(raw: float, top: float) -> str:
    return f"{raw:g} of {top:g}"


def progress_view(p: Progress, error_names: dict[str, str] | None = None, level: int = 3) -> Html:
    """The student's record: a table per notebook, encounters listed under it; problems in one line each."""
    names = error_names or {}
    parts = ['<section class="spasm-progress">', tag(f"h{level}", f"My progress (student {p.student})")]
    for line in p.problems:
        parts.append(f'<p class="spasm-trace-notice" role="status"><strong>Note:</strong> {esc(line)}</p>')
    if p.empty:
        parts.append("<p>No work recorded yet. Your work in the other notebooks appears here as you do it.</p>")
        parts.append("</section>")
        return join(parts, label="progress")
    rows = []
    for nb in p.notebooks:
        done = sum(e.finished for e in nb.encounters)
        quiz = f"{nb.quiz_right} of {nb.quiz_answered} right" if nb.quiz_answered else "none answered"
        rows.append(f"<tr><th scope=\"row\">{esc(nb.stem)}</th><td>{nb.statements}</td><td>{len(nb.encounters)} "
                    f"({done} finished)</td><td>{esc(quiz)}</td></tr>")
    parts.append('<table><caption>What you did, per notebook</caption><thead><tr><th scope="col">Notebook</th>'
                 '<th scope="col">Actions recorded</th><th scope="col">Encounters</th><th scope="col">Check yourself</th>'
                 f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    for nb in p.notebooks:
        if not nb.encounters:
            continue
        parts.append(tag(f"h{level + 1}", f"Encounters in {nb.stem}"))
        items = []
        for e in nb.encounters:
            state = f"finished, score {_score(*e.score)}" if e.finished and e.score else "finished" if e.finished else "not finished"
            errs = f"; reasoning errors named: {', '.join(names.get(x, x) for x in e.errors)}" if e.errors else ""
            items.append(f"<li><strong>{esc(e.name)}</strong> ({esc(e.started)}): {esc(state + errs)}</li>")
        parts.append("<ol>" + "".join(items) + "</ol>")
    parts.append("</section>")
    return join(parts, label="progress")
