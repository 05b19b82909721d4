"""Bounded, memoised answers to the model's recursive questions.

Every recursive question of the model (what a name is bound to, what an
optimizer alias holds, whether an expression is a Trainer, a class's
hierarchy and optimization mode) is asked through a ``Memo``. Each answer is
computed once per project and process, so an ``if/elif`` chain that binds a
name three ways per level costs one look per binding, not ``3 ** depth``.

The memos of one project share one ``Budget``:

* ``max_depth``: how many memoised questions may be nested inside each other
  (a deeper alias chain is unknown, and the Python stack stays small);
* ``max_work``: how many answers one outermost question may compute. With
  memoisation ordinary code needs a few dozen; only code written to defeat
  the model gets near it;
* ``max_classes``: how many project classes one hierarchy walk may visit
  (the walk is iterative; this bounds its time and the memory of its answer).

When a budget runs out, the answer to the outermost question, and to every
question it was waiting on, is the memo's ``unknown``: the rules stay silent.
Those answers are not cached, except the outermost one, so a later question
that needs them from a shallower place still gets them, and a question that
cannot be answered costs its budget once, not once per asking.

Each cached answer remembers how deep its own questions went (its height),
so reading it from the cache gives what computing it afresh would: a cached
answer read at a depth where it would not fit is a budget overrun too.

A question met again while it is being answered (``a = b`` / ``b = a``, a
class that is its own base) is a cycle: unknown. Answers that depended on a
cycle are cached only once the cycle's outermost question is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

#: Nesting of memoised questions. Each costs a handful of Python frames.
MAX_DEPTH = 64
#: Answers one outermost question may compute.
MAX_WORK = 5000
#: Project classes in one class hierarchy.
MAX_CLASSES = 1000

_UNFIT = 1 << 30  # the height of an answer that ran out of budget
_MISSING = object()


class _Frame:
    __slots__ = ("height", "low")

    def __init__(self, index: int) -> None:
        self.height = 0  # the deepest nesting below this question
        self.low = index  # the outermost question in progress this one depended on


class Budget:
    """Depth and work limits shared by the memos of one project."""

    def __init__(self, max_depth: int = MAX_DEPTH, max_work: int = MAX_WORK, max_classes: int = MAX_CLASSES) -> None:
        self.max_depth = max_depth
        self.max_work = max_work
        self.max_classes = max_classes
        self._stack: list[_Frame] = []
        self._active: dict[tuple[int, Hashable], int] = {}
        self._work = 0
        self._exhausted = False
        #: How many outermost questions ran out of budget (for tests and reports).
        self.overruns = 0


class Memo(Generic[T]):
    """Answers to one kind of question, keyed by a hashable key (usually nodes)."""

    def __init__(self, budget: Budget, unknown: T) -> None:
        self.budget = budget
        self.unknown = unknown
        self._answers: dict[Hashable, tuple[T, int]] = {}

    def __call__(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer for ``key``: cached, else ``compute()`` within the budget."""
        budget = self.budget
        stack = budget._stack
        depth = len(stack)
        parent = stack[-1] if stack else None
        if parent is None:
            budget._work = 0
            budget._exhausted = False
        elif budget._exhausted:
            return self.unknown
        found = self._answers.get(key, _MISSING)
        if found is not _MISSING:
            value, height = found
            if depth + height > budget.max_depth:
                return self._overrun(parent)
            if parent is not None and height > parent.height:
                parent.height = height
            return value
        token = (id(self), key)
        index = budget._active.get(token)
        if index is not None:  # a cycle
            if parent is not None and index < parent.low:
                parent.low = index
            return self.unknown
        if depth >= budget.max_depth or budget._work >= budget.max_work:
            return self._overrun(parent)
        budget._work += 1
        frame = _Frame(depth)
        stack.append(frame)
        budget._active[token] = depth
        try:
            value = compute()
        finally:
            stack.pop()
            del budget._active[token]
        if budget._exhausted:
            if parent is None:
                budget.overruns += 1
                self._answers[key] = (self.unknown, _UNFIT)
            return self.unknown
        height = frame.height + 1
        if frame.low < depth:  # part of a cycle still being answered
            if parent is not None and frame.low < parent.low:
                parent.low = frame.low
        else:
            self._answers[key] = (value, height)
        if parent is not None and height > parent.height:
            parent.height = height
        return value

    def _overrun(self, parent: _Frame | None) -> T:
        if parent is not None:
            self.budget._exhausted = True
        return self.unknown
