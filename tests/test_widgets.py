"""The practice players, driven like a learner would: pick an option, click Check, read what shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientcraft.bank import Bank
from clientcraft.errors import ClientcraftError
from clientcraft.progress import ProgressStore, ProgressWarning
from clientcraft.widgets import ModulePlayer, ScenarioPlayer, module_player


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    return ProgressStore(tmp_path / "progress.jsonl")


def answer(player: ScenarioPlayer, key: str) -> None:
    player.choice.value = key
    player.check_button.click()


def test_shows_situation_as_html_options_and_source(small_bank: Bank, store: ProgressStore) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    assert "<strong>monthly report</strong>" in player.situation.value
    assert "What should Ana do?" in player.question.value
    assert "Send half the report." in player.options.value
    assert "Warn Bo it will be late." in player.options.value
    assert player.choice.options == ("A", "B", "C") and player.choice.value is None
    assert "Building client trust" in player.source.value
    source = player.source.value
    assert "Building client trust (German article), section" in source
    assert "000_97ec9dda253dc4af" not in source
    assert "Building Client Vertrauen" in player.source.value
    assert player.feedback.value == ""
    assert player.check_button.disabled and player.retry_button.disabled
    assert "not answered yet" in player.history.value


def test_best_choice_shows_full_credit_feedback_and_takeaway(
    small_bank: Bank, store: ProgressStore
) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    answer(player, "B")
    assert "You chose B." in player.feedback.value
    assert "Full credit: 100 %" in player.feedback.value
    assert "Repeated delivery keeps trust." in player.feedback.value
    assert "Keep delivering what the client relies on." in player.feedback.value
    assert "What happens next" not in player.feedback.value
    assert player.choice.disabled and player.check_button.disabled
    assert not player.retry_button.disabled


def test_partial_choice_shows_partial_credit(small_bank: Bank, store: ProgressStore) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    answer(player, "C")
    assert "Partial credit: 50 %" in player.feedback.value
    assert "Honest but still less than usual." in player.feedback.value
    assert "Keep delivering what the client relies on." in player.feedback.value


def test_wrong_choice_shows_no_credit_and_consequence(
    small_bank: Bank, store: ProgressStore
) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    answer(player, "A")
    assert "No credit: 0 %" in player.feedback.value
    assert "Less than usual spends trust." in player.feedback.value
    assert "What happens next:</b> Bo starts checking the figures himself." in player.feedback.value


def test_check_without_a_choice_does_nothing(small_bank: Bank, store: ProgressStore) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    player.check_button.click()
    assert player.feedback.value == "" and store.attempts == ()


def test_try_again_resets_and_allows_a_new_answer(small_bank: Bank, store: ProgressStore) -> None:
    player = ScenarioPlayer(small_bank.scenario("fx-trust-report"), small_bank, progress=store)
    answer(player, "A")
    player.retry_button.click()
    assert player.feedback.value == ""
    assert player.choice.value is None and not player.choice.disabled
    assert player.check_button.disabled and player.retry_button.disabled
    answer(player, "B")
    assert "Full credit: 100 %" in player.feedback.value
    assert "Previously: best 100 %, 2 attempts" in player.history.value


def test_a_returning_learner_sees_best_score_and_attempts(small_bank: Bank, tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    first = ScenarioPlayer(
        small_bank.scenario("fx-trust-report"), small_bank, progress=ProgressStore(path)
    )
    answer(first, "A")
    first.retry_button.click()
    answer(first, "C")
    later = ScenarioPlayer(
        small_bank.scenario("fx-trust-report"), small_bank, progress=ProgressStore(path)
    )
    assert "Previously: best 50 %, 2 attempts" in later.history.value
    module = ModulePlayer(small_bank.pool("practice"), small_bank, progress=ProgressStore(path))
    assert "Previously: best 50 %, 2 attempts" in module.players[0].history.value
    assert "not answered yet" in module.players[1].history.value


def test_a_corrupt_progress_file_is_reported_in_the_widget(
    small_bank: Bank, tmp_path: Path
) -> None:
    path = tmp_path / "progress.jsonl"
    path.write_bytes(b"\x00\xffnot json\n")
    with pytest.warns(ProgressWarning):
        module = ModulePlayer(small_bank.pool("practice"), small_bank, progress=ProgressStore(path))
    assert "progress.jsonl.corrupt-" in module.notes.value
    other = tmp_path / "other.jsonl"
    other.write_text("{oops\n", encoding="utf-8")
    with pytest.warns(ProgressWarning):
        single = ScenarioPlayer(
            small_bank.scenario("fx-trust-report"), small_bank, progress=ProgressStore(other)
        )
    assert "Note:" in single.notes.value and "other.jsonl.corrupt-" in single.notes.value


def test_assessment_scenarios_are_refused(small_bank: Bank, store: ProgressStore) -> None:
    exam = small_bank.scenario("fx-trust-exam")
    with pytest.raises(ClientcraftError, match="fx-trust-exam: is an assessment scenario"):
        ScenarioPlayer(exam, small_bank, progress=store)
    with pytest.raises(ClientcraftError, match="practice scenarios only"):
        ModulePlayer(small_bank.scenarios, small_bank, progress=store)


def test_module_player_navigation_score_and_progress_bar(
    small_bank: Bank, store: ProgressStore
) -> None:
    module = ModulePlayer(small_bank.pool("practice"), small_bank, progress=store)
    assert "Scenario 1 of 3" in module.counter.value
    assert module.stage.children == (module.players[0],)
    assert module.previous_button.disabled and not module.next_button.disabled
    assert module.progress_bar.value == 0 and module.progress_bar.max == 3
    assert "Score: 0 of 3 (0 %)" in module.score.value

    answer(module.players[0], "C")
    assert module.progress_bar.value == 1
    assert "Score: 0.5 of 3 (17 %)" in module.score.value
    module.players[0].retry_button.click()
    answer(module.players[0], "B")
    assert module.progress_bar.value == 1
    assert "Score: 0.5 of 3" in module.score.value, "the score counts first answers only"

    module.next_button.click()
    assert "Scenario 2 of 3" in module.counter.value
    assert module.stage.children == (module.players[1],)
    assert not module.previous_button.disabled
    answer(module.players[1], "A")
    assert "Score: 1.5 of 3 (50 %)" in module.score.value
    module.previous_button.click()
    assert module.stage.children == (module.players[0],)
    module.next_button.click()
    module.next_button.click()
    assert "Scenario 3 of 3" in module.counter.value
    assert module.next_button.description == "Finish"
    answer(module.players[2], "A")
    assert module.progress_bar.value == 3
    assert "Score: 1.5 of 3 (50 %)" in module.score.value


def test_module_summary_per_topic_links_the_book_pages_to_review(
    small_bank: Bank, store: ProgressStore
) -> None:
    module = ModulePlayer(
        small_bank.pool("practice"),
        small_bank,
        progress=store,
        book_url="https://course.example/book/",
    )
    answer(module.players[0], "B")
    answer(module.players[1], "A")
    answer(module.players[2], "A")
    module.show(3)
    assert module.stage.children == (module.summary,)
    assert module.next_button.disabled and not module.previous_button.disabled
    assert "Summary" in module.counter.value
    rows = module.summary.value.split("<tr>")[2:]
    assert len(rows) == 2
    trust, composure = rows
    assert "Earning and keeping trust" in trust and "2 of 2" in trust and "100 %" in trust
    assert "All best answers" in trust
    assert "href='https://course.example/book/modules/trust.html'" in trust
    assert "Composure and respect" in composure and "1 of 1" in composure and "0 %" in composure
    assert "Review <a href='https://course.example/book/modules/composure.html'" in composure
    assert "section “Keep it together”" in composure


def test_default_review_links_point_at_the_built_book(
    small_bank: Bank, store: ProgressStore
) -> None:
    module = ModulePlayer(small_bank.pool("practice", "composure"), small_bank, progress=store)
    assert module.review_url("composure") == "../book/_build/html/modules/composure.html"
    assert "Practice: Composure and respect" in module.heading.value
    module.next_button.click()
    assert "0 of 1" in module.summary.value
    assert "../book/_build/html/modules/composure.html" in module.summary.value


def test_module_player_loads_only_the_practice_pool(
    small_bank_dir: Path, store: ProgressStore
) -> None:
    module = module_player("trust", small_bank_dir, progress=store)
    assert [p.scenario.id for p in module.players] == ["fx-trust-report", "fx-trust-personal"]
    assert all(s.pool == "practice" for s in module.bank.scenarios)
    with pytest.raises(ClientcraftError, match="unknown topic 'trusst'"):
        module_player("trusst", small_bank_dir, progress=store)


def test_a_module_without_scenarios_says_so(small_bank_dir: Path, store: ProgressStore) -> None:
    module = module_player("expectations", small_bank_dir, progress=store)
    assert module.players == []
    assert "no practice scenarios here yet" in module.counter.value
    assert module.next_button.disabled and module.previous_button.disabled
