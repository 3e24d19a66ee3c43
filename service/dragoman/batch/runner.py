"""`dragoman batch INPUT... --out DIR`: a day's mixed feed in, one brief per story out.

Resumable and exactly once: the state lives in an SQLite database beside the output
(`DIR/.dragoman-batch.sqlite`); every output file is written to a temporary file and renamed;
a story's id is a hash of its articles' content, so an unchanged story is never rebuilt and a
run killed at any point (SIGKILL included) is finished by running the same command again. A
second run on the same output while one is going refuses (an exclusive lock on
`DIR/.dragoman-batch.lock`).

Output: `DIR/stories/<story id>.json` and `.md` per story, `DIR/index.jsonl` (story id -> article
ids, languages, headline) and `DIR/errors.jsonl` (one line per article that could not be used,
with the reason).
"""

from __future__ import annotations

import asyncio
import fcntl
import glob
import hashlib
import json
import os
import queue
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dragoman.articles import SUFFIXES, parse_article
from dragoman.batch.cluster import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, cluster
from dragoman.budget import cost
from dragoman.domain import Article
from dragoman.errors import DragomanError

STATE = ".dragoman-batch.sqlite"
LOCK = ".dragoman-batch.lock"

Brief = Callable[[Sequence[Article], str], tuple[str, str, str]]  # -> (json, markdown, headline)
Briefed = tuple[str, str, str] | DragomanError  # a story's brief, or why it has none
Stories = list[tuple[str, list[Article]]]  # (story id, its articles)
# (story id, its articles) pairs and the target language -> (story id, result) as each finishes
BriefMany = Callable[[list[tuple[str, list[Article]]], str], Iterator[tuple[str, Briefed]]]
Group = Callable[[list[Article]], list[list[str]]]  # articles -> stories as lists of ids


def sequential(brief: Brief) -> BriefMany:
    """One story after the other with a per-story brief function."""

    def many(
        stories: list[tuple[str, list[Article]]], target: str
    ) -> Iterator[tuple[str, Briefed]]:
        for sid, members in stories:
            try:
                yield sid, brief(members, target)
            except DragomanError as exc:
                yield sid, exc

    return many


def local_group(
    features: Callable[[list[Article]], list[Any]],
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Group:
    """Stories formed here: features of every article, then clustering."""
    return lambda articles: cluster(
        features(articles), threshold=threshold, window_days=window_days
    )


class BatchError(Exception):
    """The batch cannot run (the message says why: locked output, unreadable input)."""


@dataclass
class Report:
    articles: int = 0
    stories: int = 0
    built: int = 0
    reused: int = 0
    failures: Counter[str] = field(default_factory=Counter)


def content_id(a: Article) -> str:
    return hashlib.sha256(
        json.dumps([a.text, a.title, a.url, a.outlet, a.language, a.published]).encode()
    ).hexdigest()[:16]


def read_feed(inputs: Sequence[str], out: Path) -> Iterator[tuple[Article | None, str, str]]:
    """(article, where, error) for every item of the inputs - folders, globs, .txt/.json/.jsonl
    files, `-` for JSON Lines on stdin - in a stable order; never anything under `out`."""
    out = out.resolve()
    files: list[Path] = []
    for spec in inputs:
        if spec == "-":
            for n, line in enumerate(sys.stdin, 1):
                yield _item(line, f"stdin:{n}")
            continue
        matches = sorted(glob.glob(spec, recursive=True)) if glob.has_magic(spec) else [spec]
        if not matches:
            yield None, spec, "no file matches"
        for m in matches:
            p = Path(m)
            if p.is_dir():
                files += sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
            elif p.is_file():
                files.append(p)
            else:
                yield None, m, "no such file or folder"
    for f in files:
        if f.resolve().is_relative_to(out):
            continue  # our own output is never input
        try:
            raw = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield None, str(f), f"cannot be read ({exc})"
            continue
        if f.suffix == ".jsonl":
            for n, line in enumerate(raw.splitlines(), 1):
                if line.strip():
                    yield _item(line, f"{f}:{n}")
        elif f.suffix == ".json":
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield None, str(f), f"not valid JSON ({exc})"
                continue
            for k, d in enumerate(data if isinstance(data, list) else [data]):
                yield _parsed(d, f"{f}[{k}]")
        else:
            yield Article(id=f.stem, text=raw), str(f), ""


def _item(line: str, where: str) -> tuple[Article | None, str, str]:
    if not line.strip():
        return None, where, "empty line"
    try:
        return _parsed(json.loads(line), where)
    except json.JSONDecodeError as exc:
        return None, where, f"not valid JSON ({exc})"


def _parsed(data: Any, where: str) -> tuple[Article | None, str, str]:
    try:
        a = parse_article(data, where)
    except DragomanError as exc:
        return None, where, str(exc)
    if not a.text.strip():
        return None, where, "empty text"
    return a, where, ""


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Batch:
    """One output folder and its state."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        (out / "stories").mkdir(exist_ok=True)
        self._lock: IO[str] = open(out / LOCK, "w")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise BatchError(
                f"another dragoman batch is writing to {out}; wait for it to finish "
                "or choose another --out"
            ) from None
        for stale in out.glob("**/.*.tmp-*"):  # half-written files of a killed run
            stale.unlink(missing_ok=True)
        self.db = sqlite3.connect(out / STATE)
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS story (
                id TEXT PRIMARY KEY, articles TEXT NOT NULL, languages TEXT NOT NULL,
                headline TEXT NOT NULL, briefed TEXT NOT NULL DEFAULT '[]');
            """
        )
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(story)")}
        if "briefed" not in columns:  # state of an earlier version
            with self.db:
                self.db.execute("ALTER TABLE story ADD COLUMN briefed TEXT NOT NULL DEFAULT '[]'")

    def close(self) -> None:
        self.db.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()

    def done(self) -> dict[str, tuple[list[str], list[str], str, list[str]]]:
        """story id -> (article ids, languages, headline, ids its brief read when not all)."""
        rows = self.db.execute("SELECT id, articles, languages, headline, briefed FROM story")
        return {r[0]: (json.loads(r[1]), json.loads(r[2]), r[3], json.loads(r[4])) for r in rows}

    def record(
        self, sid: str, ids: list[str], langs: list[str], headline: str, briefed: list[str]
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO story (id, articles, languages, headline, briefed) "
                "VALUES (?, ?, ?, ?, ?)",
                (sid, json.dumps(ids), json.dumps(langs), headline, json.dumps(briefed)),
            )

    def forget(self, sid: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM story WHERE id = ?", (sid,))


def story_id(members: Sequence[Article]) -> str:
    return (
        "s-"
        + hashlib.sha256("\n".join(sorted(content_id(a) for a in members)).encode()).hexdigest()[
            :16
        ]
    )


@dataclass(frozen=True)
class BriefLimits:
    """What one brief may take: the server's article limit and cost budget (the defaults are
    the server's); a bigger story is briefed from a representative part of it."""

    articles: int = 200
    chars: int = 300_000
    sentences: int = 2_000


def _spread(n: int) -> list[int]:
    """0..n-1 in an order whose every prefix is spread evenly: the ends, then midpoints."""
    if n <= 2:
        return list(range(n))
    order, spans = [0, n - 1], [(0, n - 1)]
    for lo, hi in spans:  # breadth first: the list grows while it is read
        if hi - lo > 1:
            mid = (lo + hi) // 2
            order.append(mid)
            spans += [(lo, mid), (mid, hi)]
    return order


def representative(members: Sequence[Article], limits: BriefLimits) -> list[Article]:
    """The articles of a story its brief reads, in the story's order: all of them when they
    fit `limits`; else, each language in turn adding one more (every language the story has
    is read), within a language spread over its articles in publication order (the first
    and the latest reports, then between), as many as fit the article limit and the budget
    (the budget's own estimate of sentences and characters, so the brief never refuses)."""
    costs = {id(a): cost([a.text]) for a in members}

    def fits(chars: int, sentences: int, n: int) -> bool:
        return n <= limits.articles and chars <= limits.chars and sentences <= limits.sentences

    if fits(
        sum(c.chars for c in costs.values()), sum(c.sentences for c in costs.values()), len(members)
    ):
        return list(members)
    by_lang: dict[str, list[Article]] = {}
    for a in sorted(members, key=lambda a: (a.published, a.id)):
        by_lang.setdefault(a.language, []).append(a)
    queues = {lang: [group[i] for i in _spread(len(group))] for lang, group in by_lang.items()}
    chosen: set[int] = set()
    chars = sentences = 0
    while any(queues.values()):
        for lang in sorted(queues):
            if not queues[lang]:
                continue
            a = queues[lang].pop(0)
            c = costs[id(a)]
            if fits(chars + c.chars, sentences + c.sentences, len(chosen) + 1):
                chosen.add(id(a))
                chars, sentences = chars + c.chars, sentences + c.sentences
            elif len(chosen) >= limits.articles:
                queues = {}
                break
    return [a for a in members if id(a) in chosen]


def run(
    inputs: Sequence[str],
    out: Path,
    group: Group,
    brief: BriefMany,
    *,
    target: str = "en",
    progress: IO[str] | None = None,
    limits: BriefLimits = BriefLimits(),
) -> Report:
    """Read, cluster, brief every story not already built, write the index; see the module.
    A story bigger than one brief may take (`limits`) is briefed from a representative part
    of it (representative()); the index lists all its articles and, for such a story, the
    ones its brief read."""
    batch = Batch(out)
    report = Report()
    try:
        articles: list[Article] = []
        errors: list[dict[str, str]] = []
        seen: dict[str, str] = {}
        for a, where, error in read_feed(inputs, out):
            if a is None:
                errors.append({"item": where, "reason": error})
                report.failures[_reason(error)] += 1
                continue
            cid = content_id(a)
            aid = a.id or "a-" + cid
            if aid in seen:
                if seen[aid] != cid:
                    errors.append({"item": where, "reason": f"id {aid!r} repeats with other text"})
                    report.failures["repeated id"] += 1
                continue  # the same article twice: once
            seen[aid] = cid
            articles.append(a if a.id else _with_id(a, aid))
        report.articles = len(articles)
        by_id = {a.id: a for a in articles}
        if progress is not None:
            progress.write(
                f"read {len(articles)} articles ({len(errors)} items unusable); "
                "forming stories (embeddings and names of every article) ...\n"
            )
            progress.flush()
        grouping = time.monotonic()
        groups = group(articles) if articles else []
        report.stories = len(groups)
        built = batch.done()
        wanted: dict[str, list[Article]] = {}
        for g in groups:
            members = [by_id[i] for i in g]
            wanted[story_id(members)] = members
        started = time.monotonic()
        todo = [sid for sid in sorted(wanted) if sid not in built]
        report.reused = len(wanted) - len(todo)
        if progress is not None:
            seconds = time.monotonic() - grouping
            rate = len(articles) / max(seconds, 1e-6)
            progress.write(
                f"{len(groups)} stories in {seconds:.0f} s ({rate:.1f} articles/s); "
                f"{len(todo)} to brief, {report.reused} unchanged\n"
            )
            progress.flush()
        articles_done = 0
        briefed = {sid: representative(wanted[sid], limits) for sid in todo}
        results = brief([(sid, briefed[sid]) for sid in todo], target)
        for n, (sid, result) in enumerate(results, 1):
            members = wanted[sid]
            articles_done += len(members)
            if isinstance(result, DragomanError):
                for a in members:
                    errors.append({"item": a.id, "reason": f"story {sid}: {result}"})
                report.failures[getattr(result, "status", type(result).__name__)] += len(members)
                continue
            as_json, markdown, headline = result
            _atomic_write(out / "stories" / f"{sid}.json", as_json)
            _atomic_write(out / "stories" / f"{sid}.md", markdown)
            langs = sorted({a.language for a in members if a.language})
            read = sorted(a.id for a in briefed[sid]) if len(briefed[sid]) < len(members) else []
            batch.record(sid, sorted(a.id for a in members), langs, headline, read)
            report.built += 1
            if progress is not None:
                _progress(progress, n, len(todo), started, articles_done)
        # Stories whose articles now belong elsewhere (new articles joined them) are gone.
        for sid in set(built) - set(wanted):
            for ext in (".json", ".md"):
                (out / "stories" / f"{sid}{ext}").unlink(missing_ok=True)
            batch.forget(sid)
        index = batch.done()
        _atomic_write(
            out / "index.jsonl",
            "".join(
                json.dumps(
                    {"story": sid, "articles": ids, "languages": langs, "headline": head}
                    | ({"briefed": read} if read else {}),
                    ensure_ascii=False,
                )
                + "\n"
                for sid, (ids, langs, head, read) in sorted(index.items())
            ),
        )
        _atomic_write(
            out / "errors.jsonl",
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors),
        )
    finally:
        batch.close()
    if progress is not None:
        progress.write("\n")
    return report


def _with_id(a: Article, aid: str) -> Article:
    from dataclasses import replace

    return replace(a, id=aid)


def _reason(error: str) -> str:
    for key in ("not valid JSON", "empty", "no such file", "no file matches", "cannot be read"):
        if key in error:
            return key
    return "invalid article"


def _progress(stream: IO[str], n: int, total: int, started: float, articles: int) -> None:
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = articles / elapsed
    eta = (total - n) * elapsed / n
    stream.write(
        f"\rstories {n}/{total}  {articles} articles  {rate:.1f} articles/s  ETA {eta:.0f} s "
    )
    stream.flush()


def table(report: Report) -> str:
    """The closing table."""
    lines = [
        f"articles  {report.articles}",
        f"stories   {report.stories} ({report.built} built, {report.reused} unchanged)",
    ]
    if report.failures:
        lines.append(
            "failures  " + ", ".join(f"{k}: {v}" for k, v in report.failures.most_common())
        )
    else:
        lines.append("failures  none")
    return "\n".join(lines)


class RemoteError(DragomanError):
    """A story the server could not brief; `status` is the gRPC status name."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


def remote(
    client: Any, threshold: float, window_days: int, streams: int = 4
) -> tuple[Group, BriefMany]:
    """Stories and briefs from a server (or several: a dns:/// or ipv4: list target, spread by
    round_robin): ClusterStories, then the stories to build dealt over `streams` concurrent
    BriefStreams (round_robin puts each on the next server; one server runs a stream's briefs
    up to its max_concurrent_briefs at once)."""

    def group(articles: list[Article]) -> list[list[str]]:
        return [list(ids) for ids in client.cluster(articles, threshold, window_days)]

    def one(part: list[tuple[str, list[Article]]], target: str) -> Iterator[tuple[str, Briefed]]:
        for sid, outcome in client.brief_stream(part, target):
            if isinstance(outcome, tuple) and len(outcome) == 2:  # (status, message)
                yield sid, RemoteError(*outcome)
            else:
                yield sid, outcome

    def many(
        stories: list[tuple[str, list[Article]]], target: str
    ) -> Iterator[tuple[str, Briefed]]:
        parts = [p for p in (stories[i :: max(1, streams)] for i in range(max(1, streams))) if p]
        if len(parts) <= 1:
            yield from one(stories, target)
            return
        results: queue.Queue[tuple[str, Briefed] | BaseException | None] = queue.Queue()

        def drain(part: list[tuple[str, list[Article]]]) -> None:
            try:
                for item in one(part, target):
                    results.put(item)
            except BaseException as exc:  # the stream failed (server gone): the caller raises
                results.put(exc)
            finally:
                results.put(None)

        for part in parts:
            threading.Thread(target=drain, args=(part,), daemon=True).start()
        open_streams = len(parts)
        while open_streams:
            item = results.get()
            if item is None:
                open_streams -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item

    return group, many


def local_brief(engine: Any) -> Brief:
    """Brief with an in-process engine."""
    from dragoman.brief import types as bt
    from dragoman.brief.render import to_markdown
    from dragoman.client import local_brief_json

    def brief(members: Sequence[Article], target: str) -> tuple[str, str, str]:
        b = asyncio.run(engine.brief(bt.BriefJob(tuple(members), target)))
        return local_brief_json(b), to_markdown(b), b.headline

    return brief
