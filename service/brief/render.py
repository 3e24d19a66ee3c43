"""Render a brief as Markdown for people (the JSON form comes from the proto3 JSON mapping)."""

from __future__ import annotations

from service.brief import types as bt

_COVERAGE = {
    bt.Coverage.SINGLE_SOURCE: "one source only",
    bt.Coverage.ONE_LANGUAGE: "one side only",
    bt.Coverage.SOME_LANGUAGES: "shared by some sides",
    bt.Coverage.ALL_LANGUAGES: "shared by all sides",
    bt.Coverage.UNSPECIFIED: "",
}


def to_markdown(b: bt.Brief) -> str:
    """A readable brief: headline, summary, key points with their support, quotes, entities..."""
    outlets = {s.article_id: s.outlet or s.article_id for s in b.sources}
    lines = [f"# {b.headline or 'Brief'}", "", b.summary, ""]
    if not b.single_story:
        lines += ["> These articles do not appear to cover one story.", ""]
    if b.key_points:
        lines.append("## Key points")
        for k in b.key_points:
            mark = " _(untranslated)_" if k.rendering == "untranslated" else ""
            who = ", ".join(
                sorted(
                    {f"{outlets.get(s.article_id, s.article_id)} ({s.language})" for s in k.support}
                )
            )
            lines.append(f"- {k.text}{mark}  \n  _{_COVERAGE[k.coverage]}: {who}_")
        lines.append("")
    if b.quotes:
        lines.append("## Quotes")
        for q in b.quotes:
            speaker = q.speaker or "unattributed"
            extra = f" — _{q.translation}_" if q.translation else ""
            lines.append(
                f"- **{speaker}** ({q.language}, {outlets.get(q.article_id, q.article_id)}"
                f"): “{q.text}”{extra}"
            )
        lines.append("")
    if b.figure_conflicts:
        lines.append("## Conflicting figures")
        for c in b.figure_conflicts:
            vals = "; ".join(
                f"{f.text} ({outlets.get(f.article_id, f.article_id)})" for f in c.figures
            )
            lines.append(f"- {c.counted}: {vals}")
        lines.append("")
    if b.entities:
        lines.append("## Entities")
        for e in b.entities:
            forms = "; ".join(f"{f.language}: {', '.join(f.forms)}" for f in e.surface_forms)
            lines.append(f"- **{e.name}** ({e.type.name.lower()}, {e.mention_count}×) — {forms}")
        lines.append("")
    if b.dates:
        lines.append("## Dates")
        for d in b.dates:
            when = d.iso_date or "relative"
            lines.append(f"- {d.text} ({when}; {outlets.get(d.article_id, d.article_id)})")
        lines.append("")
    lines.append("## Sources")
    for s in b.sources:
        dup = f" (same text as {', '.join(s.duplicate_ids)})" if s.duplicate_ids else ""
        lines.append(f"- {s.outlet or s.article_id} [{s.language}] {s.title} {s.url}{dup}".rstrip())
    lines.append("")
    if b.notes:
        lines.append("## Notes")
        lines += [f"- {n}" for n in b.notes]
        lines.append("")
    models = ", ".join(f"{m.name}@{m.revision}" if m.revision else m.name for m in b.models)
    lines.append(f"_{b.pipeline_version}; models: {models}; brief {b.id}_")
    return "\n".join(lines) + "\n"
