"""How credits and points read to a learner, the same in the book, the widgets and the feedback."""

from __future__ import annotations


def percent(credit: float) -> str:
    """A credit fraction as the learner reads it: ``0.5`` -> ``"50 %"``."""
    return f"{round(credit * 100)} %"


def credit_label(credit: float) -> str:
    """``Full credit: 100 %``, ``Partial credit: 50 %`` or ``No credit: 0 %``."""
    kind = "Full credit" if credit == 1 else "Partial credit" if credit > 0 else "No credit"
    return f"{kind}: {percent(credit)}"


def points(value: float) -> str:
    """A number of points without trailing zeros: ``1``, ``0.5``, ``0.25``."""
    return f"{value:g}"
