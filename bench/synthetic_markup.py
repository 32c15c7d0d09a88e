"""HTML of the synthetic site's pages, in the markup OJP's Drupal theme uses.

Labelled facts render as Drupal field blocks (``div.field--name-field-X`` with ``field__label``
and ``field__item``); every page carries the USWDS gov banner, a header with a topic menu and a
footer, as the real pages do, so that page weight and boilerplate are realistic.

Facts that identify a resource (NCJ number, dates, authors, ids) come from a ``facts`` random
generator seeded by the page alone; prose comes from a ``prose`` generator seeded by the page and
its revision, so that a changed page keeps its identity and changes its text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape

from bench.synthetic_text import TextSource

#: Words per page body: (median, spread) of a log-normal, by kind.
BODY_WORDS = {
    "publication": (320, 0.5),
    "abstract": (230, 0.5),
    "article": (1200, 0.4),
    "funding": (650, 0.4),
    "event": (300, 0.4),
    "news": (520, 0.4),
    "topic": (80, 0.5),
}

BANNER = """<section class="usa-banner" aria-label="Official website of the United States \
government"><div class="usa-accordion"><header class="usa-banner__header"><div class="usa-banner\
__inner"><div class="grid-col-auto"><img aria-hidden="true" class="usa-banner__header-flag" \
src="/themes/custom/ojp/assets/images/us_flag_small.png" alt=""></div><div class="grid-col-fill \
tablet:grid-col-auto" aria-hidden="true"><p class="usa-banner__header-text">An official website \
of the United States government, Department of Justice.</p><p class="usa-banner__header-action">\
Here's how you know</p></div><button type="button" class="usa-accordion__button \
usa-banner__button" aria-expanded="false" aria-controls="gov-banner-default"><span class=\
"usa-banner__button-text">Here's how you know</span></button></div></header><div class=\
"usa-banner__content usa-accordion__content" id="gov-banner-default" hidden><div class="grid-row \
grid-gap-lg"><div class="usa-banner__guidance tablet:grid-col-6"><img class="usa-banner__icon \
usa-media-block__img" src="/themes/custom/ojp/assets/images/icon-dot-gov.svg" role="img" alt="" \
aria-hidden="true"><div class="usa-media-block__body"><p><strong>Official websites use .gov\
</strong><br>A <strong>.gov</strong> website belongs to an official government organization in \
the United States.</p></div></div><div class="usa-banner__guidance tablet:grid-col-6"><img \
class="usa-banner__icon usa-media-block__img" src="/themes/custom/ojp/assets/images/\
icon-https.svg" role="img" alt="" aria-hidden="true"><div class="usa-media-block__body"><p>\
<strong>Secure .gov websites use HTTPS</strong><br>A <strong>lock</strong> or <strong>https://\
</strong> means you've safely connected to the .gov website. Share sensitive information only on \
official, secure websites.</p></div></div></div></div></div></section>"""

FOOTER_TEXT = (
    "Office of Justice Programs, 999 N. Capitol St. NE, Washington, DC 20531. "
    "Subscribe to receive news and updates from the Office of Justice Programs."
)


@dataclass(frozen=True, slots=True)
class PageSpec:
    """The identity of one page: what never changes between versions."""

    number: int
    kind: str
    prefix: str  # bureau path prefix ("" for ojp.gov)
    agency: str
    path: str
    title: str
    published: date
    base_lastmod: datetime


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def w3c_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def month_year(day: date) -> str:
    return f"{day:%B} {day.year}"


def field(name: str, label: str, value: str, *, inline: bool = False) -> str:
    """A Drupal field block; ``value`` is HTML."""
    display = "inline" if inline else "above"
    return (
        f'<div class="field field--name-field-{name} field--type-string '
        f'field--label-{display}"><div class="field__label">{escape(label)}</div>'
        f'<div class="field__item">{value}</div></div>'
    )


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def link_list(pages: list[PageSpec]) -> str:
    items = "".join(
        f'<li><a href="{p.path}" hreflang="en">{escape(p.title)}</a></li>' for p in pages
    )
    return f'<ul class="usa-list">{items}</ul>'


def body_html(kind: str, prose: random.Random, text: TextSource) -> str:
    return paragraphs_html(text.paragraphs(prose, body_words(kind, prose)))


def body_words(kind: str, rng: random.Random) -> int:
    median, spread = BODY_WORDS[kind]
    return max(30, int(rng.lognormvariate(0, spread) * median))


def render_document(
    title: str, canonical: str, kind: str, header: str, main: str, footer: str
) -> str:
    """A whole page: head, banner and header, the main content, the footer."""
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f"<title>{escape(title)} | Office of Justice Programs</title>"
        f'<link rel="canonical" href="{escape(canonical)}">'
        '<link rel="stylesheet" media="all" href="/themes/custom/ojp/assets/css/styles.css">'
        f'</head><body class="path-node page-node-type-{kind}">'
        '<a href="#main-content" class="usa-skipnav">Skip to main content</a>'
        f'{header}<main id="main-content" class="main-content" role="main">'
        f'<div class="region region-content">{main}</div></main>{footer}'
        '<script src="/themes/custom/ojp/assets/js/ojp.js"></script></body></html>\n'
    )


def render_header(menu: list[tuple[str, str]]) -> str:
    """Banner, logo and a mega menu of topic listings (six sections of up to ten links)."""
    sections = ("Topics", "Funding", "Library", "Events", "News", "About")
    parts = []
    for k, name in enumerate(sections):
        links = "".join(
            f'<li class="usa-nav__submenu-item"><a href="{path}">{escape(title)}</a></li>'
            for path, title in menu[k * 10 : (k + 1) * 10]
        )
        parts.append(
            f'<li class="usa-nav__primary-item"><button class="usa-accordion__button '
            f'usa-nav__link" aria-expanded="false" aria-controls="menu-{k}"><span>{name}</span>'
            f'</button><ul id="menu-{k}" class="usa-nav__submenu" hidden>{links}</ul></li>'
        )
    return (
        f'{BANNER}<header class="usa-header usa-header--extended" role="banner">'
        '<div class="usa-navbar"><div class="usa-logo"><a href="/" title="Home">'
        '<img src="/themes/custom/ojp/assets/images/ojp-logo.svg" alt="Office of Justice '
        'Programs"></a></div><button class="usa-menu-btn">Menu</button></div>'
        '<nav aria-label="Primary navigation" class="usa-nav"><ul class="usa-nav__primary '
        f'usa-accordion">{"".join(parts)}</ul><form class="usa-search usa-search--small" '
        'action="/search/site" method="get" role="search"><label class="usa-sr-only" '
        'for="search-field">Search</label><input class="usa-input" id="search-field" '
        'type="search" name="keys"><button class="usa-button" type="submit">Search</button>'
        "</form></nav></header>"
    )


def render_footer(links: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li class="usa-footer__secondary-link"><a href="{path}">{escape(title)}</a></li>'
        for path, title in links
    )
    return (
        '<footer class="usa-footer usa-footer--big" role="contentinfo"><div class="grid-'
        'container usa-footer__return-to-top"><a href="#main-content">Return to top</a></div>'
        f'<div class="usa-footer__primary-section"><nav class="usa-footer__nav" aria-label='
        f'"Footer navigation"><ul class="grid-row grid-gap">{items}</ul></nav></div>'
        f'<div class="usa-footer__secondary-section"><address>{escape(FOOTER_TEXT)}</address>'
        '<p class="usa-footer__logo-heading">Office of Justice Programs</p>'
        '<a href="/search/site?keys=accessibility">Accessibility</a> '
        '<a href="/search/site?keys=privacy">Privacy Policy</a></div></footer>'
    )


def render_main(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
    updated: date | None,
) -> str:
    """The main content of one page, by kind."""
    renderer = KIND_RENDERERS[spec.kind]
    inner = renderer(spec, facts, prose, text, related)
    if updated is not None:
        inner += f'<div class="field--name-field-updated">Date Modified: {long_date(updated)}</div>'
    return (
        f'<article class="node node--type-{spec.kind} node--view-mode-full">'
        f'<h1 class="page-title"><span class="field field--name-title">{escape(spec.title)}'
        f"</span></h1>{inner}</article>"
    )


def render_publication(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    agencies = [spec.agency if spec.agency != "NCJRS" else "NIJ"]
    if facts.random() < 0.2:
        agencies.append(facts.choice(("BJA", "OVC", "OJJDP", "BJS")))
    blocks = [
        field("ncj-number", "NCJ Number", str(100_000 + spec.number)),
        field("date-published", "Date Published", month_year(spec.published)),
        field("length", "Length", f"{facts.randint(2, 180)} pages"),
        field("publication-series", "Publication Series", escape(facts.choice(text.series))),
        field("agencies", "Agencies", escape(", ".join(dict.fromkeys(agencies)))),
        field("annotation", "Annotation", escape(prose.choice(text.sentences))),
        field(
            "abstract",
            "Abstract",
            body_html("publication", prose, text),
        ),
        f'<div class="field--name-field-date-published-full">Date Published: '
        f"{long_date(spec.published)}</div>",
        field("similar-publications", "Similar Publications", link_list(related)),
    ]
    return "".join(blocks)


def render_abstract(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    authors = "; ".join(text.person(facts) for _ in range(facts.randint(1, 4))) + " ."
    blocks = [
        '<div class="ncjrs-header"><h2>NCJRS Virtual Library</h2><p>The Virtual Library houses '
        "over 235,000 criminal justice resources, including all known OJP works.</p>"
        '<a href="/search/ncjrs">Click here to search the NCJRS Virtual Library</a></div>',
        field("ncj-number", "NCJ Number", str(100_000 + spec.number)),
    ]
    if facts.random() < 0.5:
        start = facts.randint(1, 80)
        citation = (
            f"{facts.choice(text.journals)} Volume: {facts.randint(1, 70)} Issue: "
            f"{facts.randint(1, 12)} Dated: {month_year(spec.published)} Pages: "
            f"{start}-{start + facts.randint(5, 30)}"
        )
        blocks.append(field("journal", "Journal", escape(citation)))
    blocks += [
        field("authors", "Author(s)", escape(authors)),
        field("date-published", "Date Published", month_year(spec.published)),
        field("length", "Length", f"{facts.randint(2, 120)} pages"),
        field("annotation", "Annotation", escape(prose.choice(text.sentences))),
        field(
            "abstract",
            "Abstract",
            body_html("abstract", prose, text),
        ),
    ]
    return "".join(blocks)


def render_article(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    paragraphs = text.paragraphs(prose, body_words("article", prose))
    notes = len(paragraphs) // 3
    body = "".join(
        f"<p>{escape(p)}{f' [{k + 1}]' if k < notes else ''}</p>" for k, p in enumerate(paragraphs)
    )
    note_items = "".join(f"<li>{escape(prose.choice(text.sentences))}</li>" for _ in range(notes))
    return "".join(
        [
            f'<div class="field--name-field-dek">{escape(prose.choice(text.sentences))}</div>',
            field("date-published", "Date Published", long_date(spec.published)),
            f'<div class="field field--name-body">{body}</div>',
            f'<h2>Notes</h2><ol class="footnotes">{note_items}</ol>',
            field("related", "Related Articles", link_list(related)),
        ]
    )


def render_funding(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    opportunity = spec.path.rsplit("/", 1)[1].upper()
    posted = spec.published
    closing = posted + timedelta(days=facts.randint(30, 90))
    justgrants = closing + timedelta(days=facts.randint(3, 14))
    eligible = facts.sample(
        [
            "State governments",
            "City or township governments",
            "County governments",
            "Native American tribal governments",
            "Nonprofit organizations",
            "Public and State controlled institutions of higher education",
            "For profit organizations",
        ],
        k=facts.randint(1, 4),
    )
    return "".join(
        [
            field("opportunity-id", "Opportunity ID", opportunity, inline=True),
            field("posting-date", "Posting Date", long_date(posted), inline=True),
            field("closing-date", "Closing Date", long_date(closing), inline=True),
            field("grants-gov-deadline", "Grants.gov Deadline", long_date(closing), inline=True),
            field(
                "justgrants-deadline",
                "Application JustGrants Deadline",
                long_date(justgrants),
                inline=True,
            ),
            field("eligibility", "Eligibility", "".join(f"<p>{escape(e)}</p>" for e in eligible)),
            f'<div class="field field--name-body">{body_html("funding", prose, text)}</div>',
        ]
    )


def render_event(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    end = spec.published + timedelta(days=facts.randint(0, 3))
    city = facts.choice(text.cities)
    address = f"{facts.randint(100, 9999)} {facts.choice(text.last_names)} Street, {city}"
    return "".join(
        [
            field("event-dates", "Event Dates", f"{long_date(spec.published)} - {long_date(end)}"),
            field("location", "Location", escape(city)),
            field("address", "Address", escape(address)),
            f'<div class="field field--name-body">{body_html("event", prose, text)}</div>',
            f"<p>Date Created: {long_date(spec.published - timedelta(days=40))}</p>",
        ]
    )


def render_news(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    paragraphs = text.paragraphs(prose, body_words("news", prose))
    return "".join(
        [
            '<div class="news-kicker">Press Release</div>',
            field("date", "Date", f"{spec.published:%A}, {long_date(spec.published)}", inline=True),
            field("contact", "Contact", f"Office of Communications, {escape(text.person(facts))}"),
            f'<div class="field field--name-body"><p>WASHINGTON - {escape(paragraphs[0])}</p>'
            f"{paragraphs_html(paragraphs[1:])}<p>###</p></div>",
        ]
    )


def render_topic(
    spec: PageSpec,
    facts: random.Random,
    prose: random.Random,
    text: TextSource,
    related: list[PageSpec],
) -> str:
    rows = []
    for item in related:
        teaser = " ".join(prose.choices(text.sentences, k=2))[:300].rsplit(" ", 1)[0] + "..."
        rows.append(
            f'<div class="views-row"><h3><a href="{item.path}">{escape(item.title)}</a></h3>'
            f'<div class="date">{month_year(item.published)}</div><p>{escape(teaser)}</p></div>'
        )
    description = body_html("topic", prose, text)
    return (
        f'<div class="taxonomy-term-description">{description}</div>'
        '<div class="facets"><h2>Select Filters</h2><ul><li>Publications</li><li>Funding</li>'
        "<li>Events</li><li>News</li></ul></div>"
        f'<div class="view-content">{"".join(rows)}</div>'
    )


def render_home_main(newest: list[PageSpec]) -> str:
    rows = "".join(
        f'<li><a href="{p.path}">{escape(p.title)}</a> <span class="date">'
        f"{long_date(p.published)}</span></li>"
        for p in newest
    )
    return (
        '<article class="node node--type-landing"><h1 class="page-title">Office of Justice '
        "Programs</h1><p>The Office of Justice Programs provides federal leadership, grants, "
        "training, technical assistance and other resources to improve the nation's capacity to "
        f'prevent and reduce crime.</p><h2>Latest</h2><ul class="usa-list">{rows}</ul></article>'
    )


KIND_RENDERERS = {
    "publication": render_publication,
    "abstract": render_abstract,
    "article": render_article,
    "funding": render_funding,
    "event": render_event,
    "news": render_news,
    "topic": render_topic,
}
