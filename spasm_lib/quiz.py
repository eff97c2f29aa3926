"""Self-check quizzes: each notebook's "Check yourself" questions and the grading of an answer.

Why here and not in the notebook: the same questions feed the live radio buttons, the student
handout (questions only) and the instructor handout (answers and every explanation), so the
questions, the correct option and the explanations live in ``data/quiz_*.csv`` and grading is a pure
function of the data.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from spasm_lib import records as R
from spasm_lib.facts import Facts


@dataclass(frozen=True)
class Question:
    """A question with its number in the notebook and its options in file order."""

    number: int
    record: R.QuizQuestion
    options: tuple[R.QuizOption, ...]

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def prompt(self) -> str:
        return self.record.prompt

    def letter(self, option_id: str) -> str:
        """The letter (A, B, C ...) an option is shown under."""
        for i, option in enumerate(self.options):
            if option.id == option_id:
                return string.ascii_uppercase[i]
        raise ValueError(f"option '{option_id}' does not belong to question '{self.id}'")

    @property
    def correct_option(self) -> R.QuizOption:
        return next(o for o in self.options if o.correct)


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer: right or not, why, and which option was right."""

    question_id: str
    chosen: R.QuizOption
    correct_option: R.QuizOption
    chosen_letter: str
    correct_letter: str

    @property
    def correct(self) -> bool:
        return self.chosen.id == self.correct_option.id

    @property
    def explanation(self) -> str:
        """Why the chosen option is right or wrong."""
        return self.chosen.explanation


def notebook_name(notebook: str | Path) -> str:
    """``00_start_here``, ``00-start-here`` or ``notebooks/00_start_here.ipynb`` -> ``00-start-here``."""
    name = Path(str(notebook)).name.removesuffix(".ipynb").replace("_", "-")
    if name not in R.NOTEBOOKS:
        raise ValueError(f"unknown notebook '{notebook}'; expected one of: {', '.join(R.NOTEBOOKS)}")
    return name


def questions(facts: Facts, notebook: str | Path) -> tuple[Question, ...]:
    """A notebook's questions in order, numbered from 1, each with its options in file order."""
    name = notebook_name(notebook)
    mine = sorted((q for q in facts.quiz_questions if q.notebook == name), key=lambda q: q.order)
    return tuple(
        Question(number, q, tuple(o for o in facts.quiz_options if o.question_id == q.id))
        for number, q in enumerate(mine, start=1)
    )


def question(facts: Facts, question_id: str) -> Question:
    """One question by id, numbered as in its notebook."""
    record = facts.by_id("quiz_questions").get(question_id)
    if record is None:
        raise ValueError(f"unknown question '{question_id}'; expected an id from data/quiz_questions.csv")
    return next(q for q in questions(facts, record.notebook) if q.id == question_id)


def grade(facts: Facts, question_id: str, option_id: str) -> Grade:
    """Grade one answer. An option of another question is an error, not a wrong answer."""
    q = question(facts, question_id)
    chosen = next((o for o in q.options if o.id == option_id), None)
    if chosen is None:
        raise ValueError(
            f"option '{option_id}' does not belong to question '{question_id}'; expected one of: "
            + ", ".join(o.id for o in q.options)
        )
    right = q.correct_option
    return Grade(question_id, chosen, right, q.letter(chosen.id), q.letter(right.id))
