"""The model's one "unknown": a fact it cannot know.

Every question of the model that may have no answer (what an assignment
assigns, which classes a Trainer fits, whether a ``log`` flag is on) answers
``UNKNOWN`` then, and every rule stays silent on it: precision first. The
enums ``Mode`` and ``Kind`` keep an ``UNKNOWN`` member for their own
questions; its value is this same object, the same concept. (Two places
still spell it ``None``, documented where they are: a metric name pattern,
``model.metrics.name_pattern``, and a target version's ``major``,
``model.version``.)
"""

from __future__ import annotations

from typing import Final, TypeVar, Union

T = TypeVar("T")


class Unknown:
    """The type of ``UNKNOWN``: one instance, compared with ``is``, shown as ``UNKNOWN``.

    It is falsy, like the ``None`` it replaces for list answers, so
    ``if classes and ...`` stays silent on it; but an empty answer is falsy
    too: to tell unknown from "none", write ``answer is UNKNOWN``.
    """

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"  # pickles as the module-level singleton


UNKNOWN: Final = Unknown()

#: ``Maybe[X]``: an ``X``, or ``UNKNOWN``.
Maybe = Union[T, Unknown]
