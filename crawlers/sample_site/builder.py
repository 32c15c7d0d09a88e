"""Builds the sample site's files from ``crawlers.sample_site.content``.

The built files are committed under ``site/``; rebuild them after editing the content with
``python -m crawlers.sample_site.builder`` (a test checks that the committed files match).

This module holds the shared page chrome (USWDS banner, header, breadcrumbs, footer) and the
Drupal markup helpers (labelled fields, teasers, pagers) that the content modules use.
"""

from __future__ import annotations

import gzip
import html
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crawlers.sample_site.pdfdoc import make_pdf
from crawlers.sample_site.server import ROUTES_FILE, SITE_ROOT, Routes
from crawlers.sample_site.site_definitions import PREFIXES


@dataclass(frozen=True)
class Bureau:
    name: str
    prefix: str
    files_id: str  # the Drupal file-tree id: /sites/g/files/<files_id>/files/...
    nav: tuple[tuple[str, str], ...]


BUREAUS = {
    "ojp": Bureau(
        "Office of Justice Programs",
        "/",
        "xyckuh241",
        (
            ("/feature/human-trafficking/overview", "Human Trafficking"),
            ("/taxonomy/term/human-trafficking", "Topics"),
            ("/news/ojp-blogs", "News"),
            (
                "/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum",
                "Events",
            ),
            ("/about/offices/office-communications", "About"),
        ),
    ),
    "nij": Bureau(
        "National Institute of Justice",
        "/nij/",
        "xyckuh171",
        (
            ("/nij/topics/human-trafficking", "Topics"),
            ("/nij/funding/forthcoming", "Funding &amp; Awards"),
            ("/nij/library/nij-journal", "Publications &amp; Multimedia"),
            ("/nij/events/conference-2023", "Events"),
        ),
    ),
    "ovc": Bureau(
        "Office for Victims of Crime",
        "/ovc/",
        "xyckuh226",
        (
            ("/ovc/about", "About OVC"),
            ("/ovc/funding/funding-resources", "Funding"),
            ("/ovc/program/vtt/about-the-toolkit", "Programs"),
        ),
    ),
    "ojjdp": Bureau(
        "Office of Juvenile Justice and Delinquency Prevention",
        "/ojjdp/",
        "xyckuh176",
        (
            ("/ojjdp/funding/how-to-apply", "Funding"),
            ("/ojjdp/news/press-releases", "News"),
            ("/ojjdp/newsletter/ojjdp-news-glance-marchapril-2021/new-publications", "Newsletter"),
        ),
    ),
    "bja": Bureau(
        "Bureau of Justice Assistance",
        "/bja/",
        "xyckuh186",
        (
            ("/bja/topics", "Topics"),
            ("/bja/funding/opportunities/o-bja-2023-171861", "Funding"),
            ("/bja/news/press-releases", "News"),
        ),
    ),
    "bjs": Bureau(
        "Bureau of Justice Statistics",
        "/bjs/",
        "xyckuh236",
        (
            ("/bjs/library/publications/criminal-victimization-2022", "Publications"),
            ("/bjs/data-collection/national-crime-victimization-survey-ncvs", "Data Collections"),
        ),
    ),
    "smart": Bureau(
        "Office of Sex Offender Sentencing, Monitoring, Apprehending, Registering, and Tracking",
        "/smart/",
        "xyckuh231",
        (
            ("/smart/sorna", "SORNA"),
            ("/smart/funding/opportunities/o-smart-2025-172307", "Grants"),
            ("/smart/somapi/adult-sex-offender-management", "SOMAPI"),
        ),
    ),
}

OFFICIAL = "An official website of the United States government, Department of Justice."


@dataclass(frozen=True)
class Page:
    """One HTML page of the site.

    ``body`` is the main content; the ``<h1>`` goes first unless ``body`` holds ``<!--H1-->``,
    which marks where it goes. ``lastmod`` is the sitemap date (None: reached by links only).
    ``raw`` pages are written as given (legacy pages with their own markup). ``lang`` is the
    ``<html lang>`` of the page's text ("es" for a Spanish-language item; the chrome stays
    English, as on the real sites).
    """

    path: str
    bureau: str
    title: str
    body: str = ""
    banner: str = "short"  # short | dotgov | https | https-howto
    crumbs: tuple[tuple[str, str], ...] = ()
    lastmod: str | None = None
    canonical: bool = False
    head: str = ""
    h1: str | None = None
    share: bool = True
    charset: str = "utf-8"
    raw: str | None = None
    body_class: str = "page-node"
    lang: str = "en"


@dataclass(frozen=True)
class Document:
    """A non-HTML file (plain text, PDF) with its sitemap date."""

    path: str
    data: bytes
    lastmod: str | None = None


@dataclass
class SiteContent:
    pages: list[Page] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    routes: Routes = field(default_factory=Routes)
    sitemap_only: list[tuple[str, str]] = field(default_factory=list)  # (path, lastmod)


# -- markup helpers used by the content modules ---------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def paras(*texts: str) -> str:
    return "\n".join(f"<p>{t}</p>" for t in texts)


def bullets(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def drupal_field(name: str, label: str, value: str, *, inline: bool = False) -> str:
    """A Drupal labelled field: ``div.field--name-field-<name>`` with label and item."""
    display = "field--label-inline" if inline else "field--label-above"
    return (
        f'<div class="field field--name-field-{name} field--type-string {display}">'
        f'<div class="field__label">{label}</div><div class="field__item">{value}</div></div>'
    )


def drupal_items(name: str, label: str, values: Iterable[str]) -> str:
    items = "".join(f'<div class="field__item">{v}</div>' for v in values)
    return (
        f'<div class="field field--name-field-{name} field--label-above">'
        f'<div class="field__label">{label}</div><div class="field__items">{items}</div></div>'
    )


def strong_label(label: str, value: str) -> str:
    """A label as plain text, as older templates render it."""
    return f"<p><strong>{label}</strong> {value}</p>"


def link_list(links: Sequence[tuple[str, str]], css: str = "usa-list") -> str:
    return (
        f'<ul class="{css}">'
        + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
        + "</ul>"
    )


def image_credit(bureau: str, file: str, alt: str, credit: str) -> str:
    files_id = BUREAUS[bureau].files_id
    prefix = BUREAUS[bureau].prefix
    return (
        f'<figure class="media media--type-image">'
        f'<img src="{prefix}sites/g/files/{files_id}/files/styles/card/public/images/{file}" '
        f'alt="{esc(alt)}" loading="lazy">'
        f'<figcaption class="image-credit">{credit} (see '
        f'<a href="/about/reuse-policy">reuse policy</a>).</figcaption></figure>'
    )


def date_created(text: str) -> str:
    return f'<div class="date-created">Date Created: {text}</div>'


def teaser(
    href: str, title: str, date: str, text: str, facts: Sequence[tuple[str, str]] = ()
) -> str:
    """A listing teaser: title link, date line, truncated text, inline NCJ/Date/Agencies."""
    fields_html = "".join(
        drupal_field(label.lower().replace(" ", "-"), label, value, inline=True)
        for label, value in facts
    )
    date_html = f'<div class="teaser__date">{date}</div>' if date else ""
    return (
        f'<div class="views-row"><article class="teaser">'
        f'<h3 class="teaser__title"><a href="{href}">{title}</a></h3>{date_html}'
        f'<div class="teaser__body">{text}</div>{fields_html}</article></div>'
    )


def pager(current: int, last: int) -> str:
    """A Drupal full pager (0-based ``?page=N``; page 0 has no query)."""

    def href(n: int) -> str:
        return "?page=0" if n == 0 else f"?page={n}"

    def item(n: int, text: str, css: str = "", attrs: str = "") -> str:
        classes = f"pager__item {css}".strip()
        return f'<li class="{classes}"><a href="{href(n)}"{attrs}>{text}</a></li>'

    items = []
    if current > 0:
        items.append(item(0, "« First", "pager__item--first", ' title="Go to first page"'))
        items.append(item(current - 1, "‹ Previous", "pager__item--previous", ' rel="prev"'))
    for n in range(last + 1):
        if n == current:
            items.append(item(n, str(n + 1), "is-active", ' aria-current="page"'))
        else:
            items.append(item(n, str(n + 1), "", f' title="Go to page {n + 1}"'))
    if current < last:
        items.append(item(current + 1, "Next ›", "pager__item--next", ' rel="next"'))
        items.append(item(last, "Last »", "pager__item--last", ' title="Go to last page"'))
    return (
        '<nav class="pager usa-pagination" role="navigation" aria-labelledby="pagination-heading">'
        '<h4 id="pagination-heading" class="visually-hidden">Pagination</h4>'
        '<ul class="pager__items js-pager__items">' + "".join(items) + "</ul></nav>"
    )


# -- page chrome ----------------------------------------------------------------------------------


def banner_html(kind: str) -> str:
    """The USWDS gov banner in one of the wordings the real sites show."""
    header = (
        '<header class="usa-banner__header"><div class="usa-banner__inner">'
        '<div class="grid-col-auto"><img class="usa-banner__header-flag" '
        'src="/themes/custom/ojp/assets/images/us_flag_small.png" alt="U.S. flag"></div>'
        f'<div class="grid-col-fill"><p class="usa-banner__header-text">{OFFICIAL}</p>'
    )
    if kind == "short":
        return (
            '<section class="usa-banner" aria-label="Official government website">'
            + header
            + "</div></div></header></section>"
        )
    howto = kind in {"dotgov", "https-howto"}
    button = (
        '<p class="usa-banner__header-action" aria-hidden="true">Here’s how you know</p>'
        '</div><button type="button" class="usa-accordion__button usa-banner__button" '
        'aria-expanded="false" aria-controls="gov-banner"><span class="usa-banner__button-text">'
        "Here’s how you know</span></button>"
        if howto
        else "</div>"
    )
    if kind == "dotgov":
        guidance = (
            '<div class="usa-banner__guidance tablet:grid-col-6"><img class="usa-banner__icon" '
            'src="/themes/custom/ojp/assets/images/icon-dot-gov.svg" alt="Dot gov">'
            '<div class="usa-media-block__body"><p><strong>The .gov means it’s official.</strong>'
            "<br>Federal government websites always use a .gov or .mil domain. Before sharing "
            "sensitive information online, make sure you’re on a .gov or .mil site by inspecting "
            "your browser’s address (or “location”) bar.</p></div></div>"
            '<div class="usa-banner__guidance tablet:grid-col-6"><img class="usa-banner__icon" '
            'src="/themes/custom/ojp/assets/images/icon-https.svg" alt="Https">'
            '<div class="usa-media-block__body"><p><strong>The site is secure.</strong><br>'
            "The https:// ensures that you are connecting to the official website and that any "
            "information you provide is encrypted and transmitted securely.</p></div></div>"
        )
    else:
        guidance = (
            '<div class="usa-banner__guidance tablet:grid-col-6"><img class="usa-banner__icon" '
            'src="/themes/custom/ojp/assets/images/icon-dot-gov.svg" alt="Dot gov">'
            '<div class="usa-media-block__body"><p><strong>Official websites use .gov</strong>'
            "<br>A <strong>.gov</strong> website belongs to an official government organization "
            "in the United States.</p></div></div>"
            '<div class="usa-banner__guidance tablet:grid-col-6"><img class="usa-banner__icon" '
            'src="/themes/custom/ojp/assets/images/icon-https.svg" alt="Https">'
            '<div class="usa-media-block__body"><p><strong>Secure .gov websites use HTTPS</strong>'
            "<br>A <strong>lock</strong> ( ) or <strong>https://</strong> means you’ve safely "
            "connected to the .gov website. Share sensitive information only on official, "
            "secure websites.</p></div></div>"
        )
    return (
        '<section class="usa-banner" aria-label="Official government website">'
        '<div class="usa-accordion">'
        + header
        + button
        + '</div></header><div class="usa-banner__content usa-accordion__content" id="gov-banner">'
        '<div class="grid-row grid-gap-lg">' + guidance + "</div></div></div></section>"
    )


def header_html(bureau: Bureau) -> str:
    nav = "".join(
        '<li class="usa-nav__primary-item">'
        f'<a class="usa-nav__link" href="{h}"><span>{t}</span></a></li>'
        for h, t in bureau.nav
    )
    return (
        '<header class="usa-header usa-header--extended" role="banner"><div class="usa-navbar">'
        '<div class="usa-logo" id="extended-logo">'
        f'<a href="{bureau.prefix}" title="Home" rel="home">'
        f'<img src="/themes/custom/ojp/assets/images/logo-{bureau.files_id}.svg" alt="">'
        f'<div class="site-name">{bureau.name}</div></a></div>'
        '<button type="button" class="usa-menu-btn">Menu</button></div>'
        '<nav aria-label="Primary navigation" class="usa-nav"><div class="usa-nav__inner">'
        f'<ul class="usa-nav__primary usa-accordion">{nav}</ul>'
        '<section aria-label="Search component"><form class="usa-search usa-search--small" '
        'role="search" action="/search" method="get"><label class="usa-sr-only" for="search-field">'
        'Search</label><input class="usa-input" id="search-field" type="search" name="keys">'
        '<button class="usa-button" type="submit"><span class="usa-sr-only">Search</span>'
        "</button></form></section></div></nav></header>"
    )


def breadcrumbs_html(bureau: Bureau, crumbs: Sequence[tuple[str, str]], current: str) -> str:
    items = [(bureau.prefix, "Home"), *crumbs]
    links = "".join(
        '<li class="usa-breadcrumb__list-item">'
        f'<a href="{h}" class="usa-breadcrumb__link"><span>{t}</span></a></li>'
        for h, t in items
    )
    return (
        '<nav class="usa-breadcrumb" aria-label="Breadcrumbs"><ol class="usa-breadcrumb__list">'
        + links
        + '<li class="usa-breadcrumb__list-item usa-current" aria-current="page">'
        f"<span>{current}</span></li></ol></nav>"
    )


SHARE = (
    '<div class="share-widget" aria-label="Share this page"><span class="share-widget__label">'
    "Share this page</span>"
    '<button type="button" class="share-widget__button" data-share="facebook">Facebook</button>'
    '<button type="button" class="share-widget__button" data-share="x">X</button>'
    '<button type="button" class="share-widget__button" data-share="linkedin">LinkedIn</button>'
    '<button type="button" class="share-widget__button" data-share="email">Email</button>'
    '<button type="button" class="share-widget__button" data-share="print">Print</button></div>'
)


def footer_html(bureau: Bureau) -> str:
    return (
        '<footer class="usa-footer usa-footer--big"><div class="usa-footer__primary-section">'
        '<nav class="usa-footer__nav" aria-label="Footer navigation">'
        '<ul class="usa-list--unstyled">'
        '<li><a href="/about/offices/office-communications">Office of Communications</a></li>'
        '<li><a href="/about/reuse-policy">Reuse Policy</a></li>'
        '<li><a href="/news/infocus/human-trafficking">In Focus</a></li>'
        '<li><a href="/feature/human-trafficking/overview">Special Features</a></li>'
        "</ul></nav></div>"
        '<div class="usa-footer__secondary-section"><div class="grid-container">'
        f'<div class="usa-footer__logo-heading">{bureau.name}</div>'
        '<address class="usa-footer__address">Office of Justice Programs<br>'
        "U.S. Department of Justice<br>999 N. Capitol St., NE<br>Washington, DC 20531</address>"
        '<p class="usa-footer__contact">OJP Response Center: 1-800-851-3420</p>'
        "</div></div></footer>"
    )


def render_page(page: Page) -> bytes:
    """The bytes of one page: chrome around its body, or the raw markup as given."""
    if page.raw is not None:
        return page.raw.encode(page.charset)
    bureau = BUREAUS[page.bureau]
    heading = page.h1 if page.h1 is not None else page.title
    h1 = f'<h1 class="page-title"><span class="field field--name-title">{heading}</span></h1>'
    main = page.body.replace("<!--H1-->", h1) if "<!--H1-->" in page.body else h1 + page.body
    canonical = (
        f'<link rel="canonical" href="{{{{BASE_URL}}}}{page.path}">' if page.canonical else ""
    )
    current = page.crumbs[-1][1] if page.crumbs and page.crumbs[-1][0] == page.path else heading
    crumbs = page.crumbs[:-1] if page.crumbs and page.crumbs[-1][0] == page.path else page.crumbs
    text = f"""<!DOCTYPE html>
<html lang="{page.lang}" dir="ltr">
<head>
<meta charset="{page.charset}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{page.title} | {bureau.name}</title>
{canonical}{page.head}
<link rel="icon" href="/themes/custom/ojp/favicon.ico" type="image/vnd.microsoft.icon">
<link rel="stylesheet" media="all" href="/themes/custom/ojp/assets/css/styles.css">
</head>
<body class="{page.body_class}">
<a href="#main-content" class="usa-skipnav visually-hidden focusable">Skip to main content</a>
{banner_html(page.banner)}
{header_html(bureau)}
<div class="grid-container">
{breadcrumbs_html(bureau, crumbs, current)}
<main id="main-content" class="usa-layout-docs__main" role="main">
<div class="region region-content">
{main}
{SHARE if page.share else ""}
</div>
</main>
</div>
{footer_html(bureau)}
</body>
</html>
"""
    return text.encode(page.charset)


# -- output ---------------------------------------------------------------------------------------


def file_path(path: str) -> str:
    """The file (relative to the root) that the server maps ``path`` to when it is created."""
    route, _, query = path.partition("?")
    if route.endswith("/"):
        name = route.lstrip("/") + "index"
        return f"{name}@{query}.html" if query else name + ".html"
    name = route.lstrip("/")
    if query:
        return f"{name}@{query}.html"
    if "." in name.rsplit("/", 1)[-1]:
        return name
    return name + ".html"


def prefix_of(path: str) -> str:
    """The site name whose prefix holds ``path`` (longest prefix wins)."""
    matches = [p for p in PREFIXES if path.startswith(p.prefix)]
    return max(matches, key=lambda p: len(p.prefix)).name


def sitemap_xml(entries: Sequence[tuple[str, str]]) -> bytes:
    urls = "".join(
        f"  <url>\n    <loc>{{{{BASE_URL}}}}{esc(path)}</loc>\n    <lastmod>{lastmod}</lastmod>\n"
        "  </url>\n"
        for path, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    ).encode()


def sitemap_index_xml(children: Sequence[tuple[str, str]]) -> bytes:
    items = "".join(
        f"  <sitemap>\n    <loc>{{{{BASE_URL}}}}{path}</loc>\n    <lastmod>{lastmod}</lastmod>\n"
        "  </sitemap>\n"
        for path, lastmod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + items
        + "</sitemapindex>\n"
    ).encode()


ROBOTS = """# robots.txt for the OJP sample site (one host, every bureau under a path prefix)
User-agent: *
Disallow: /search
Disallow: /private/
Disallow: /nij/search
Disallow: /themes/

Sitemap: {{BASE_URL}}/sitemap.xml
"""


def build_files(content: SiteContent) -> dict[str, bytes]:
    """Every file of the site, by path relative to the root."""
    files: dict[str, bytes] = {}
    entries: dict[str, list[tuple[str, str]]] = {p.name: [] for p in PREFIXES}
    for page in content.pages:
        files[file_path(page.path)] = render_page(page)
        if page.lastmod:
            entries[prefix_of(page.path)].append((page.path, page.lastmod))
    for document in content.documents:
        files[document.path.lstrip("/")] = document.data
        if document.lastmod:
            entries[prefix_of(document.path)].append((document.path, document.lastmod))
    for path, lastmod in content.sitemap_only:
        entries[prefix_of(path)].append((path, lastmod))
    children = []
    for prefix in PREFIXES:
        listed = sorted(entries[prefix.name])
        xml = sitemap_xml(listed)
        data = gzip.compress(xml, mtime=0) if prefix.sitemap.endswith(".gz") else xml
        files[prefix.sitemap.lstrip("/")] = data
        children.append((prefix.sitemap, max(lastmod for _, lastmod in listed)))
    files["sitemap.xml"] = sitemap_index_xml(children)
    files["robots.txt"] = ROBOTS.encode()
    files[ROUTES_FILE] = content.routes.to_json().encode()
    return files


def write_site(root: Path, content: SiteContent) -> int:
    """Write the site into ``root`` (emptied first); returns the number of files."""
    files = build_files(content)
    if root.exists():
        shutil.rmtree(root)
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return len(files)


def load_content() -> SiteContent:
    from crawlers.sample_site.content import collect_content

    return collect_content()


def pdf_document(path: str, title: str, pages: list[str], lastmod: str | None = None) -> Document:
    return Document(path, make_pdf(pages, title=title), lastmod)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else SITE_ROOT
    count = write_site(root, load_content())
    print(f"wrote {count} files to {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
