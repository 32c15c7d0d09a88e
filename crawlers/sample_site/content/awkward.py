# ruff: noqa: E501  (page text and URLs read better unbroken)
"""Pages whose record takes more than reading labels: an abstract and a publication with no
agency label (the bureau named in the annotation, a sponsoring-agency line), a journal article
whose citation sits next to an empty "NCJ Number" label, feature and program subpages named by
their parent only in the breadcrumbs or the ``<title>``, a blog post dated by its byline, an event
dated only by "Date Created", a bureau press release dated in its dateline, an archived press
release in the file tree (listed in the sitemap), and a legacy text file in a bureau's folder."""

from __future__ import annotations

from crawlers.sample_site.builder import (
    Document,
    Page,
    SiteContent,
    banner_html,
    date_created,
    drupal_field,
    paras,
)

NCJRS_HEADER = (
    '<div class="ncjrs-header"><p>NCJRS Virtual Library</p><p>The Virtual Library houses over '
    "235,000 criminal justice resources, including all known OJP works.</p>"
    '<p><a href="/search/ncjrs">Click here to search the NCJRS Virtual Library</a></p></div>'
)
ABSTRACTS = "/ncjrs/virtual-library/abstracts/"


def abstract_field(*paragraphs: str) -> str:
    items = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<div class="field field--name-field-abstract field--label-above">'
        f'<div class="field__label">Abstract</div><div class="field__item">{items}</div></div>'
    )


def library_pages() -> list[Page]:
    return [
        Page(
            path=ABSTRACTS + "jail-inmates-2022-statistical-tables",
            bureau="ojp",
            title="Jail Inmates in 2022 - Statistical Tables",
            lastmod="2024-01-09",
            crumbs=(("/search/ncjrs", "NCJRS Virtual Library"),),
            body=NCJRS_HEADER
            + "<!--H1-->"
            + drupal_field("ncj-number", "NCJ Number", "307086")
            + drupal_field("date-published", "Date Published", "December 2023")
            + drupal_field("length", "Length", "27 pages")
            + drupal_field(
                "annotation",
                "Annotation",
                "This U.S. Bureau of Justice Statistics (BJS) report presents data on the "
                "number of inmates held in local jails, the jail incarceration rate, and jail "
                "capacity in 2022.",
            )
            + abstract_field(
                "The report examines changes in the jail population from 2012 to 2022 and "
                "describes inmate characteristics such as sex, race or Hispanic origin, and "
                "conviction status.",
                "Findings are based on the Annual Survey of Jails, conducted each year since "
                "1982 except in years of the Census of Jails.",
            ),
        ),
        Page(
            path="/library/publications/forensic-science-technology-needs-assessment",
            bureau="ojp",
            title="Forensic Science Technology Needs Assessment",
            lastmod="2022-03-30",
            body=drupal_field("ncj-number", "NCJ Number", "303210")
            + drupal_field("date-published", "Date Published", "March 2022")
            + drupal_field("length", "Length", "64 pages")
            + drupal_field(
                "sponsoring-agency",
                "Sponsoring Agency",
                "U.S. Department of Justice, Office of Justice Programs, National Institute "
                "of Justice",
            )
            + drupal_field(
                "annotation",
                "Annotation",
                "A survey of crime laboratories describes the technology and training needs "
                "that practitioners reported.",
            )
            + abstract_field(
                "Laboratory directors in forty states answered questions about backlogs, "
                "instruments, and staffing. Most named digital evidence and toxicology as "
                "their greatest needs."
            ),
        ),
        Page(
            path=ABSTRACTS + "police-legitimacy-procedural-justice-review",
            bureau="ojp",
            title="Police Legitimacy and Procedural Justice: A Review",
            lastmod="2020-09-15",
            body=NCJRS_HEADER
            + "<!--H1-->"
            + '<div class="field field--name-field-ncj-number field--label-above">'
            '<div class="field__label">NCJ Number</div></div>'
            '<div class="citation">Criminology &amp; Public Policy Volume: 19 Issue: 3 Dated: '
            "August 2020 Pages: 789-811</div>"
            '<div class="authors">Justin Nix; Scott E. Wolfe .</div>'
            + drupal_field("date-published", "Date Published", "August 2020")
            + drupal_field(
                "annotation",
                "Annotation",
                "This article reviews studies of how the fairness of police encounters shapes "
                "the public's trust in the police.",
            )
            + abstract_field(
                "The authors summarize survey and experimental research published since 2000 "
                "and discuss what departments can measure."
            ),
        ),
    ]


def subpages() -> list[Page]:
    feature_crumbs = (("/feature/human-trafficking/overview", "Special Features"),)
    return [
        Page(
            path="/feature/elder-abuse/overview",
            bureau="ojp",
            title="Elder Abuse | Overview",
            h1="Overview",
            lastmod="2021-06-14",
            crumbs=feature_crumbs,
            body=paras(
                "Elder abuse is an intentional or negligent act by any person that causes harm "
                "or a serious risk of harm to an older adult. Each year hundreds of thousands "
                "of older persons are abused, neglected, or financially exploited.",
                "OJP and its bureaus support research, training, and services for older "
                "victims and the professionals who serve them.",
            )
            + date_created("June 14, 2021"),
        ),
        Page(
            path="/feature/elder-abuse/resources",
            bureau="ojp",
            title="Elder Abuse | Resources",
            h1="Resources",
            lastmod="2021-06-14",
            crumbs=feature_crumbs,
            body=paras(
                "Publications, training, and tools on elder abuse and elder financial "
                "exploitation from OJP and its bureaus."
            )
            + '<ul class="resource-list"><li><a href="/library/publications/office-justice-'
            'programs-focuses-studying-and-preventing-elder-abuse">Office of Justice Programs '
            "Focuses on Studying and Preventing Elder Abuse</a><p>NIJ-Sponsored, May 2008</p>"
            "</li></ul>" + date_created("June 14, 2021"),
        ),
        Page(
            path="/ovc/program/vtt/what-is-vicarious-trauma",
            bureau="ovc",
            title="What Is Vicarious Trauma?",
            lastmod="2017-08-03",
            crumbs=(("/ovc/program/vtt", "The Vicarious Trauma Toolkit"),),
            body=paras(
                "Vicarious trauma is an occupational challenge for people working and "
                "volunteering in victim services, law enforcement, emergency medical services, "
                "fire services, and other allied professions, due to their continuous exposure "
                "to victims of trauma and violence."
            )
            + date_created("August 3, 2017"),
        ),
    ]


def dated_pages() -> list[Page]:
    return [
        Page(
            path="/news/ojp-blogs/reentry-week-second-chances",
            bureau="ojp",
            title="Reentry Week: Second Chances",
            lastmod="2017-01-11",
            body='<p class="blog-intro">A look at what communities do to help people coming '
            "home from prison.</p>"
            '<p class="byline">January 11, 2017</p>'
            + paras(
                "By focusing on reentry, communities can reduce recidivism and make "
                "neighborhoods safer. Every year more than 600,000 people return from state "
                "and federal prisons.",
                "Our grants support mentoring, housing, and job training for people leaving "
                "prison.",
            ),
        ),
        Page(
            path="/nij/events/research-practitioner-forum-2024",
            bureau="nij",
            title="Research and Practitioner Forum 2024",
            lastmod="2024-01-22",
            body=drupal_field("event-dates", "Event Dates", "April 9 – 11, 2024")
            + drupal_field("location", "Location", "Arlington, VA")
            + paras(
                "The forum brings researchers and practitioners together to discuss violence "
                "prevention and corrections research."
            )
            + date_created("January 22, 2024"),
        ),
        Page(
            path="/bjs/press-release/violent-victimization-rate-increased-2022",
            bureau="bjs",
            title="Violent Victimization Rate Increased in 2022",
            lastmod="2023-09-14",
            body=paras(
                "WASHINGTON, Sept. 14, 2023 — The rate of violent victimization increased from "
                "16.5 victimizations per 1,000 persons age 12 or older in 2021 to 23.5 per 1,000 "
                "in 2022, the Bureau of Justice Statistics announced today.",
                "The findings come from the National Crime Victimization Survey.",
            ),
        ),
    ]


ARCHIVED_RELEASE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>OJP Press Release: Justice Department Awards Grants to Fight Human Trafficking</title></head>
<body>
{banner_html("short")}
<table width="600"><tr><td><img src="../../images/doj_letterhead.gif" alt="DOJ Press Release letterhead"></td></tr></table>
<p>This file is provided for reference purposes only. It was current when produced, but is no longer maintained and may now be outdated.</p>
<ul><li>IMMEDIATE RELEASE</li><li>Thursday, March 29, 2012</li><li>Office of Justice Programs</li><li>Contact: Public Affairs (202) 307-0703</li></ul>
<h1>Justice Department Awards Grants to Fight Human Trafficking</h1>
<p>WASHINGTON, D.C. - The Office of Justice Programs today announced awards to enhanced collaborative model task forces that identify and rescue victims of human trafficking and prosecute traffickers.</p>
<p>The task forces bring together federal, state, and local law enforcement and victim service providers.</p>
<p>###</p>
</body></html>
"""

TXT_GUIDE = """U.S. Department of Justice
Office of Justice Programs
Bureau of Justice Statistics
---------------------------------------------------
Guide to the BJS Website

December 2002, NCJ 187735
---------------------------------------------------
This file is text only without graphics and many of the tables.

In addition to traditional paper publications, BJS electronically publishes a variety of
materials including statistical graphics and spreadsheets on the BJS website. Every publication
produced by BJS since 1995 is available electronically.
"""


def add_to(content: SiteContent) -> None:
    content.pages += library_pages() + subpages() + dated_pages()
    content.pages.append(
        Page(
            path="/sites/g/files/xyckuh241/files/archives/pressreleases/2012/ojp12026.htm",
            bureau="ojp",
            title="Justice Department Awards Grants to Fight Human Trafficking",
            lastmod="2012-03-29",
            raw=ARCHIVED_RELEASE,
        )
    )
    content.documents.append(
        Document("/txtfiles1/bjs/187735.txt", TXT_GUIDE.encode(), "2002-12-01")
    )
