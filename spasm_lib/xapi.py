"""Pure builders of xAPI 1.0.3 statements shaped by the MedBiquitous Virtual Patient profile.

Why a trace at all: a student's path through a virtual patient (the steps, the working hypothesis,
the confidence, the committed interpretation) is what a clinical teacher debriefs, and it vanishes
with the kernel. Recording it as xAPI statements means a university's learning record store, or
``spasm-teach collect``, reads it without anything written here.

The shapes follow, as written:

- ADL's xAPI specification 1.0.3 (Data, part two): a statement has ``id`` (a UUID), ``actor``,
  ``verb`` (an IRI and a ``display`` language map), ``object`` (an Activity with an IRI ``id`` and a
  ``definition``), optional ``result`` and ``context``, and a ``timestamp`` (ISO 8601). ``stored``,
  ``authority`` and ``version`` are the learning record store's to set, so none is written here.
- The MedBiquitous xAPI Virtual Patient profile (profile IRI :data:`PROFILE`): the virtual patient is
  an activity of type ``simulation``; the verbs are ADL's ``launched``, ``initialized``,
  ``experienced``, ``responded``, ``completed``, ``terminated``, ``interacted`` and the profile's own
  ``arrived``, ``ignored``, ``updated``; the actor is an Agent with an ``account``; the profile's IRI
  goes in ``contextActivities.category`` of every statement; ``context.registration`` names one
  encounter.
- Quiz items are ``cmi.interaction`` activities whose definition carries ``interactionType``,
  ``choices`` (in the order shown) and ``correctResponsesPattern`` (xAPI 1.0.3, "Interaction
  Activities").

Every function here is pure: the caller passes the time and the ids (see :mod:`spasm_lib.trace` for
the injectable clock and id source), so a scripted run gives byte-identical statements.
docs/trace.md is the reference for the format; tests validate statements with an independent
validator (ralph's xAPI models), never with a schema written here.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

Statement = dict[str, Any]
"""One xAPI statement as plain JSON-ready data (dicts, lists, strings, numbers, booleans)."""

LANG = "en"
"""The language of every display and name map (RFC 5646)."""

PROFILE = "https://w3id.org/xapi/virtual-patient"
"""The MedBiquitous Virtual Patient profile's IRI: in ``contextActivities.category`` of every statement."""

PROFILE_TYPE = "http://adlnet.gov/expapi/activities/profile"

PLATFORM = "spasm-teach"
"""``context.platform``: the software that recorded the statement."""

DEFAULT_HOME_PAGE = "https://spasm-teach.invalid/course"
"""The course named in the actor's account when the instructor configures none (``.invalid`` never resolves)."""

ACTIVITY_BASE = "urn:spasm-teach:"
"""Every activity id of the package starts with this (a URN: an IRI that claims no web address)."""

EXTENSION_BASE = ACTIVITY_BASE + "extension:"
"""Every extension key of the package starts with this."""

VERBS: dict[str, str] = {
    # ADL's verbs, as the Virtual Patient profile uses them
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "responded": "http://adlnet.gov/expapi/verbs/responded",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "interacted": "http://adlnet.gov/expapi/verbs/interacted",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    # the profile's own verbs
    "arrived": "https://w3id.org/xapi/medbiq/verbs/arrived",
    "ignored": "https://w3id.org/xapi/medbiq/verbs/ignored",
    "updated": "https://w3id.org/xapi/medbiq/verbs/updated",
}
"""Verb name (the ``display`` text) to IRI. One owner: nothing else spells a verb IRI."""

ACTIVITY_TYPES: dict[str, str] = {
    "simulation": "http://adlnet.gov/expapi/activities/simulation",  # a virtual patient encounter
    "cmi.interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",  # a question with a response
    "assessment": "http://adlnet.gov/expapi/activities/assessment",  # a quiz
    "module": "http://adlnet.gov/expapi/activities/module",  # a notebook
    "course": "http://adlnet.gov/expapi/activities/course",  # the package
    "interaction": "http://adlnet.gov/expapi/activities/interaction",  # an explorer's controls
    "node": "http://activitystrea.ms/schema/1.0/node",  # a step of a virtual patient (the profile's example)
}

INTERACTION_TYPES = ("choice", "likert", "long-fill-in", "fill-in", "sequencing", "true-false", "other")
"""The interaction types this package writes (a subset of xAPI 1.0.3's list)."""

EXT = {
    "notebook": EXTENSION_BASE + "notebook",  # context: the notebook's stem, e.g. 02_exam_simulator
    "case": EXTENSION_BASE + "case",  # context: the patient's case id (data case or virtual)
    "seed": EXTENSION_BASE + "seed",  # context: the virtual patient's number
    "finding": EXTENSION_BASE + "finding",  # result: the finding ids a step showed
    "site": EXTENSION_BASE + "site",  # result: where a step was done (palpation)
    "confidence": EXTENSION_BASE + "confidence",  # result: the confidence level id given before committing
    "hypothesis": EXTENSION_BASE + "hypothesis",  # result: the working hypothesis held at commit
    "steps": EXTENSION_BASE + "steps",  # result: the steps performed, in order
    "errors": EXTENSION_BASE + "reasoning-errors",  # result: the reasoning error ids the debrief named
    "verdict": EXTENSION_BASE + "verdict",  # result: the feedback's verdict id
    "choices": EXTENSION_BASE + "choices",  # result: an explorer's choices, name to value
    "triage": EXTENSION_BASE + "triage",  # result: the patient's triage level
}
"""Extension keys (IRIs) used in ``result.extensions`` and ``context.extensions``."""

_STUDENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,63}")
STUDENT_RULE = "1 to 64 letters, digits, '.' or '-', starting with a letter or digit"
"""No '_': it separates the number from the notebook in a trace file's name."""


class XapiInputError(ValueError):
    """A value that cannot go into a statement (a bad student number, verb, or interaction type)."""


@dataclass(frozen=True)
class Actor:
    """The pseudonymous learner: an account in the course, never a real name or an e-mail."""

    name: str  # the student's number in the class
    home_page: str = DEFAULT_HOME_PAGE

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _STUDENT_NAME.fullmatch(self.name):
            raise XapiInputError(f"student number: {STUDENT_RULE}")
        if not re.fullmatch(r"https?://[^\s<>\"]+", self.home_page or ""):
            raise XapiInputError("course home page: an http:// or https:// address without spaces")

    def as_json(self) -> dict[str, Any]:
        return {"objectType": "Agent", "account": {"homePage": self.home_page, "name": self.name}}


def valid_student(name: str) -> bool:
    """Whether ``name`` may be a student number (see :data:`STUDENT_RULE`)."""
    return isinstance(name, str) and bool(_STUDENT_NAME.fullmatch(name))


def timestamp(when: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``: one spelling, so statements compare as bytes."""
    if when.tzinfo is None:
        raise XapiInputError("a statement's time must carry its time zone")
    when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def duration(seconds: float) -> str:
    """An ISO 8601 duration (``PT12.5S``), as xAPI's ``result.duration`` wants it; to 0.01 s."""
    hundredths = max(0, round(seconds * 100))
    whole, part = divmod(hundredths, 100)
    return f"PT{whole}.{part:02d}S" if part else f"PT{whole}S"


def _text(value: str) -> dict[str, str]:
    return {LANG: value}


_SAFE_PART = re.compile(r"[A-Za-z0-9._~-]*")


def _id_part(value: str) -> str:
    """A piece of an activity id: letters, digits and ``-._~`` kept, anything else percent-encoded."""
    value = str(value)
    if _SAFE_PART.fullmatch(value):
        return value  # the usual case: data ids are kebab-case
    return "".join(c if (c.isascii() and (c.isalnum() or c in "-._~")) else "".join(f"%{b:02X}" for b in c.encode()) for c in str(value))


@lru_cache(maxsize=4096)
def activity_id(*parts: str) -> str:
    """``urn:spasm-teach:`` followed by the parts joined with ``/`` (each part percent-encoded)."""
    if not parts:
        raise XapiInputError("an activity id needs at least one part")
    return ACTIVITY_BASE + "/".join(_id_part(p) for p in parts)


# The package's activities: one function per kind, so every hook spells ids the same way.
def course_activity() -> dict[str, Any]:
    return activity(activity_id("course"), "course", "Back spasms: the spasm-teach course")


def notebook_activity(stem: str, title: str | None = None) -> dict[str, Any]:
    return activity(activity_id("notebook", stem), "module", title or stem)


def patient_activity(case_id: str, title: str) -> dict[str, Any]:
    """The virtual patient (the case): the parent of every statement of its encounters."""
    return activity(activity_id("patient", case_id), "simulation", title)


def activity(
    iri: str,
    kind: str,
    name: str,
    description: str | None = None,
    *,
    interaction_type: str | None = None,
    choices: Sequence[tuple[str, str]] | None = None,
    correct: Sequence[str] | None = None,
    scale: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """An Activity object. ``kind`` is a key of :data:`ACTIVITY_TYPES`.

    For a ``cmi.interaction``: ``interaction_type`` (``choice``, ``likert``, ``long-fill-in``...),
    ``choices`` as (id, text) pairs in the order the student saw them, ``correct`` the ids of the right
    answer (one pattern: a ``choice`` with several right ids joins them with ``[,]``), ``scale`` the
    levels of a likert item.
    """
    if kind not in ACTIVITY_TYPES:
        raise XapiInputError(f"activity type {kind!r}: one of {', '.join(ACTIVITY_TYPES)}")
    definition: dict[str, Any] = {"type": ACTIVITY_TYPES[kind], "name": _text(name)}
    if description:
        definition["description"] = _text(description)
    if interaction_type is not None:
        if interaction_type not in INTERACTION_TYPES:
            raise XapiInputError(f"interaction type {interaction_type!r}: one of {', '.join(INTERACTION_TYPES)}")
        definition["interactionType"] = interaction_type
        if correct is not None:
            definition["correctResponsesPattern"] = ["[,]".join(_id_part(c) for c in correct)]
        if choices is not None:
            definition["choices"] = [{"id": _id_part(i), "description": _text(t)} for i, t in choices]
        if scale is not None:
            definition["scale"] = [{"id": _id_part(i), "description": _text(t)} for i, t in scale]
    elif any(v is not None for v in (choices, correct, scale)):
        raise XapiInputError("choices, correct answers and scales belong to a cmi.interaction with an interaction type")
    return {"objectType": "Activity", "id": iri, "definition": definition}


def result(
    *,
    response: str | None = None,
    success: bool | None = None,
    completion: bool | None = None,
    score: tuple[float, float] | None = None,
    seconds: float | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A result: ``score`` is (raw, max) with min 0 and ``scaled`` = raw / max (xAPI wants -1..1)."""
    out: dict[str, Any] = {}
    if score is not None:
        raw, top = score
        if top <= 0 or not 0 <= raw <= top:
            raise XapiInputError("a score is (raw, max) with 0 <= raw <= max and max > 0")
        out["score"] = {"scaled": round(raw / top, 4), "raw": raw, "min": 0, "max": top}
    if success is not None:
        out["success"] = bool(success)
    if completion is not None:
        out["completion"] = bool(completion)
    if response is not None:
        out["response"] = str(response)
    if seconds is not None:
        out["duration"] = duration(seconds)
    if extensions:
        out["extensions"] = dict(extensions)
    return out


def choice_response(ids: Iterable[str]) -> str:
    """The ``result.response`` of a choice interaction: the chosen ids joined with ``[,]``."""
    return "[,]".join(_id_part(i) for i in ids)


def statement(
    *,
    statement_id: uuid.UUID,
    when: datetime,
    actor: Actor,
    verb: str,
    obj: Mapping[str, Any],
    registration: uuid.UUID | None = None,
    parent: Mapping[str, Any] | None = None,
    notebook: Mapping[str, Any] | None = None,
    result_: Mapping[str, Any] | None = None,
    context_extensions: Mapping[str, Any] | None = None,
) -> Statement:
    """One statement. ``parent`` is the activity this one is part of (the patient for an encounter's
    steps); ``notebook`` and the course go in ``grouping``; the profile in ``category``."""
    if verb not in VERBS:
        raise XapiInputError(f"verb {verb!r}: one of {', '.join(VERBS)}")
    context_activities: dict[str, Any] = {
        "category": [{"objectType": "Activity", "id": PROFILE, "definition": {"type": PROFILE_TYPE}}],
        "grouping": [_course_ref()] + ([_ref(notebook)] if notebook else []),
    }
    if parent is not None:
        context_activities["parent"] = [_ref(parent)]
    context: dict[str, Any] = {"contextActivities": context_activities, "platform": PLATFORM, "language": LANG}
    if registration is not None:
        context["registration"] = str(registration)
    if context_extensions:
        context["extensions"] = dict(context_extensions)
    out: Statement = {
        "id": str(statement_id),
        "actor": actor.as_json(),
        "verb": {"id": VERBS[verb], "display": _text(verb)},
        "object": dict(obj),
        "context": context,
        "timestamp": timestamp(when),
    }
    if result_:
        out["result"] = dict(result_)
    return out


@lru_cache(maxsize=1)
def _course_ref() -> dict[str, Any]:
    return _ref(course_activity())


def _ref(act: Mapping[str, Any]) -> dict[str, Any]:
    """A context activity: the id and the type (enough for a reader; the full definition is on the object)."""
    return {"objectType": "Activity", "id": act["id"], "definition": {"type": act["definition"]["type"]}}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def to_line(stmt: Statement) -> str:
    """The one serialisation: compact, non-ASCII kept, ending in a newline. Keys keep the order the
    builders give them (fixed by this module), so the same statement is always the same bytes."""
    return _ENCODER.encode(stmt) + "\n"


def verb_name(stmt: Mapping[str, Any]) -> str | None:
    """The name of a statement's verb if it is one of :data:`VERBS`, else None."""
    iri = (stmt.get("verb") or {}).get("id") if isinstance(stmt.get("verb"), Mapping) else None
    for name, known in VERBS.items():
        if known == iri:
            return name
    return None
