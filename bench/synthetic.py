"""Synthetic news text in ru/en/ar for size and cost benchmarks: varied sentences with names,
places, numbers, dates and quotes, built from templates written for dragoman (no third-party
text). Deterministic for a seed.

    from bench.synthetic import article, articles
    text = article("en", 48_000, seed=1)
"""

from __future__ import annotations

import random

from dragoman.domain import Article

# Given names and surnames, the same people in three scripts: 16 x 20 = 320 people per language.
FIRST = {
    "en": "John Dmitry Sergei Anna Omar Lena Karim Paul Olga Yusuf Helen Viktor Samir Maria "
    "Igor Leila",
    "ru": "Джон Дмитрий Сергей Анна Омар Лена Карим Пол Ольга Юсуф Хелен Виктор Самир Мария "
    "Игорь Лейла",
    "ar": "جون ديمتري سيرغي آنا عمر لينا كريم بول أولغا يوسف هيلين فيكتور سمير ماريا إيغور ليلى",
}
LAST = {
    "en": "Kerry Peskov Lavrov Petrova Haddad Berg Nasser Graham Smirnova Darwish Ward Orlov "
    "Khalil Zakharova Toner Carter Mistura Volkov Saleh Mansour",
    "ru": "Керри Песков Лавров Петрова Хаддад Берг Насер Грэм Смирнова Дарвиш Уорд Орлов "
    "Халиль Захарова Тонер Картер Мистура Волков Салех Мансур",
    "ar": "كيري بيسكوف لافروف بتروفا حداد برغ ناصر غراهام سميرنوفا درويش وارد أورلوف خليل "
    "زاخاروفا تونر كارتر ميستورا فولكوف صالح منصور",
}
PEOPLE = {
    lang: [f"{f} {s}" for f in FIRST[lang].split() for s in LAST[lang].split()] for lang in FIRST
}
PLACES = {
    "en": [
        "Aleppo",
        "Damascus",
        "Homs",
        "Idlib",
        "Deir ez-Zor",
        "Hama",
        "Latakia",
        "Raqqa",
        "Moscow",
        "Washington",
        "Geneva",
        "Beirut",
        "Ankara",
        "Amman",
    ],
    "ru": [
        "Алеппо",
        "Дамаске",
        "Хомсе",
        "Идлибе",
        "Дейр-эз-Зоре",
        "Хаме",
        "Латакии",
        "Ракке",
        "Москве",
        "Вашингтоне",
        "Женеве",
        "Бейруте",
        "Анкаре",
        "Аммане",
    ],
    "ar": [
        "حلب",
        "دمشق",
        "حمص",
        "إدلب",
        "دير الزور",
        "حماة",
        "اللاذقية",
        "الرقة",
        "موسكو",
        "واشنطن",
        "جنيف",
        "بيروت",
        "أنقرة",
        "عمان",
    ],
}
ORGS = {
    "en": [
        "the United Nations",
        "the Red Crescent",
        "the Pentagon",
        "the Kremlin",
        "the Defence Ministry",
        "the State Department",
        "the coalition",
        "the army",
    ],
    "ru": [
        "ООН",
        "Красный Полумесяц",
        "Пентагон",
        "Кремль",
        "Минобороны России",
        "Госдеп",
        "коалиция",
        "армия",
    ],
    "ar": [
        "الأمم المتحدة",
        "الهلال الأحمر",
        "البنتاغون",
        "الكرملين",
        "وزارة الدفاع",
        "الخارجية الأمريكية",
        "التحالف",
        "الجيش",
    ],
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "ar": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
}
TEMPLATES = {
    "en": [
        "{person} said on {day} {month} that at least {n} people were killed in {place}.",
        "{org} said {n} civilians were wounded and about {n2} were missing after the strike "
        "near {place}.",
        '"We are going to look hard at what happened in {place}," {person} told reporters.',
        "According to {org}, {n} trucks of an aid convoy were destroyed on the road to {place}.",
        "{person} accused {org} of breaking the truce more than {n} times since {day} {month}.",
        "The talks in {place} between {person} and {person2} ended without agreement.",
        "More than {n} families fled {place} this week, {org} said in a statement.",
        "{person} warned that the ceasefire around {place} would not hold beyond {day} {month}.",
        "Officials in {place} said {n} tonnes of food and {n2} tonnes of medicine had arrived.",
        "In a call with {person2}, {person} asked {org} to open a corridor to {place}.",
        "The strike on {place} killed {n} soldiers and wounded {n2}, {person} said.",
        "Residents of {place} described heavy shelling through the night of {day} {month}.",
        "{org} put the cost of rebuilding {place} at {n} million dollars.",
        "{person} said the report on {place} would be published within {n2} days.",
    ],
    "ru": [
        "{person} заявил {day} {month}, что в {place} погибли не менее {n} человек.",
        "По данным {org}, {n} мирных жителей получили ранения, около {n2} пропали без вести.",
        "«Мы внимательно изучим, что произошло в {place}», — сказал {person} журналистам.",
        "{person} обвинил {org} в нарушении перемирия более {n} раз с {day} {month}.",
        "Переговоры {person} и {person2} в {place} завершились без соглашения.",
        "Более {n} семей покинули город на этой неделе, сообщила {org}.",
        "{person} предупредил, что режим тишины в {place} не продержится после {day} {month}.",
        "В {place} доставлено {n} тонн продовольствия и {n2} тонн медикаментов.",
        "В телефонном разговоре с {person2} {person} призвал открыть коридор в {place}.",
        "Удар по {place} унёс жизни {n} военнослужащих, ещё {n2} ранены, сообщил {person}.",
        "Жители рассказали о сильном обстреле в ночь на {day} {month} в {place}.",
        "Стоимость восстановления оценивается в {n} миллионов долларов, заявила {org}.",
        "{person} сообщил, что доклад будет опубликован в течение {n2} дней.",
    ],
    "ar": [
        "قال {person} يوم {day} {month} إن {n} شخصا على الأقل قتلوا في {place}.",
        "أعلنت {org} أن {n} مدنيا أصيبوا وأن نحو {n2} ما زالوا مفقودين قرب {place}.",
        "وقال {person} للصحفيين: «سننظر بجدية فيما حدث في {place}».",
        "وبحسب {org} فإن {n} شاحنة من قافلة المساعدات دمرت على طريق {place}.",
        "واتهم {person} {org} بخرق الهدنة أكثر من {n} مرة منذ {day} {month}.",
        "انتهت المحادثات بين {person} و{person2} في {place} دون اتفاق.",
        "فرت أكثر من {n} عائلة من {place} هذا الأسبوع بحسب {org}.",
        "وحذر {person} من أن وقف إطلاق النار حول {place} لن يصمد بعد {day} {month}.",
        "ووصلت إلى {place} {n} طنا من الغذاء و{n2} طنا من الأدوية.",
        "وأسفرت الغارة على {place} عن مقتل {n} جنديا وإصابة {n2} آخرين، وفق {person}.",
        "ووصف سكان {place} قصفا عنيفا طوال ليلة {day} {month}.",
        "وقدرت {org} كلفة إعادة إعمار {place} بنحو {n} مليون دولار.",
    ],
}


def sentence(language: str, rng: random.Random) -> str:
    people = PEOPLE[language]
    return rng.choice(TEMPLATES[language]).format(
        person=rng.choice(people),
        person2=rng.choice(people),
        place=rng.choice(PLACES[language]),
        org=rng.choice(ORGS[language]),
        n=rng.randint(2, 990),
        n2=rng.randint(2, 90),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS[language]),
    )


def article(language: str, chars: int, seed: int = 0) -> str:
    """About `chars` characters (never more) of paragraphs of 3-5 sentences."""
    rng = random.Random(f"{language}-{seed}")
    paragraphs: list[str] = []
    size = 0
    while True:
        para = " ".join(sentence(language, rng) for _ in range(rng.randint(3, 5)))
        if size + len(para) + 2 > chars:
            break
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs) or sentence(language, rng)[:chars]


def articles(count: int, chars: int, seed: int = 0) -> list[Article]:
    """`count` distinct articles of about `chars` characters, languages in turn (ru, en, ar)."""
    out = []
    for i in range(count):
        lang = ("ru", "en", "ar")[i % 3]
        out.append(
            Article(
                id=f"syn-{lang}-{seed}-{i}",
                text=article(lang, chars, seed * 100_003 + i),
                language=lang,
                outlet=f"Outlet {i % 17}",
                title="",
                published="2016-09-20T10:00:00Z",
            )
        )
    return out
