"""The report's charts as PNG images (matplotlib's Agg renderer, no pyplot state, no display).

Each function returns a :class:`Plot` carrying the PNG bytes and a text alternative that says what
the chart shows, so the HTML page stays readable without the images.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from clientcraft.report.analysis import (
    GROUP_FRACTION,
    REVIEW_BELOW,
    TOO_EASY_ABOVE,
    TOO_HARD_BELOW,
    Analysis,
    AssignmentStats,
    ItemStats,
)

INK, ACCENT, WARN, MUTED = "#1f2937", "#2563eb", "#b91c1c", "#9ca3af"
BINS = [i * 10 for i in range(11)]


@dataclass(frozen=True)
class Plot:
    """A rendered chart: PNG bytes, its pixel size and a text alternative."""

    png: bytes
    alt: str
    width: int
    height: int


def _render(fig: Figure, alt: str) -> Plot:
    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    width, height = canvas.get_width_height()
    return Plot(buffer.getvalue(), alt, int(width), int(height))


def _grid(count: int, columns: int = 3, panel: tuple[float, float] = (3.6, 2.4)) -> Figure:
    cols = max(1, min(columns, count))
    rows = max(1, math.ceil(count / cols))
    fig = Figure(figsize=(panel[0] * cols, panel[1] * rows + 0.3), dpi=100, layout="constrained")
    fig.subplots(rows, cols, squeeze=False)
    for ax in fig.axes[count:]:
        ax.set_visible(False)
    return fig


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8, colors=INK)
    locator = ax.yaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)


def score_histograms(assignments: Sequence[AssignmentStats]) -> Plot:
    """One histogram of learners' scores (percent of the maximum) per assignment."""
    fig = _grid(len(assignments))
    for ax, stats in zip(fig.axes, assignments, strict=False):
        ax.hist(stats.percents, bins=BINS, color=ACCENT, edgecolor="white")
        if stats.n:
            ax.axvline(stats.mean, color=INK, linestyle="--", linewidth=1)
        ax.set_title(f"{stats.name} (n={stats.n})", fontsize=9, color=INK)
        ax.set_xlim(0, 100)
        ax.set_xlabel("score (% of maximum)", fontsize=8)
        ax.set_ylabel("learners", fontsize=8)
        _style(ax)
    parts = [
        f"{s.name}: {s.n} learners, mean {s.mean:.0f} %, median {s.median:.0f} %"
        if s.n
        else f"{s.name}: no submissions"
        for s in assignments
    ]
    return _render(
        fig,
        "Histograms of scores per assignment in 10-point bins; the dashed line "
        "marks the mean. " + "; ".join(parts) + ".",
    )


def topic_histograms(analysis: Analysis) -> Plot:
    """One histogram of learners' mastery per topic, with the review threshold marked."""
    fig = _grid(len(analysis.topics))
    parts = []
    for index, (ax, topic) in enumerate(zip(fig.axes, analysis.topics, strict=False)):
        values = [
            100 * mastery
            for learner in analysis.learners
            if (mastery := learner.topics[index].mastery) is not None
        ]
        ax.hist(values, bins=BINS, color=ACCENT, edgecolor="white")
        ax.axvline(100 * REVIEW_BELOW, color=WARN, linestyle=":", linewidth=1.5)
        ax.set_title(topic.title, fontsize=9, color=INK)
        ax.set_xlim(0, 100)
        ax.set_xlabel("mastery (% of credit)", fontsize=8)
        ax.set_ylabel("learners", fontsize=8)
        _style(ax)
        below = sum(v < 100 * REVIEW_BELOW for v in values)
        parts.append(
            f"{topic.title}: {below} of {len(values)} learners below {100 * REVIEW_BELOW:.0f} %"
        )
    return _render(
        fig,
        "Histograms of learners' mastery per topic; the dotted red line marks the "
        "review threshold. " + "; ".join(parts) + ".",
    )


def item_map(items: Sequence[ItemStats]) -> Plot:
    """Facility against upper-lower discrimination, one point per question; flagged ones in red."""
    fig = Figure(figsize=(7.5, 4.6), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.axvspan(0, TOO_HARD_BELOW, color=MUTED, alpha=0.15, linewidth=0)
    ax.axvspan(TOO_EASY_ABOVE, 1, color=MUTED, alpha=0.15, linewidth=0)
    ax.axhline(0, color=INK, linewidth=0.8)
    plotted = [s for s in items if not math.isnan(s.facility) and not math.isnan(s.discrimination)]
    labels: dict[tuple[float, float], list[str]] = {}
    for stats in plotted:
        flagged = bool(stats.flags)
        ax.scatter(
            stats.facility,
            stats.discrimination,
            s=36,
            zorder=3,
            color=WARN if flagged else ACCENT,
            marker="X" if flagged else "o",
        )
        if flagged:
            spot = (round(stats.facility, 2), round(stats.discrimination, 2))
            labels.setdefault(spot, []).append(stats.item.label)
    for (x, y), names in labels.items():
        right = x > 0.8
        ax.annotate(
            "\n".join(names),
            (x, y),
            fontsize=7,
            color=WARN,
            xytext=(-5 if right else 5, 4),
            textcoords="offset points",
            ha="right" if right else "left",
            va="bottom",
        )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("facility (mean credit)", fontsize=9)
    ax.set_ylabel(f"discrimination (upper − lower {GROUP_FRACTION:.0%})", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8, colors=INK)
    flagged_labels = [s.item.label for s in plotted if s.flags]
    return _render(
        fig,
        f"Scatter plot of {len(plotted)} questions: facility on the horizontal axis, "
        "discrimination on the vertical axis; shaded bands mark too hard and too easy. "
        + (
            f"Flagged questions (red crosses): {', '.join(flagged_labels)}."
            if flagged_labels
            else "No question is flagged."
        ),
    )
