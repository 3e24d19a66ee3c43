"""Render a brief as Markdown for people, labelled in the brief's language (the JSON form comes
from the proto3 JSON mapping)."""

from __future__ import annotations

from dragoman.brief import types as bt

# Labels per brief language; en is the fallback.
_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "brief": "Brief",
        "key_points": "Key points",
        "quotes": "Quotes",
        "conflicts": "Conflicting figures",
        "entities": "Entities",
        "dates": "Dates",
        "sources": "Sources",
        "notes": "Notes",
        "untranslated": "untranslated",
        "unattributed": "unattributed",
        "relative": "relative",
        "same_text": "same text as",
        "not_one_story": "These articles do not appear to cover one story.",
        "single": "one source only",
        "one_side": "one side only",
        "some": "shared by some sides",
        "all": "shared by all sides",
        "models": "models",
        "reported": "reported speech",
        "timeline": "Timeline",
        "first_reported": "first reported",
    },
    "ru": {
        "brief": "Сводка",
        "key_points": "Главное",
        "quotes": "Цитаты",
        "conflicts": "Расхождения в цифрах",
        "entities": "Упоминаются",
        "dates": "Даты",
        "sources": "Источники",
        "notes": "Примечания",
        "untranslated": "без перевода",
        "unattributed": "без указания автора",
        "relative": "относительная дата",
        "same_text": "тот же текст, что",
        "not_one_story": "Эти статьи, по-видимому, посвящены разным событиям.",
        "single": "только один источник",
        "one_side": "только одна сторона",
        "some": "сообщают несколько сторон",
        "all": "сообщают все стороны",
        "models": "модели",
        "reported": "в пересказе",
        "timeline": "Хронология",
        "first_reported": "впервые сообщено",
    },
    "ar": {
        "brief": "موجز",
        "key_points": "أبرز النقاط",
        "quotes": "اقتباسات",
        "conflicts": "أرقام متضاربة",
        "entities": "الجهات والأسماء",
        "dates": "التواريخ",
        "sources": "المصادر",
        "notes": "ملاحظات",
        "untranslated": "دون ترجمة",
        "unattributed": "غير منسوب",
        "relative": "تاريخ نسبي",
        "same_text": "النص نفسه في",
        "not_one_story": "يبدو أن هذه المقالات لا تتناول قصة واحدة.",
        "single": "مصدر واحد فقط",
        "one_side": "طرف واحد فقط",
        "some": "تذكره عدة أطراف",
        "all": "تذكره جميع الأطراف",
        "models": "النماذج",
        "reported": "كلام منقول",
        "timeline": "التسلسل الزمني",
        "first_reported": "أول ذكر",
    },
}
_COVERAGE_KEY = {
    bt.Coverage.SINGLE_SOURCE: "single",
    bt.Coverage.ONE_LANGUAGE: "one_side",
    bt.Coverage.SOME_LANGUAGES: "some",
    bt.Coverage.ALL_LANGUAGES: "all",
}


def to_markdown(b: bt.Brief) -> str:
    """A readable brief: headline, summary, key points with their support, quotes, entities..."""
    t = _LABELS.get(b.language, _LABELS["en"])
    outlets = {s.article_id: s.outlet or s.article_id for s in b.sources}

    def outlet(article_id: str) -> str:
        return outlets.get(article_id, article_id)

    lines = [f"# {b.headline or t['brief']}", "", b.summary, ""]
    if not b.single_story:
        lines += [f"> {t['not_one_story']}", ""]
    if b.key_points:
        lines.append(f"## {t['key_points']}")
        for k in b.key_points:
            mark = f" _({t['untranslated']})_" if k.rendering == "untranslated" else ""
            who = ", ".join(sorted({f"{outlet(s.article_id)} ({s.language})" for s in k.support}))
            coverage = t[_COVERAGE_KEY[k.coverage]] if k.coverage in _COVERAGE_KEY else ""
            first = f"; {t['first_reported']} {k.first_reported[:10]}" if k.first_reported else ""
            lines.append(f"- {k.text}{mark}  \n  _{coverage}: {who}{first}_")
            if k.figure_note:
                lines.append(f"  _{k.figure_note}_")
        lines.append("")
    if b.quotes:
        lines.append(f"## {t['quotes']}")
        for q in b.quotes:
            speaker = q.speaker or t["unattributed"]
            where = f"({q.language}, {outlet(q.article_id)})"
            if q.kind == bt.QuoteKind.REPORTED:
                # Reported speech is a paraphrase: never shown in quotation marks.
                extra = f" — {q.translation}" if q.translation else ""
                lines.append(f"- **{speaker}** {where}, {t['reported']}: {q.text}{extra}")
            else:
                extra = f" — “{q.translation}”" if q.translation else ""
                lines.append(f"- **{speaker}** {where}: “{q.text}”{extra}")
        lines.append("")
    if b.timeline:
        lines.append(f"## {t['timeline']}")
        for ev in b.timeline:
            lines.append(f"- {ev.date}: {ev.text} _({ev.date_text}; {outlet(ev.article_id)})_")
        lines.append("")
    if b.figure_conflicts:
        lines.append(f"## {t['conflicts']}")
        for c in b.figure_conflicts:
            values = "; ".join(f"{f.text} ({outlet(f.article_id)})" for f in c.figures)
            lines.append(f"- {c.counted}: {values}")
        lines.append("")
    if b.entities:
        lines.append(f"## {t['entities']}")
        for e in b.entities:
            forms = "; ".join(f"{f.language}: {', '.join(f.forms)}" for f in e.surface_forms)
            lines.append(f"- **{e.name}** ({e.type.name.lower()}, {e.mention_count}×) — {forms}")
        lines.append("")
    if b.dates:
        lines.append(f"## {t['dates']}")
        for d in b.dates:
            when = d.iso_date or t["relative"]
            how = f", {d.resolution}" if d.resolution and d.resolution != "as written" else ""
            lines.append(f"- {d.text} ({when}{how}; {outlet(d.article_id)})")
        lines.append("")
    lines.append(f"## {t['sources']}")
    for s in b.sources:
        dup = f" ({t['same_text']} {', '.join(s.duplicate_ids)})" if s.duplicate_ids else ""
        lines.append(f"- {s.outlet or s.article_id} [{s.language}] {s.title} {s.url}{dup}".rstrip())
    lines.append("")
    if b.notes:
        lines.append(f"## {t['notes']}")
        lines += [f"- {n}" for n in b.notes]
        lines.append("")
    models = ", ".join(f"{m.name}@{m.revision}" if m.revision else m.name for m in b.models)
    lines.append(f"_{b.pipeline_version}; {t['models']}: {models}; {b.id}_")
    return "\n".join(lines) + "\n"
