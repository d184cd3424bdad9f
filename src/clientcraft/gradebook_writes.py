"""nbgrader's gradebook steps of autograde, with the same results and far fewer database round trips.

Stock ``SaveAutoGrades`` runs a multi-join query and a ``commit`` (an fsync of ``gradebook.db``)
for every grade, solution and task cell; stock ``OverwriteCells`` runs one or two queries per cell;
and every stock step opens its own :class:`~nbgrader.api.Gradebook`, i.e. a new database engine that
checks the schema again and compiles every query again. With grading itself cheap
(:class:`clientcraft.grading.GradeChoices`), that is most of what autograde costs per submission.
The classes here do the same work through one gradebook per run (:func:`run_gradebook`),
from rows loaded once per notebook, and commit once per notebook. Scores, comments,
``needs_manual_grade``, late penalties and every restored cell are decided by nbgrader's own code
(``utils.determine_grade``, ``utils.compute_checksum``, the inherited ``OverwriteCells`` methods,
the configured late-submission plugin).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook, GradeCell, MissingEntry, SolutionCell, TaskCell
from nbgrader.preprocessors import AssignLatePenalties, NbGraderPreprocessor, OverwriteCells

from clientcraft.grading import split_key

Row = TypeVar("Row")

_RUN_GRADEBOOKS: WeakKeyDictionary[Any, dict[str, Gradebook]] = WeakKeyDictionary()


def run_gradebook(step: NbGraderPreprocessor, db_url: str) -> Gradebook:
    """The :class:`~nbgrader.api.Gradebook` that all our steps of one autograde run share.

    A run's steps are made by its one exporter, their ``parent``; the gradebook lives as long as
    that exporter. Use it as ``with run_gradebook(self, url) as gb:``, like a fresh one: leaving the
    block closes the session (ending its transaction, so the next notebook reads what nbgrader's own
    steps and other processes committed meanwhile) but keeps the engine, whose schema check and
    compiled queries then serve every later notebook of the run. A step made outside an exporter
    gets a gradebook of its own.
    """
    if step.parent is None:
        return Gradebook(db_url)
    books = _RUN_GRADEBOOKS.setdefault(step.parent, {})
    if db_url not in books:
        books[db_url] = Gradebook(db_url)
    return books[db_url]


def _by_name(
    rows: Iterable[Row], cell_of: Callable[[Row], Any], kinds: Sequence[type]
) -> dict[str, Row]:
    """``{cell name: row}`` for rows whose cell is one of ``kinds``; when two rows share a name the
    earlier kind wins, the order in which nbgrader's ``find_grade``/``find_comment``/
    ``find_graded_cell`` try the cell types."""
    rows = list(rows)
    found: dict[str, Row] = {}
    for kind in reversed(kinds):
        found.update({cell_of(row).name: row for row in rows if isinstance(cell_of(row), kind)})
    return found


class SaveGradesOnce(NbGraderPreprocessor):
    """nbgrader's ``SaveAutoGrades`` with one load and one commit per notebook.

    Same rules as stock: ``auto_score`` from ``utils.determine_grade``; ``needs_manual_grade`` when
    there is a manual score or no auto score; ``auto_comment`` "No response." for an unchanged
    (checksum-equal) solution cell, else None. A grade or comment missing from the gradebook raises
    ``MissingEntry`` as stock does; then nothing of the notebook is committed (stock would keep the
    cells before it).
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with run_gradebook(self, info["db_url"]) as gb:
            submission = gb.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]
            )
            # Loading the notebook's cells once lets every row's ``.cell`` come from the session.
            _ = submission.notebook.grade_cells
            self._grades = _by_name(submission.grades, lambda g: g.cell, (GradeCell, TaskCell))
            self._comments = _by_name(
                submission.comments, lambda c: c.cell, (SolutionCell, TaskCell)
            )
            nb, resources = super().preprocess(nb, resources)
            gb.db.commit()
        return nb, resources

    def _row(self, rows: dict[str, Row], cell: NotebookNode, what: str) -> Row:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id not in rows:
            raise MissingEntry(f"no {what} for cell '{grade_id}' in the gradebook")
        return rows[grade_id]

    def _add_score(self, cell: NotebookNode) -> None:
        grade: Grade = self._row(self._grades, cell, "grade")
        grade.auto_score, _ = utils.determine_grade(cell, self.log)
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None

    def _add_comment(self, cell: NotebookNode) -> None:
        comment: Comment = self._row(self._comments, cell, "comment")
        unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
        comment.auto_comment = "No response." if unchanged and not utils.is_task(cell) else None

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if utils.is_grade(cell):
            self._add_score(cell)
        if utils.is_solution(cell):
            self._add_comment(cell)
        if utils.is_task(cell):
            self._add_comment(cell)
        return cell, resources


class OverwriteCellsOnce(OverwriteCells):
    """nbgrader's ``OverwriteCells`` with the notebook's source and graded cells loaded once.

    The per-cell rule is stock's, line for line: a cell whose ``grade_id`` the gradebook lacks loses
    it; cell type, ``locked`` and points are reset to the gradebook's; the checksum is always
    restored, and a locked cell whose checksum differs gets its source back. Missing cells are
    re-added by the inherited stock methods when ``OverwriteCells.add_missing_cells`` is set.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = run_gradebook(self, self.db_url)
        with self.gradebook:
            source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            self._source_cells = {cell.name: cell for cell in source.source_cells}
            # Queried by type: cells reached through ``source.grade_cells`` would load their
            # ``max_score`` one query each.
            graded = [
                cell
                for kind in (GradeCell, TaskCell)
                for cell in self.gradebook.db.query(kind).filter(kind.notebook == source)
            ]
            self._graded_cells = _by_name(graded, lambda c: c, (GradeCell, TaskCell))
            # The cell loop of NbGraderPreprocessor; stock OverwriteCells.preprocess would open a
            # second gradebook session.
            nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", None)
        if grade_id is None:
            return cell, resources
        source_cell = self._source_cells.get(grade_id)
        if source_cell is None:
            self.log.warning(f"Cell '{grade_id}' does not exist in the database")
            del cell.metadata.nbgrader["grade_id"]
            return cell, resources

        if cell.cell_type != source_cell.cell_type:
            self.report_change(grade_id, "cell_type", source_cell.cell_type, cell.cell_type)
            self.update_cell_type(cell, source_cell.cell_type)

        if utils.is_locked(cell) != source_cell.locked:
            self.report_change(grade_id, "locked", source_cell.locked, utils.is_locked(cell))
            cell.metadata.nbgrader["locked"] = source_cell.locked

        if utils.is_grade(cell):
            if grade_id not in self._graded_cells:
                raise MissingEntry(f"no grade or task cell '{grade_id}' in the gradebook")
            old_points = float(self._graded_cells[grade_id].max_score)
            new_points = float(cell.metadata.nbgrader["points"])
            if old_points != new_points:
                self.report_change(grade_id, "points", old_points, new_points)
                cell.metadata.nbgrader["points"] = old_points

        cell.metadata.nbgrader["checksum"] = source_cell.checksum

        if source_cell.locked:
            old_checksum = source_cell.checksum
            new_checksum = utils.compute_checksum(cell)
            if old_checksum != new_checksum:
                if not _as_released(cell.source, source_cell.source):
                    self.report_change(grade_id, "checksum", old_checksum, new_checksum)
                cell.source = source_cell.source
                if utils.compute_checksum(cell) != source_cell.checksum:
                    raise RuntimeError(f"Inconsistent checksums for cell {source_cell.name}")

        return cell, resources


def _as_released(submitted: str, source: str) -> bool:
    """Whether a locked cell is exactly as learners received it: the source with its hidden-tests
    region stripped. Its checksum differs from the gradebook's (taken with the key) in every
    submission, so stock's "Attribute 'checksum' ... has changed!" would warn about every test cell
    of every learner; restoring it is still done, silently."""
    visible, region = split_key(source)
    return region is not None and submitted.rstrip("\n") == visible.rstrip("\n")


class OverwriteKernelspecOnce(NbGraderPreprocessor):
    """nbgrader's ``OverwriteKernelspec`` through the run's gradebook: the submission gets the
    source notebook's kernelspec, when the gradebook has one."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with run_gradebook(self, info["db_url"]) as gb:
            stored = gb.find_notebook(info["notebook"], info["assignment"]).kernelspec
        kernelspec = json.loads(stored) if stored is not None else None
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources


class AssignLatePenaltiesOnce(AssignLatePenalties):
    """nbgrader's ``AssignLatePenalties`` through the run's gradebook. Stock's steps: reset the
    notebook's penalty, and for a late submission ask the configured late-submission plugin
    (``AssignLatePenalties.plugin_class``) and clamp its answer to [0, score]."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        self.init_plugin()
        with run_gradebook(self, info["db_url"]) as gb:
            submission = gb.find_submission(info["assignment"], info["student"])
            notebook = gb.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]
            )
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                self.log.warning(f"{submission} is {submission.total_seconds_late} seconds late")
                penalty = self.plugin_inst.late_submission_penalty(
                    info["student"], notebook.score, submission.total_seconds_late
                )
                self.log.warning(f"Late submission penalty: {penalty}")
                if penalty is not None:
                    notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)
            gb.db.commit()
        return nb, resources
