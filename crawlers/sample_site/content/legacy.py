# ruff: noqa: E501  (page text and URLs read better unbroken)
"""Legacy and awkward pages: an archived press release with mis-decoded apostrophes, a
windows-1252 archive page, a meta-refresh stub, a soft 404, a noindex page, pages under
robots-disallowed paths, a plain-text document, and the routes (redirects, removals, delays)."""

from __future__ import annotations

from crawlers.sample_site.builder import (
    Document,
    Page,
    SiteContent,
    banner_html,
    link_list,
    paras,
)
from crawlers.sample_site.server import Routes

SHORT_BANNER = banner_html("short")

PRESS_RELEASE_2010 = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Justice Department Announces Nearly $2.6 Billion in Fiscal Year 2010 Awards | Office of Justice Programs</title>
</head>
<body>
<a href="#main-content" class="skip-link">Skip to main content</a>
{SHORT_BANNER}
<div id="header"><div class="site-name">Office of Justice Programs</div></div>
<nav class="usa-breadcrumb" aria-label="Breadcrumbs"><ol class="usa-breadcrumb__list">
<li class="usa-breadcrumb__list-item"><a href="/">Home</a></li>
<li class="usa-breadcrumb__list-item"><a href="/news/ojp-blogs">Newsroom</a></li></ol></nav>
<main id="main-content">
<p class="archive-notice">This file is provided for reference purposes only. It was current when
produced, but is no longer maintained and may now be outdated.</p>
<table class="press-header"><tr><td>IMMEDIATE RELEASE</td><td>Friday, October 1, 2010</td></tr>
<tr><td>Office of Justice Programs</td><td>Contact: Office of Communications (202) 307-0703</td></tr>
</table>
<h1>JUSTICE DEPARTMENT ANNOUNCES NEARLY $2.6 BILLION IN FISCAL YEAR 2010 AWARDS</h1>
<p>WASHINGTON, D.C. - The U.S. Department of Justice?s Office of Justice Programs (OJP) today
announced nearly $2.6 billion in Fiscal Year 2010 funding to advance the criminal and juvenile
justice fields and to assist victims of crime.</p>
<p>Nearly 5,000 grants were awarded this fiscal year to federal, state, local and tribal law
enforcement agencies and community organizations. The funding supports crime prevention, victim
assistance, research and evaluation, and local innovation, including Second Chance Act reentry
programs, drug courts, and DNA backlog reduction.</p>
<p>"OJP funds many programs that offer flexible and dynamic solutions for deterring crime," said
the Assistant Attorney General for OJP. A complete list of OJP?s Fiscal Year 2010 awards is posted
in the funding section of the OJP Web site.</p>
<p>See also the NCJRS abstract <a href="/ncjrs/App/Publications/abstract.aspx?ID=259387">The
United States Department of Justice?s Elder Abuse Initiatives</a>.</p>
<p>###</p>
</main>
<div id="footer"><address>Office of Justice Programs, 810 Seventh Street NW, Washington, DC 20531</address></div>
</body>
</html>
"""

BLOG_2017 = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="windows-1252">
<title>Shining a Light on Human Trafficking | Office of Justice Programs</title>
</head>
<body>
<a href="#main-content">Skip to main content</a>
{SHORT_BANNER}
<div class="site-name">Office of Justice Programs</div>
<nav class="usa-breadcrumb" aria-label="Breadcrumbs"><ol><li><a href="/">Home</a></li>
<li><a href="/feature/human-trafficking/publications">Archives</a></li></ol></nav>
<main id="main-content">
<p class="archive-notice">This is an archive of an Office of Justice Programs Special Focus
Section. It is no longer being updated.</p>
<h1>Shining a Light on Human Trafficking</h1>
<p class="byline">January 11, 2017 — OJP Blog</p>
<p>January is National Slavery and Human Trafficking Prevention Month. Trafficking victims don’t
always see themselves as victims, often blaming themselves for their situation, which makes the
crime harder for law enforcement to discover: victims rarely self-report.</p>
<p>“Human trafficking is a fundamental human rights violation,” and its victims are among the
most vulnerable populations in this country. Cases have involved documented and undocumented
migrants, children who ran away from home to escape abuse, and developmentally disabled adults
forced to work long hours for little pay.</p>
<p>The Department of Justice supports multidisciplinary task forces that investigate and
prosecute traffickers, support victims, and educate the public. Read about
<a href="/nij/topics/crime/human-trafficking/welcome.htm">NIJ’s human trafficking research</a>.</p>
</main>
<footer><p>Office of Justice Programs · U.S. Department of Justice</p></footer>
</body>
</html>
"""

META_REFRESH = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=/feature/human-trafficking/overview">
<title>Special Feature: Human Trafficking | National Criminal Justice Reference Service</title>
</head>
<body>
{SHORT_BANNER}
<main id="main-content">
<h1>Special Feature: Human Trafficking</h1>
<p>This page has moved to the <a href="/feature/human-trafficking/overview">Human Trafficking
Special Feature</a> on ojp.gov.</p>
</main>
</body>
</html>
"""

TXT_155063 = (
    "Title: NCJRS National Criminal Justice Reference Service User's Guide Series: NCJRS Guide "
    "Author: National Institute of Justice Published: May 1997 Subject: Reference services "
    "32 pages 219,531 bytes\n"
    "------------------------------\n\n"
    "U.S. Department of Justice\nOffice of Justice Programs\n\n"
    "NCJRS National Criminal Justice Reference Service User's Guide\n\nNCJ 155063\n\n"
    "The National Criminal Justice Reference Service (NCJRS) is a criminal justice clearinghouse "
    "and reference service that maintains specialized information centers for the National "
    "Institute of Justice, the Office of Juvenile Justice and Delinquency Prevention, the Office "
    "for Victims of Crime, the Bureau of Justice Statistics, the Bureau of Justice Assistance, and "
    "the Office of National Drug Control Policy. NCJRS is administered by the National Institute "
    "of Justice.\n\n"
    "Contents\n  About This Guide\n  What Is NCJRS?\n  Who Uses NCJRS?\n"
    "  Part I: NCJRS--Its Services and Its Resources\n  Part II: Access to NCJRS\n\n"
    "The NCJRS Document Data Base contains abstracts of more than 140,000 criminal justice "
    "books, reports, and journal articles. Registered users receive the NIJ Catalog and may "
    "order documents, request database searches, and use the onsite library in Rockville, "
    "Maryland. Calling NCJRS: 800-851-3420.\n"
)


def special_pages() -> list[Page]:
    return [
        Page(
            path="/newsroom/pressreleases/2010/OJP10139.htm",
            bureau="ojp",
            title="Justice Department Announces Nearly $2.6 Billion in Fiscal Year 2010 Awards",
            lastmod="2010-10-01",
            raw=PRESS_RELEASE_2010,
        ),
        Page(
            path="/archives/ojp-blogs/2017/2017_blog_trafficking.htm",
            bureau="ojp",
            title="Shining a Light on Human Trafficking",
            raw=BLOG_2017,
            charset="cp1252",
        ),
        Page(
            path="/humantrafficking/index.html",
            bureau="ojp",
            title="Special Feature: Human Trafficking",
            raw=META_REFRESH,
        ),
        Page(
            path="/programs/victim-resources-legacy",
            bureau="ojp",
            title="Page not found",
            lastmod="2018-03-09",
            share=False,
            body=paras(
                "The requested page could not be found. It may have been moved or removed "
                "during the review of OJP websites.",
                'Try the <a href="/">home page</a> or search for the resource you need.',
            ),
        ),
        Page(
            path="/about/staff-directory",
            bureau="ojp",
            title="Staff Directory",
            head='<meta name="robots" content="noindex, nofollow">',
            body=paras(
                "Internal directory of Office of Justice Programs staff by office. This "
                "page is not intended for search engines."
            )
            + link_list([("/about/offices/office-communications", "Office of Communications")]),
        ),
        Page(
            path="/private/draft-fy25-grant-guidance",
            bureau="ojp",
            title="DRAFT FY25 Grant Guidance (internal)",
            body=paras("Draft guidance for reviewers of FY25 applications. Not for release."),
        ),
        Page(
            path="/search",
            bureau="ojp",
            title="Search",
            share=False,
            body=paras(
                "Search results for your query appear here. Refine by agency, type, or date."
            )
            + link_list(
                [
                    ("/private/draft-fy25-grant-guidance", "Draft grant guidance"),
                    (
                        "/library/publications/fight-against-human-trafficking",
                        "The Fight Against Human Trafficking",
                    ),
                ]
            ),
        ),
        Page(
            path="/search/ncjrs",
            bureau="ojp",
            title="Search the NCJRS Virtual Library",
            share=False,
            body=paras(
                "Search over 235,000 criminal justice resources by title, author, "
                "journal, NCJ number, or keywords."
            ),
        ),
    ]


def routes() -> Routes:
    return Routes(
        redirects={
            "/ncjrs/App/Publications/abstract.aspx?ID=259387": "/ncjrs/virtual-library/abstracts/"
            "united-states-department-justices-elder-abuse-initiatives",
            "/ovc/grants/help.html": "/ovc/funding/funding-resources",
            "/nij/topics/crime/human-trafficking/welcome.htm": "/nij/topics/human-trafficking",
            "/nij/funding?solicitationid=3964": "/nij/funding/forthcoming",
        },
        status={"/library/publications/equity-research-priorities-2022": 404},
        delay={"/bja/funding/webinar/fy24-funding-law-enforcement-recording": 0.2},
    )


def add_to(content: SiteContent) -> None:
    content.pages += special_pages()
    content.documents.append(Document("/txtfiles/155063.txt", TXT_155063.encode(), "2009-06-02"))
    content.sitemap_only.append(
        ("/library/publications/equity-research-priorities-2022", "2022-11-30")
    )
    content.routes = routes()
