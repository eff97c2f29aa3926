"""Self-check quizzes and the learning objectives they test: questions, answer order, grading, score.

Why here and not in the notebook: the same questions feed the live quiz, the stored notebook and the
handouts (students open each answer to check themselves; instructors see every answer open), so the
questions, the correct option, the explanations and the objectives live in
``data/learning_objectives.csv`` and ``data/quiz_*.csv``, and grading is a pure function of the data.
Views take the results of this module and never grade anything themselves.

Answer order. Options are shown in a shuffled order, so the correct answer is not always first
(the authors write it first more often than not). The order is deterministic: options are sorted by
the SHA-256 digest of ``"<question id>:<option id>"``. It depends on nothing but the two ids, not on
Python's hash seed, the run or the machine, so a stored notebook, an nbval run and a handout show the
same order every time, and an instructor can say "the third answer" to a whole class.

Score. The score counts the questions whose *first* answer was correct, out of all the questions of
the notebook ("2 of 4 right at the first try"). A student may change an answer after reading why and
sees the feedback on the new one, but the score keeps the first try: otherwise a student who answered
everything wrong and then clicked through to the right answers would read "5 of 5", which says
nothing about what they knew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from spasm_lib import records as R
from spasm_lib import vocabulary as V
from spasm_lib.evidence import Sourced, provenance_label
from spasm_lib.tables import Facts


def notebook_name(notebook: str | Path) -> str:
    """A classroom notebook's stem (``00_start_here``) from any spelling (:func:`vocabulary.notebook_stem`)."""
    name = V.notebook_stem(notebook)
    if name not in V.NOTEBOOKS:
        raise ValueError(f"unknown notebook '{notebook}'; expected one of: {', '.join(V.NOTEBOOKS)}")
    return name


def objectives(facts: Facts, notebook: str | Path) -> tuple[R.LearningObjective, ...]:
    """A notebook's learning objectives in their order."""
    name = notebook_name(notebook)
    return tuple(sorted((o for o in facts.learning_objectives if o.notebook == name), key=lambda o: o.order))


def learning_objectives(facts: Facts, notebook: str | Path) -> tuple[Sourced, ...]:
    """What a student reads under "Learning objectives": each objective with where it comes from in
    words (a row beyond the source says so). A notebook without objectives is an error, because the
    list at its top would silently be empty."""
    items = []
    for objective in objectives(facts, notebook):
        origin = provenance_label(facts, objective)
        items.append(Sourced(objective.text, f"beyond the source: {origin}" if objective.beyond_source else origin))
    if not items:
        raise ValueError(f"notebook '{notebook}' has no learning objectives in data/learning_objectives.csv")
    return tuple(items)


def display_order(question_id: str, options: Iterable[R.QuizOption]) -> tuple[R.QuizOption, ...]:
    """The options in the order a student sees them (see the module docstring for the rule)."""

    def key(option: R.QuizOption) -> str:
        return hashlib.sha256(f"{question_id}:{option.id}".encode()).hexdigest()

    return tuple(sorted(options, key=key))


@dataclass(frozen=True)
class Question:
    """A question with its number in the notebook, its options in display order and what it tests."""

    number: int
    record: R.QuizQuestion
    options: tuple[R.QuizOption, ...]
    provenance: str
    """Where the question comes from, as a handout prints it (``Source, paragraph 1; ACP 2017``)."""
    objectives: tuple[R.LearningObjective, ...]
    """The learning objectives of its notebook that the question tests, in objective order."""

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def prompt(self) -> str:
        return self.record.prompt

    @property
    def correct_option(self) -> R.QuizOption:
        return next(o for o in self.options if o.correct)

    def option(self, option_id: str) -> R.QuizOption:
        """One of this question's options; an option of another question is an error."""
        for candidate in self.options:
            if candidate.id == option_id:
                return candidate
        raise ValueError(
            f"option '{option_id}' does not belong to question '{self.id}'; expected one of: "
            + ", ".join(o.id for o in self.options)
        )


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer: right or not, and why."""

    question_id: str
    chosen: R.QuizOption
    correct_option: R.QuizOption

    @property
    def correct(self) -> bool:
        return self.chosen.id == self.correct_option.id

    @property
    def explanation(self) -> str:
        """Why the chosen option is right or wrong."""
        return self.chosen.explanation


@dataclass(frozen=True)
class Score:
    """How many questions are answered, how many of those right at the first try, out of how many."""

    correct: int
    answered: int
    total: int


@dataclass(frozen=True)
class QuizResults:
    """A notebook's questions with the grade of every question answered so far, and the score."""

    notebook: str
    questions: tuple[Question, ...]
    grades: tuple[Grade, ...]
    """One grade per answered question (its current answer), in question order."""
    first_grades: tuple[Grade, ...] = ()
    """One grade per answered question for the first answer given to it, in question order."""

    def grade_for(self, question_id: str) -> Grade | None:
        """The grade of a question, or None while it is unanswered."""
        return next((g for g in self.grades if g.question_id == question_id), None)

    @property
    def score(self) -> Score:
        return Score(sum(g.correct for g in self.first_grades), len(self.grades), len(self.questions))


def questions(facts: Facts, notebook: str | Path) -> tuple[Question, ...]:
    """A notebook's questions in order, numbered from 1, each with its options in display order."""
    name = notebook_name(notebook)
    mine = sorted((q for q in facts.quiz_questions if q.notebook == name), key=lambda q: q.order)
    objective_by_id = facts.by_id("learning_objectives")
    return tuple(
        Question(
            number,
            q,
            display_order(q.id, (o for o in facts.quiz_options if o.question_id == q.id)),
            provenance_label(facts, q),
            tuple(sorted((objective_by_id[i] for i in q.objective_ids), key=lambda o: (o.notebook, o.order))),
        )
        for number, q in enumerate(mine, start=1)
    )


def question(facts: Facts, question_id: str) -> Question:
    """One question by id, numbered as in its notebook."""
    record = facts.by_id("quiz_questions").get(question_id)
    if record is None:
        raise ValueError(f"unknown question '{question_id}'; expected an id from data/quiz_questions.csv")
    return next(q for q in questions(facts, record.notebook) if q.id == question_id)


def _grade(q: Question, option_id: str) -> Grade:
    return Grade(q.id, q.option(option_id), q.correct_option)


def grade(facts: Facts, question_id: str, option_id: str) -> Grade:
    """Grade one answer. An option of another question is an error, not a wrong answer."""
    return _grade(question(facts, question_id), option_id)


def check(
    facts: Facts,
    notebook: str | Path,
    answers: Mapping[str, str] | None = None,
    first_answers: Mapping[str, str] | None = None,
) -> QuizResults:
    """Grade a notebook's answers (question id -> option id); unanswered questions have no grade.

    ``answers`` are the options chosen now (their feedback is shown); ``first_answers`` the first
    option chosen for each question (the score counts those). Without ``first_answers`` each answer
    is its own first answer. A first answer to a question with no current answer is an error, and
    so is an answer to a question of another notebook, or an option of another question.
    """
    name = notebook_name(notebook)
    qs = questions(facts, name)
    answers = dict(answers or {})
    first = dict(answers if first_answers is None else first_answers)
    stray = [qid for qid in {**answers, **first} if qid not in {q.id for q in qs}]
    if stray:
        raise ValueError(f"answers name questions that are not in {name}: {', '.join(stray)}")
    if set(first) != set(answers):
        raise ValueError("every answered question needs its first answer, and only answered questions have one")
    grades = tuple(_grade(q, answers[q.id]) for q in qs if q.id in answers)
    first_grades = tuple(_grade(q, first[q.id]) for q in qs if q.id in first)
    return QuizResults(name, qs, grades, first_grades)
