"""Errors of the criteria app, each with a message a person can act on."""


class CriteriaSetFrozen(Exception):
    """A published or retired criteria set (or one of its criteria) was about to change."""


class ProtocolError(ValueError):
    """A protocol file, criterion or variable definition is malformed.

    `problems` lists every problem found, each naming the entry it is about
    (`criterion I13: operator "is_true" does not fit number variable "neutrophils"`).
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ValueProblem(ValueError):
    """One entered value cannot be used; `key` names the variable, the message says why."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(message)


class CriteriaSetNotFound(LookupError):
    """No such trial, or no criteria set of the asked version (or none published)."""


class CriteriaEditRefused(Exception):
    """A criteria edit or publish that cannot be done as asked; the message says why."""
