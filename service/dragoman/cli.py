"""The `dragoman` command: serve | translate | detect | summarize | brief | batch | models."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dragoman import config
from dragoman.errors import DragomanError

if TYPE_CHECKING:
    from dragoman.batch.runner import BriefLimits


def _engine(settings: config.Settings):  # type: ignore[no-untyped-def]
    from dragoman.engine import Engine

    return Engine.on_demand(settings)


def _cmd_serve(args: argparse.Namespace) -> int:
    from dragoman import logs
    from dragoman.api.security import SecurityConfigError
    from dragoman.api.tracing import OtelNotInstalled
    from dragoman.server import serve

    settings = config.from_namespace(args)
    logs.setup(settings.log_level, settings.log_json)
    try:
        asyncio.run(serve(settings))
    except (SecurityConfigError, OtelNotInstalled) as exc:
        print(f"dragoman serve: {exc}", file=sys.stderr)
        return 2
    return 0


def _client(args: argparse.Namespace) -> Any:
    """A client of --server with the caller's --api-key and TLS options."""
    from dragoman.client import Client

    ca = Path(args.tls_ca).read_bytes() if args.tls_ca else None
    return Client(args.server, api_key=args.api_key, tls_ca=ca, tls=args.tls)


def _server_options(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--server", default="", help=help_text)
    p.add_argument(
        "--api-key",
        default=os.environ.get("DRAGOMAN_API_KEY", ""),
        help="API key for --server (env DRAGOMAN_API_KEY; prefer the env var)",
    )
    p.add_argument("--tls", action="store_true", help="connect to --server over TLS")
    p.add_argument(
        "--tls-ca",
        default=os.environ.get("DRAGOMAN_TLS_CA", ""),
        help="PEM CA bundle to trust for --server (implies --tls; env DRAGOMAN_TLS_CA)",
    )


def _read_texts(args: argparse.Namespace) -> list[str]:
    if args.text:
        return list(args.text)
    return [sys.stdin.read()]


def _cmd_translate(args: argparse.Namespace) -> int:
    texts = _read_texts(args)
    if args.server:
        outs = _client(args).translate(texts, args.source, args.target)
    else:
        from dragoman.domain import TranslateJob

        engine = _engine(config.from_namespace(args))
        results = asyncio.run(
            engine.translate(TranslateJob(tuple(texts), args.source, args.target))
        )
        outs = [r.text for r in results]
    print("\n\n".join(outs))
    return 0


def _cmd_detect(args: argparse.Namespace) -> int:
    from dragoman.languages import LanguageDetector

    detector = LanguageDetector()
    for text in _read_texts(args):
        d = detector.detect(text)
        print(f"{d.language}\t{d.confidence:.3f}\t{'supported' if d.supported else 'unsupported'}")
    return 0


def _cmd_summarize(args: argparse.Namespace) -> int:
    text = " ".join(args.text) if args.text else sys.stdin.read()
    if args.server:
        print(_client(args).summarize(text, args.source, args.target, args.sentences))
        return 0
    from dragoman.domain import SummarizeJob, SummaryMethod

    engine = _engine(config.from_namespace(args))
    result = asyncio.run(
        engine.summarize(
            SummarizeJob(
                text,
                args.source,
                args.target,
                max_sentences=args.sentences,
                method=SummaryMethod(args.method),
            )
        )
    )
    print(result.summary)
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    from dragoman.articles import read_articles

    articles = read_articles(Path(p) for p in args.files)
    as_json = args.format == "json"
    story = None
    if args.gazetteer:
        from dragoman.brief.entities import parse_gazetteer
        from dragoman.errors import InvalidInput

        path = Path(args.gazetteer)
        if not path.is_file():
            raise InvalidInput(f"--gazetteer {path}: no such file")
        story = parse_gazetteer(path.read_text(encoding="utf-8"), str(path))
    if args.server:
        client = _client(args)
        client.wait_ready(args.wait)
        print(client.brief(articles, args.target, as_json, story))
        return 0
    from dragoman.brief import types as bt
    from dragoman.brief.render import to_markdown

    engine = _engine(config.from_namespace(args))
    brief = asyncio.run(engine.brief(bt.BriefJob(tuple(articles), args.target, gazetteer=story)))
    if as_json:
        from dragoman.client import local_brief_json

        print(local_brief_json(brief))
    else:
        print(to_markdown(brief), end="")
    return 0


def _brief_limits(settings: config.Settings) -> BriefLimits:
    from dragoman.batch.runner import BriefLimits

    return BriefLimits(
        settings.max_articles, settings.brief_max_chars, settings.brief_max_sentences
    )


def _cmd_batch(args: argparse.Namespace) -> int:
    from dragoman.batch.runner import BatchError, local_brief, local_group, remote, run, sequential
    from dragoman.batch.runner import table as closing_table

    if args.ray and args.server:
        print(
            "dragoman batch: --ray and --server exclude each other: the models run on a Ray "
            "cluster or on a dragoman server, not both",
            file=sys.stderr,
        )
        return 2
    session = contextlib.ExitStack()
    if args.ray:
        from dragoman.batch.ray_runner import on_ray

        group, brief = session.enter_context(
            on_ray(args.ray, config.from_namespace(args), args.threshold, args.window_days)
        )
    elif args.server:
        client = _client(args)
        client.wait_ready(args.wait)
        group, brief = remote(client, args.threshold, args.window_days)
    else:
        from dragoman.batch.features import features

        engine = _engine(config.from_namespace(args))
        finder = engine.brief_builder.entities

        def feats(articles: list[Any]) -> list[Any]:
            return features(articles, engine.embedder, engine.detector, finder)

        group = local_group(feats, args.threshold, args.window_days)
        brief = sequential(local_brief(engine))
    try:
        with session:
            report = run(
                args.inputs,
                Path(args.out),
                group,
                brief,
                target=args.target,
                progress=sys.stderr,
                limits=_brief_limits(config.from_namespace(args)),
            )
    except BatchError as exc:
        print(f"dragoman batch: {exc}", file=sys.stderr)
        return 2
    print(closing_table(report), file=sys.stderr)
    return 1 if report.failures and not report.stories else 0


def _cmd_models(args: argparse.Namespace) -> int:
    from dragoman.registry import Registry

    settings = config.from_namespace(args)
    registry = Registry(settings)
    if args.models_cmd == "pull":
        from dragoman.pull import pull

        entry = registry.entry(args.name)
        path = pull(entry, settings.models_dir, settings.manifest_path)
        print(f"installed {entry.name} at {path}; revision pinned in {settings.manifest_path}")
        return 0
    from dragoman.engine import embedded_models

    rows = [*registry.status(), *embedded_models()]
    width = max(len(m.name) for m in rows)
    for m in rows:
        pair = (
            f"{m.source_language}->{m.target_language}"
            if m.target_language
            else (m.source_language)
        )
        state = "installed" if m.installed else "MISSING"
        print(f"{m.name:<{width}}  {m.task:<9}  {pair:<7} {m.format:<12} {state:<9} {m.local_path}")
        if not m.installed:
            print(f"{'':<{width}}  -> {m.install_hint}")
    pairs = registry.translation_pairs()
    print(f"\ntranslation pairs available: {', '.join(pairs) if pairs else 'none'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dragoman",
        description="Translation, summarisation and cross-lingual briefs for ru/ar/en news.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    sub = parser.add_subparsers(dest="cmd", required=True)

    def with_settings(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        config.add_arguments(p)
        return p

    p = with_settings(sub.add_parser("serve", help="run the gRPC server"))
    p.set_defaults(func=_cmd_serve)

    p = with_settings(sub.add_parser("translate", help="translate texts (args or stdin)"))
    p.add_argument("text", nargs="*")
    p.add_argument("--source", default="", help="source language; '' detects")
    p.add_argument("--target", default="en", help="target language")
    _server_options(p, "call this server (host:port) instead of loading models here")
    p.set_defaults(func=_cmd_translate)

    p = sub.add_parser("detect", help="detect the language of texts (args or stdin)")
    p.add_argument("text", nargs="*")
    p.set_defaults(func=_cmd_detect)

    p = with_settings(sub.add_parser("summarize", help="summarise a text (args or stdin)"))
    p.add_argument("text", nargs="*")
    p.add_argument("--source", default="")
    p.add_argument("--target", default="")
    p.add_argument("--sentences", type=int, default=3)
    p.add_argument("--method", default="auto", choices=["auto", "extractive", "abstractive"])
    _server_options(p, "call this server (host:port) instead of loading models here")
    p.set_defaults(func=_cmd_summarize)

    p = with_settings(
        sub.add_parser(
            "brief", help="brief a story from article files (.txt, .json, .jsonl) or folders"
        )
    )
    p.add_argument("files", nargs="+")
    p.add_argument("--target", default="en", help="language of the brief")
    p.add_argument("--format", default="markdown", choices=["markdown", "json"])
    p.add_argument(
        "--gazetteer",
        default="",
        help="a story gazetteer (TOML, like examples/ceasefire/gazetteer.toml) added to the "
        "built-in entities",
    )
    _server_options(p, "use this server (host:port)")
    p.add_argument(
        "--wait", type=float, default=120.0, help="seconds to wait for the server to be SERVING"
    )
    p.set_defaults(func=_cmd_brief)

    p = with_settings(
        sub.add_parser(
            "batch",
            help="a mixed feed (folders, globs, .txt/.json/.jsonl, - for stdin) -> one brief per "
            "story in --out; resumable",
        )
    )
    p.add_argument("inputs", nargs="+")
    p.add_argument("--out", required=True, help="output folder (its state lives there too)")
    p.add_argument("--target", default="en", help="language of the briefs")
    from dragoman.batch.cluster import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS

    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help="story similarity an article needs to join a story (higher: more, smaller stories)",
    )
    p.add_argument(
        "--window-days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help="articles further apart never share a story",
    )
    _server_options(
        p,
        "cluster and brief on this server (host:port; several: dns:///name:port or "
        "ipv4:h1:p,h2:p, spread by round_robin) instead of loading models here",
    )
    p.add_argument(
        "--wait", type=float, default=120.0, help="seconds to wait for the server to be SERVING"
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default="",
        metavar="ADDRESS",
        help="features and briefs on Ray Data actor pools (the ray extra): alone, a Ray instance "
        "on this machine; with an address (ray://head:10001, auto), that cluster",
    )
    p.set_defaults(func=_cmd_batch)

    p = sub.add_parser("models", help="list or pull models")
    msub = p.add_subparsers(dest="models_cmd", required=True)
    with_settings(msub.add_parser("list", help="installed and missing models"))
    pull = with_settings(
        msub.add_parser(
            "pull", help="download a model from the hub (and convert it to CTranslate2 int8)"
        )
    )
    pull.add_argument("name")
    p.set_defaults(func=_cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except DragomanError as exc:
        print(f"dragoman: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        # The interpreter's last garbage collection walks every object the models made
        # (spaCy's alone: 0.5 s) just before the process ends; frozen objects are skipped and
        # the memory goes back with the process.
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
