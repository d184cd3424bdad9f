"""Load and validate the scenario bank (``exercises/*.yml``) into a typed, immutable model.

This is the only module that reads the bank's YAML. Every object it returns remembers the file and
line it came from, so any later error can point a course author at the exact place to fix.
All problems are collected (not just the first) and raised together as :class:`BankError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from clientcraft.errors import ClientcraftError

POOLS = ("practice", "assessment")
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SPECIAL_FILES = ("topics.yml", "claims.yml", "sources.yml")
MIN_OPTIONS, MAX_OPTIONS = 2, 5


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A place in the bank: file and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Section:
    """One section of a seed article: our English label and the article's own heading."""

    english: str
    heading: str


@dataclass(frozen=True)
class Article:
    """A seed article the course is taught from."""

    file: str
    language: str
    title: str
    english_title: str
    sections: tuple[Section, ...]

    def section(self, english: str) -> Section | None:
        return next((s for s in self.sections if s.english == english), None)


@dataclass(frozen=True)
class Source:
    """Where a scenario or claim comes from: article file name and English section label."""

    article: str
    section: str


@dataclass(frozen=True)
class Topic:
    """A course theme: one book module, one practice notebook, one graded quiz."""

    id: str
    title: str
    summary: str

    @property
    def docname(self) -> str:
        """The book page (Sphinx docname) that teaches this topic."""
        return f"modules/{self.id}"

    def page(self, book_url: str) -> str:
        """The address of this topic's module page in a book published at ``book_url``."""
        return f"{book_url.rstrip('/')}/{self.docname}.html"


@dataclass(frozen=True)
class Claim:
    """One claim or piece of advice of an article, paraphrased."""

    id: str
    source: Source
    text: str
    where: Where
    assess: bool = True
    why_not_assessed: str | None = None


@dataclass(frozen=True)
class Option:
    """One answer option of a scenario; ``credit`` is the fraction of the points it earns."""

    key: str
    text: str
    credit: float
    feedback: str
    consequence: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A realistic client situation with 2-5 options, exactly one of them best (credit 1)."""

    id: str
    topic: str
    pool: str
    source: Source
    situation: str
    question: str
    options: tuple[Option, ...]
    takeaway: str
    claims: tuple[str, ...]
    where: Where
    slot: str | None = None

    @property
    def best(self) -> Option:
        return next(o for o in self.options if o.credit == 1)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option:
        """The option with this key (case-insensitive); KeyError if there is none."""
        wanted = key.strip().upper()
        for opt in self.options:
            if opt.key == wanted:
                return opt
        raise KeyError(key)


@dataclass(frozen=True)
class Bank:
    """The whole validated bank. Scenarios keep file order; topics keep topics.yml order."""

    root: Path
    topics: tuple[Topic, ...]
    claims: tuple[Claim, ...]
    articles: tuple[Article, ...]
    scenarios: tuple[Scenario, ...]
    warnings: tuple[str, ...] = field(default=())

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {
            "topic": {t.id: t for t in self.topics},
            "scenario": {s.id: s for s in self.scenarios},
            "article": {a.file: a for a in self.articles},
            "claim": {c.id: c for c in self.claims},
        }

    def _get(self, kind: str, wanted: str) -> Any:
        try:
            return self._by_id[kind][wanted]
        except KeyError:
            raise UnknownIdError(kind, wanted, self._by_id[kind]) from None

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id; :class:`UnknownIdError` if there is none."""
        return self._get("topic", topic_id)  # type: ignore[no-any-return]

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id; :class:`UnknownIdError` if there is none."""
        return self._get("scenario", scenario_id)  # type: ignore[no-any-return]

    def article(self, file: str) -> Article:
        """The article with this file name; :class:`UnknownIdError` if there is none."""
        return self._get("article", file)  # type: ignore[no-any-return]

    def claim(self, claim_id: str) -> Claim:
        """The claim with this id; :class:`UnknownIdError` if there is none."""
        return self._get("claim", claim_id)  # type: ignore[no-any-return]

    def citation(self, source: Source) -> str:
        """How learners see where something comes from: the article's English title, its language
        and the section (never the seed's file name)."""
        article = self.article(source.article)
        return f"{article.english_title} ({article.language} article), section \u201c{source.section}\u201d"

    def pool(self, pool: str, topic: str | None = None) -> tuple[Scenario, ...]:
        """Scenarios of one pool (``practice`` or ``assessment``), optionally of one topic."""
        return tuple(
            s for s in self.scenarios if s.pool == pool and (topic is None or s.topic == topic)
        )

    def counts(self) -> dict[str, Any]:
        """Scenario counts per topic and pool, in the shape ``validate --json`` prints."""
        topics = {t.id: {p: len(self.pool(p, t.id)) for p in POOLS} for t in self.topics}
        return {"topics": topics, "total": len(self.scenarios)}

    def unexercised_claims(self) -> tuple[Claim, ...]:
        used = {c for s in self.scenarios for c in s.claims}
        return tuple(c for c in self.claims if c.id not in used)


class UnknownIdError(KeyError):
    """An id that is not in the bank; says which ids there are."""

    def __init__(self, kind: str, wanted: str, known: Iterable[str]):
        super().__init__(wanted)
        names = sorted(known)
        hint = _closest(wanted, names)
        self.message = f"unknown {kind} '{wanted}' " + (
            f"(did you mean '{hint}'?)" if hint else f"(known: {', '.join(names) or 'none'})"
        )

    def __str__(self) -> str:
        return self.message


class BankError(ClientcraftError):
    """The bank has problems; ``problems`` holds one ``path:line: id: message`` line each."""


# --------------------------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------------------------


class Node:
    """A YAML value with the line it starts on; mappings also remember each key's line."""

    __slots__ = ("key_lines", "line", "value")

    def __init__(self, value: Any, line: int, key_lines: dict[str, int] | None = None):
        self.value = value
        self.line = line
        self.key_lines = key_lines or {}


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int):
        self.key, self.line, self.first = key, line, first


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present
_STR_TAG = "tag:yaml.org,2002:str"


def _to_node(loader: Any, node: yaml.Node) -> Node:
    """Turn a composed YAML node into :class:`Node` values, recording key lines and refusing
    duplicate keys. Walks the tree directly (plain strings need no constructor): this is what keeps
    validating a 2,000-scenario bank under a second."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR_TAG:
            return Node(node.value, line)
        return Node(loader.construct_object(node, deep=True), line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_to_node(loader, item) for item in node.value], line)
    loader.flatten_mapping(node)
    value: dict[Any, Node] = {}
    key_lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = _to_node(loader, key_node).value
        key_line = key_node.start_mark.line + 1
        if key in value:
            raise _DuplicateKey(str(key), key_line, key_lines[key])
        value[key] = _to_node(loader, value_node)
        key_lines[key] = key_line
    return Node(value, line, key_lines)


def read_yaml(path: Path, problems: list[str]) -> Node | None:
    """Parse one YAML file into :class:`Node` values; syntax errors become problem lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}:1: cannot read the file: {exc} (check it exists and is UTF-8)")
        return None
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            node = None if root is None else _to_node(loader, root)
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        problems.append(
            f"{path}:{dup.line}: duplicate key '{dup.key}' (first at line {dup.first}; "
            "keep one of them)"
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or str(exc)
        problems.append(
            f"{path}:{line}: YAML syntax error: {what} (fix the indentation or quoting)"
        )
        return None
    except yaml.YAMLError as exc:
        problems.append(f"{path}:1: YAML error: {exc}")
        return None
    return node


# --------------------------------------------------------------------------------------------
# Field checking
# --------------------------------------------------------------------------------------------


class _Record:
    """Checks one YAML mapping against a set of allowed fields, reporting with file and line."""

    def __init__(self, node: Node, path: Path, label: str, problems: list[str]):
        self.node, self.path, self.label, self.problems = node, path, label, problems

    def error(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {self.label}: {message}")

    def line_of(self, name: str) -> int:
        return self.node.key_lines.get(name, self.node.line)

    def check_fields(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required, optional = tuple(required), tuple(optional)
        allowed = required + optional
        for name in self.node.value:
            if name not in allowed:
                hint = _closest(str(name), allowed)
                fix = f"did you mean '{hint}'?" if hint else f"allowed: {', '.join(allowed)}"
                self.error(self.line_of(name), f"unknown field '{name}' ({fix})")
        for name in required:
            if name not in self.node.value:
                self.error(self.node.line, f"missing field '{name}' (add it)")

    def text(self, name: str, required: bool = True) -> str | None:
        """A non-empty string field, or None after reporting what is wrong."""
        value = self.node.value.get(name)
        if value is None:
            return None
        if not isinstance(value.value, str) or isinstance(value.value, bool):
            if value.value is None and not required:
                return None
            self.error(value.line, f"'{name}' must be text, not {_kind(value.value)}")
            return None
        if not value.value.strip():
            self.error(value.line, f"'{name}' is empty (write the {name})")
            return None
        return value.value.strip()

    def mapping(self, name: str) -> Node | None:
        value = self.node.value.get(name)
        if value is None:
            return None
        if not isinstance(value.value, dict):
            self.error(value.line, f"'{name}' must be a mapping, not {_kind(value.value)}")
            return None
        return value  # type: ignore[no-any-return]  # a Node, from the mapping of Nodes

    def sequence(self, name: str) -> list[Node] | None:
        value = self.node.value.get(name)
        if value is None:
            return None
        if not isinstance(value.value, list):
            self.error(value.line, f"'{name}' must be a list, not {_kind(value.value)}")
            return None
        return value.value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


# --------------------------------------------------------------------------------------------
# Loading each file
# --------------------------------------------------------------------------------------------


def _records(root: Node | None, path: Path, what: str, problems: list[str]) -> Iterator[Node]:
    """The mappings of a top-level YAML list, reporting anything else."""
    if root is None:
        return
    if not isinstance(root.value, list):
        problems.append(
            f"{path}:{root.line}: the file must be a YAML list of {what} (start each with '- ')"
        )
        return
    for item in root.value:
        if isinstance(item.value, dict):
            yield item
        else:
            problems.append(
                f"{path}:{item.line}: each entry must be a mapping of fields, not {_kind(item.value)}"
            )


def _load_sources(path: Path, problems: list[str]) -> tuple[Article, ...]:
    root = read_yaml(path, problems)
    if root is None:
        return ()
    if not isinstance(root.value, dict):
        problems.append(f"{path}:{root.line}: expected a mapping with 'seeds_dir' and 'articles'")
        return ()
    rec = _Record(root, path, "sources", problems)
    rec.check_fields(["articles"], ["seeds_dir"])
    seeds_dir = rec.text("seeds_dir", required=False)
    articles: list[Article] = []
    for item in rec.sequence("articles") or []:
        if not isinstance(item.value, dict):
            problems.append(f"{path}:{item.line}: each article must be a mapping")
            continue
        art = _Record(item, path, "article", problems)
        art.check_fields(["file", "language", "title", "english_title", "sections"])
        file = art.text("file")
        art.label = f"article {file}"
        sections = []
        for sec in art.sequence("sections") or []:
            if not isinstance(sec.value, dict):
                problems.append(f"{path}:{sec.line}: each section must be a mapping")
                continue
            srec = _Record(sec, path, f"article {file}", problems)
            srec.check_fields(["english", "heading"], ["note"])
            english, heading = srec.text("english"), srec.text("heading")
            if english and heading:
                sections.append(Section(english, heading))
        seeds = path.parent / seeds_dir if seeds_dir else None
        if seeds and file and seeds.is_dir() and not (seeds / file).is_file():
            art.error(
                art.line_of("file"),
                f"seed file '{file}' is not in {seeds} (fix the file name)",
            )
        if file:
            articles.append(
                Article(
                    file,
                    art.text("language") or "",
                    art.text("title") or "",
                    art.text("english_title") or "",
                    tuple(sections),
                )
            )
    return tuple(articles)


def _check_source(rec: _Record, articles: tuple[Article, ...]) -> Source | None:
    """Read a ``source``-shaped field (article + section) and check both exist in sources.yml."""
    if "source" in rec.node.value:
        node = rec.mapping("source")
        if node is None:
            return None
        sub = _Record(node, rec.path, rec.label, rec.problems)
        sub.check_fields(["article", "section"])
        article, section = sub.text("article"), sub.text("section")
        article_line, section_line = sub.line_of("article"), sub.line_of("section")
    else:
        article, section = rec.text("article"), rec.text("section")
        article_line, section_line = rec.line_of("article"), rec.line_of("section")
    if not article or not section:
        return None
    known = {a.file: a for a in articles}
    if article not in known:
        rec.error(
            article_line,
            f"unknown source article '{article}' "
            f"(use one of sources.yml: {', '.join(known) or 'none declared'})",
        )
        return None
    if known[article].section(section) is None:
        labels = "; ".join(s.english for s in known[article].sections)
        rec.error(
            section_line, f"article {article} has no section '{section}' (use one of: {labels})"
        )
        return None
    return Source(article, section)


def _load_topics(path: Path, problems: list[str]) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for item in _records(read_yaml(path, problems), path, "topics", problems):
        rec = _Record(item, path, "topic", problems)
        rec.check_fields(["id", "title", "summary"])
        topic_id = rec.text("id")
        if topic_id is None:
            continue
        rec.label = topic_id
        if not KEY_RE.match(topic_id):
            rec.error(rec.line_of("id"), "topic id must be kebab-case, e.g. 'mutual-commitment'")
        if topic_id in seen:
            rec.error(rec.line_of("id"), f"duplicate topic id (first at line {seen[topic_id]})")
            continue
        seen[topic_id] = rec.line_of("id")
        topics.append(Topic(topic_id, rec.text("title") or "", rec.text("summary") or ""))
    return tuple(topics)


def _load_claims(
    path: Path, articles: tuple[Article, ...], problems: list[str]
) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for item in _records(read_yaml(path, problems), path, "claims", problems):
        rec = _Record(item, path, "claim", problems)
        rec.check_fields(["id", "article", "section", "text"], ["assess", "why"])
        claim_id = rec.text("id")
        if claim_id is None:
            continue
        rec.label = claim_id
        if not KEY_RE.match(claim_id):
            rec.error(rec.line_of("id"), "claim id must be kebab-case")
        if claim_id in seen:
            rec.error(rec.line_of("id"), f"duplicate claim id (first at line {seen[claim_id]})")
            continue
        seen[claim_id] = rec.line_of("id")
        source = _check_source(rec, articles)
        text = rec.text("text")
        assess_node = item.value.get("assess")
        assess = True
        if assess_node is not None:
            if not isinstance(assess_node.value, bool):
                rec.error(
                    assess_node.line,
                    f"'assess' must be true or false, not {_kind(assess_node.value)}",
                )
            else:
                assess = assess_node.value
        why = rec.text("why", required=False)
        if not assess and not why:
            rec.error(
                rec.line_of("assess"),
                "assess: false needs a 'why' (say why no assessment "
                "item tests this claim, e.g. it is background, not a decision)",
            )
        if source and text:
            claims.append(Claim(claim_id, source, text, Where(path, item.line), assess, why))
    return tuple(claims)


SCENARIO_FIELDS = (
    "id",
    "topic",
    "pool",
    "source",
    "claims",
    "situation",
    "question",
    "options",
    "takeaway",
)
OPTIONAL_SCENARIO_FIELDS = ("slot",)
OPTION_FIELDS = ("key", "text", "credit", "feedback")


def _load_option(
    item: Node, index: int, path: Path, label: str, problems: list[str]
) -> Option | None:
    if not isinstance(item.value, dict):
        problems.append(
            f"{path}:{item.line}: {label}: option {index + 1} must be a mapping of "
            f"{', '.join(OPTION_FIELDS)}"
        )
        return None
    rec = _Record(item, path, label, problems)
    rec.check_fields(OPTION_FIELDS, ["consequence"])
    expected_key = chr(ord("A") + index)
    key_node = item.value.get("key")
    key = key_node.value if key_node is not None else None
    if key_node is not None and key != expected_key:
        rec.error(
            key_node.line,
            f"option {index + 1} has key {key!r}; keys must run A, B, C... "
            f"in order (use '{expected_key}')",
        )
    credit_node = item.value.get("credit")
    credit: float | None = None
    if credit_node is not None:
        raw = credit_node.value
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            rec.error(
                credit_node.line,
                f"option {expected_key}: credit must be a number from 0 to 1, not {_kind(raw)}",
            )
        elif not 0 <= raw <= 1:
            rec.error(
                credit_node.line,
                f"option {expected_key}: credit {raw} is outside [0, 1] "
                "(use 1 for the best option, a fraction for partial credit, 0 for harmful)",
            )
        else:
            credit = float(raw)
    text, feedback = rec.text("text"), rec.text("feedback")
    consequence = rec.text("consequence", required=False)
    if text is None or feedback is None or credit is None or key != expected_key:
        return None
    return Option(expected_key, text, credit, feedback, consequence)


def _scenario_id(rec: _Record) -> str | None:
    """The scenario's id (also its label in every later problem line), checked for kebab-case."""
    scenario_id = rec.text("id")
    if scenario_id:
        rec.label = scenario_id
        if not KEY_RE.match(scenario_id):
            rec.error(
                rec.line_of("id"),
                f"id '{scenario_id}' must be kebab-case, e.g. 'trust-late-delivery'",
            )
    return scenario_id


def _placement(rec: _Record, topics: set[str]) -> tuple[str | None, str | None, str | None]:
    """Topic, pool and slot, each checked (unknown ones reported)."""
    topic, pool = rec.text("topic"), rec.text("pool")
    slot = rec.text("slot", required=False)
    if slot is not None and not KEY_RE.match(slot):
        rec.error(rec.line_of("slot"), f"slot '{slot}' must be kebab-case, e.g. 'trust-delivery'")
    if slot is not None and pool == "practice":
        rec.error(rec.line_of("slot"), "only assessment scenarios take a slot (remove it)")
    if topic and topic not in topics:
        rec.error(
            rec.line_of("topic"),
            f"unknown topic '{topic}' (declare it in topics.yml or use one "
            f"of: {', '.join(sorted(topics))})",
        )
    if pool and pool not in POOLS:
        rec.error(rec.line_of("pool"), f"unknown pool '{pool}' (use 'practice' or 'assessment')")
    return topic, pool, slot


def _claim_ids(rec: _Record, claims: set[str]) -> list[str]:
    """The scenario's claim ids, each declared in claims.yml; at least one."""
    claim_ids: list[str] = []
    for claim in rec.sequence("claims") or []:
        if not isinstance(claim.value, str):
            rec.error(claim.line, f"claims must be claim ids (text), not {_kind(claim.value)}")
        elif claim.value not in claims:
            hint = _closest(claim.value, claims)
            rec.error(
                claim.line,
                f"unknown claim '{claim.value}' "
                f"({'did you mean ' + repr(hint) + '?' if hint else 'add it to claims.yml'})",
            )
        else:
            claim_ids.append(claim.value)
    listed = rec.node.value.get("claims")
    if listed is not None and not claim_ids and isinstance(listed.value, list):
        rec.error(rec.line_of("claims"), "list at least one claim the scenario exercises")
    return claim_ids


def _options(rec: _Record) -> list[Option] | None:
    """All options, or None when any of them (or their number, or the single best) is wrong."""
    nodes = rec.sequence("options")
    if nodes is None:
        return None
    if not MIN_OPTIONS <= len(nodes) <= MAX_OPTIONS:
        rec.error(
            rec.line_of("options"),
            f"has {len(nodes)} options; give {MIN_OPTIONS} to {MAX_OPTIONS}",
        )
    loaded = [
        _load_option(node, i, rec.path, rec.label, rec.problems) for i, node in enumerate(nodes)
    ]
    options = [o for o in loaded if o is not None]
    if len(options) != len(nodes):
        return None
    best = [o.key for o in options if o.credit == 1]
    if len(best) != 1:
        rec.error(
            rec.line_of("options"),
            f"{len(best)} options have credit 1 "
            f"({', '.join(best) or 'none'}); exactly one must be the best",
        )
    return options or None


def _load_scenario(
    item: Node,
    path: Path,
    topics: set[str],
    claims: set[str],
    articles: tuple[Article, ...],
    problems: list[str],
) -> Scenario | None:
    """One scenario, or None after reporting every problem it has."""
    rec = _Record(item, path, "scenario", problems)
    scenario_id = _scenario_id(rec)
    rec.check_fields(SCENARIO_FIELDS, OPTIONAL_SCENARIO_FIELDS)
    topic, pool, slot = _placement(rec, topics)
    source = _check_source(rec, articles) if "source" in item.value else None
    claim_ids = _claim_ids(rec, claims)
    options = _options(rec)
    situation, question, takeaway = (rec.text(f) for f in ("situation", "question", "takeaway"))
    if not (
        scenario_id
        and topic in topics
        and pool in POOLS
        and source
        and claim_ids
        and options
        and situation
        and question
        and takeaway
    ):
        return None
    return Scenario(
        scenario_id,
        topic,
        pool,
        source,
        situation,
        question,
        tuple(options),
        takeaway,
        tuple(claim_ids),
        Where(path, item.line),
        slot,
    )


# --------------------------------------------------------------------------------------------
# The bank
# --------------------------------------------------------------------------------------------


def scenario_files(root: Path) -> list[Path]:
    """The scenario files of a bank folder: every ``*.yml`` but topics, claims and sources."""
    return sorted(p for p in root.glob("*.yml") if p.name not in SPECIAL_FILES)


def load_bank(root: Path | str) -> Bank:
    """Load and validate every file of the bank at ``root``; raise :class:`BankError` on any problem."""
    root = Path(root)
    problems: list[str] = []
    if not root.is_dir():
        raise BankError([f"{root}: not a folder (give the bank folder, e.g. --bank exercises)"])
    for name in SPECIAL_FILES:
        if not (root / name).is_file():
            problems.append(
                f"{root / name}:1: missing (every bank needs {', '.join(SPECIAL_FILES)})"
            )
    if problems:
        raise BankError(problems)
    articles = _load_sources(root / "sources.yml", problems)
    topics = _load_topics(root / "topics.yml", problems)
    claims = _load_claims(root / "claims.yml", articles, problems)
    topic_ids, claim_ids = {t.id for t in topics}, {c.id for c in claims}
    scenarios: list[Scenario] = []
    first_seen: dict[str, Where] = {}
    for path in scenario_files(root):
        for item in _records(read_yaml(path, problems), path, "scenarios", problems):
            id_node = item.value.get("id")
            scenario = _load_scenario(item, path, topic_ids, claim_ids, articles, problems)
            if id_node is not None and isinstance(id_node.value, str):
                here = Where(path, item.key_lines.get("id", item.line))
                if id_node.value in first_seen:
                    problems.append(
                        f"{here}: {id_node.value}: duplicate scenario id (first at "
                        f"{first_seen[id_node.value]}; ids must be unique across the bank)"
                    )
                    continue
                first_seen[id_node.value] = here
            if scenario:
                scenarios.append(scenario)
    if problems:
        raise BankError(problems)
    slot_warnings = _check_slots(scenarios, problems)
    if problems:
        raise BankError(problems)
    bank = Bank(root, topics, claims, articles, tuple(scenarios))
    warnings = tuple(
        f"{c.where}: {c.id}: no scenario exercises this claim (list it in a scenario's 'claims')"
        for c in bank.unexercised_claims()
    )
    return Bank(root, topics, claims, articles, tuple(scenarios), warnings + slot_warnings)


def _check_slots(scenarios: list[Scenario], problems: list[str]) -> tuple[str, ...]:
    """Slots hold parallel items of one topic (an error otherwise), at least two of them, and a
    topic's slots hold equally many (warnings: a learner's draw still works, but is less fair)."""
    members: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        if scenario.slot is not None:
            members.setdefault(scenario.slot, []).append(scenario)
    warnings = []
    sizes: dict[str, dict[str, int]] = {}
    for slot, items in members.items():
        first = items[0]
        for other in items[1:]:
            if other.topic != first.topic:
                problems.append(
                    f"{other.where}: {other.id}: slot '{slot}' mixes topics {first.topic} "
                    f"({first.where}) and {other.topic} (a slot holds parallel items of one topic; "
                    "rename one of the slots)"
                )
        if len(items) < 2:
            warnings.append(
                f"{first.where}: {first.id}: slot '{slot}' has only this item, so every learner "
                "gets it (add a parallel item to the slot, or remove the slot)"
            )
        sizes.setdefault(first.topic, {})[slot] = len(items)
    for topic, per_slot in sizes.items():
        if len(set(per_slot.values())) > 1:
            counts = ", ".join(f"{slot} {n}" for slot, n in per_slot.items())
            first = members[next(iter(per_slot))][0]
            warnings.append(
                f"{first.where}: topic {topic}: its slots hold different numbers of items "
                f"({counts}); give every slot of a topic equally many parallel items"
            )
    return tuple(warnings)


def default_bank_dir() -> Path:
    """``exercises/`` in the current folder or the nearest parent that has one."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises" / "topics.yml").is_file():
            return folder / "exercises"
    return here / "exercises"
