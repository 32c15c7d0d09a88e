# ruff: noqa: E501  (page text and URLs read better unbroken)
"""Library publications (NCJ-numbered), NCJRS abstracts and the PDF reports they link."""

from __future__ import annotations

from collections.abc import Sequence

from crawlers.sample_site.builder import (
    Page,
    SiteContent,
    bullets,
    drupal_field,
    drupal_items,
    link_list,
    paras,
    pdf_document,
    strong_label,
)

NIJ_DOCS = "/nij/sites/g/files/xyckuh171/files/media/document/"
BJS_DOCS = "/bjs/sites/g/files/xyckuh236/files/media/document/"
SMART_DOCS = "/smart/sites/g/files/xyckuh231/files/media/document/"

SAK_PDF = NIJ_DOCS + "250384.pdf"
RECIDIVISM_PDF = BJS_DOCS + "rpr34s125yfup1217.pdf"
SEX_OFFENDER_PDF = SMART_DOCS + "recidivismofadultsexualoffenders.pdf"
#: NCJRS full text in the legacy file tree: /pdffiles1/<bureau>/<NCJ number>.pdf
TRIBAL_BULLETIN_PDF = "/pdffiles1/ovc/172877.pdf"

NCJRS_HEADER = (
    '<div class="ncjrs-block"><div class="ncjrs-block__title">NCJRS Virtual Library</div>'
    "<p>The Virtual Library houses over 235,000 criminal justice resources, including all known "
    'OJP works.</p><p><a href="/search/ncjrs">Click here to search the NCJRS Virtual Library</a>'
    "</p></div>"
)

LIBRARY_CRUMBS = (("/library/publications", "Library"), ("/library/publications", "Publications"))


def publication(
    *,
    ncj: str,
    date: str,
    length: str,
    annotation: str,
    abstract: str,
    footer_date: str = "",
    series: str = "",
    downloads: Sequence[tuple[str, str]] = (),
    similar: Sequence[tuple[str, str]] = (),
    agencies: Sequence[str] = (),
    topics: Sequence[tuple[str, str]] = (),
    extra: str = "",
) -> str:
    """The body of a library publication page, in the field order of the real template."""
    parts = [
        drupal_field("ncj-number", "NCJ Number", ncj),
        drupal_field("date-published", "Date Published", date),
        drupal_field("length", "Length", length),
        drupal_field("publication-series", "Publication Series", series),
        drupal_field("annotation", "Annotation", annotation),
        drupal_field("abstract", "Abstract", abstract),
        extra,
    ]
    if footer_date:
        parts.append(f'<div class="date-published">Date Published: {footer_date}</div>')
    parts.append(
        '<div class="downloads"><h2>Downloads</h2>'
        + link_list([(href, f"{label} (PDF)") for href, label in downloads], "downloads__list")
        + "</div>"
    )
    if agencies:
        parts.append(drupal_items("agencies", "Agencies", agencies))
    if topics:
        parts.append(
            drupal_items("topics", "Topics", [f'<a href="{h}">{t}</a>' for h, t in topics])
        )
    parts.append(
        '<div class="similar"><h2>Similar Publications</h2>' + link_list(similar) + "</div>"
    )
    return "\n".join(p for p in parts if p)


def abstract_page(
    *,
    ncj: str,
    citation: str = "",
    authors: str = "",
    date: str,
    length: str,
    annotation: str,
    abstract: str,
    series: str = "",
    downloads: Sequence[tuple[str, str]] = (),
    agencies: Sequence[str] = (),
    similar: Sequence[tuple[str, str]] = (),
    length_label: bool = True,
    body_first: bool = False,
) -> str:
    """The body of an NCJRS Virtual Library abstract page (``<!--H1-->`` marks the title).

    ``downloads`` are the full-text files (an abstract without them describes a work the
    library does not hold online)."""
    meta = [
        drupal_field("ncj-number", "NCJ Number", ncj),
        drupal_field("journal", "Journal", citation) if citation else "",
        drupal_field("authors", "Author(s)", authors) if authors else "",
        drupal_field("date-published", "Date Published", date),
        drupal_field("length", "Length", length)
        if length_label
        else f'<div class="field--name-field-length">{length}</div>',
        drupal_field("publication-series", "Publication Series", series) if series else "",
        drupal_field("annotation", "Annotation", annotation),
    ]
    abstract_html = drupal_field("abstract", "Abstract", abstract)
    tail = [
        '<div class="downloads"><h2>Downloads</h2>'
        + link_list([(href, f"{label} (PDF)") for href, label in downloads], "downloads__list")
        + "</div>"
        if downloads
        else "",
        drupal_items("agencies", "Agencies", agencies) if agencies else "",
        '<div class="similar"><h2>Similar Publications</h2>' + link_list(similar) + "</div>",
    ]
    if body_first:
        ordered = [NCJRS_HEADER, abstract_html, "<!--H1-->", *meta, *tail]
    else:
        ordered = [NCJRS_HEADER, "<!--H1-->", *meta, abstract_html, *tail]
    return "\n".join(p for p in ordered if p)


TRAFFICKING_ABSTRACT = paras(
    "The United Nations defines “human trafficking” as “the recruitment, transportation, "
    "transfer, harboring, or receipt of persons by improper means (such as force, abduction, "
    "fraud, or coercion) for an improper purpose, including forced labor or sexual "
    "exploitation.” In 2000, the U.S. Congress enacted the Victims of Trafficking and Violence "
    "Protection Act (TVPA), and in facilitating its implementation NIJ has made human "
    "trafficking a research priority.",
    "The five areas of NIJ research on human trafficking are the nature and extent of "
    "trafficking, the identification and investigation of traffickers, the prosecution of "
    "traffickers, services for trafficking victims, and a reduction in the demand for "
    "trafficking. One study found that 71 percent of labor trafficking victims surveyed came "
    "to the United States legally on a temporary visa; by the time they escaped, 69 percent had "
    "lapsed visas, which employers used as a means of threatening and controlling them. Another "
    "NIJ-funded project developed and validated a screening tool that helps service providers "
    "identify victims of human trafficking. 9 notes",
)


def fight_against_trafficking(path: str, bureau: str, lastmod: str | None) -> Page:
    """The same item (NCJ 252984) as both www.ojp.gov and nij.ojp.gov publish it."""
    return Page(
        path=path,
        bureau=bureau,
        title="The Fight Against Human Trafficking",
        lastmod=lastmod,
        banner="short",
        crumbs=LIBRARY_CRUMBS if bureau == "ojp" else (("/nij/library/nij-journal", "Library"),),
        body=publication(
            ncj="252984",
            date="June 2019",
            length="2 pages",
            series='<a href="/nij/library/nij-journal">NIJ Journal</a>',
            annotation="This article presents an overview of research funded by the U.S. Justice "
            "Department’s National Institute of Justice (NIJ) that addresses the features of and "
            "countermeasures for human trafficking.",
            abstract=TRAFFICKING_ABSTRACT,
            footer_date="June 1, 2019",
            agencies=["NIJ"],
            topics=[("/taxonomy/term/human-trafficking", "Human trafficking")],
            similar=[
                (
                    "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
                    "Overview of Human Trafficking and NIJ’s Role",
                ),
                (
                    "/ncjrs/virtual-library/abstracts/labor-trafficking-investigations-screening-tool",
                    "Validating a Screening Tool for Labor Trafficking Investigations",
                ),
                (
                    "/ovc/funding/opportunities/o-ovc-2024-172012",
                    "OVC FY24 Services for Victims of Human Trafficking",
                ),
            ],
        ),
    )


def ojp_publications() -> list[Page]:
    return [
        fight_against_trafficking(
            "/library/publications/fight-against-human-trafficking", "ojp", "2023-02-14"
        ),
        Page(
            path="/library/publications/ojjdp-overview",
            bureau="ojp",
            title="OJJDP: An Overview",
            lastmod="2021-05-03",
            banner="https-howto",
            crumbs=LIBRARY_CRUMBS,
            body=publication(
                ncj="234073",
                date="October 2011",
                length="4 pages",
                series='<a href="/ojjdp/news/press-releases">OJJDP Fact Sheet</a>',
                annotation="This bulletin from the Office of Juvenile Justice and Delinquency "
                "Prevention (OJJDP) presents an overview of the work of OJJDP.",
                abstract=paras(
                    "Under the 1974 Juvenile Justice and Delinquency Prevention Act, OJJDP sponsors "
                    "research and demonstration programs and offers training and technical "
                    "assistance to States, local governments, and other organizations working to "
                    "reduce juvenile delinquency. OJJDP is comprised of a policy office and three "
                    "divisions that administer its grant programs.",
                    "The Child Protection Division administers programs related to crimes against "
                    "children and children’s exposure to violence, including Internet Crimes "
                    "Against Children, AMBER Alert, and Children’s Advocacy Centers. The "
                    "Demonstration Programs Division funds mentoring, anti-gang programs, the "
                    "Second Chance Act Youth Offender Reentry Initiative, the Tribal Youth Program, "
                    "and juvenile drug courts. The State Relations and Assistance Division provides "
                    "formula grants that help States improve their juvenile justice systems.",
                ),
                footer_date="October 1, 2011",
                agencies=["OJJDP"],
                similar=[
                    (
                        "/ojjdp/library/publications/ojjdp-priorities-youth-justice",
                        "Office of Juvenile Justice and Delinquency Prevention’s Priorities",
                    ),
                    ("/ojjdp/funding/how-to-apply", "How to Apply for Funding"),
                ],
            ),
        ),
        Page(
            path="/library/publications/office-justice-programs-focuses-studying-and-preventing-elder-abuse",
            bureau="ojp",
            title="Office of Justice Programs Focuses on Studying and Preventing Elder Abuse",
            lastmod="2019-09-12",
            crumbs=LIBRARY_CRUMBS,
            canonical=True,
            body=publication(
                ncj="221334",
                date="March 2008",
                length="6 pages",
                annotation="This article describes the many ways in which the U.S. Justice "
                "Department’s Office of Justice Programs (OJP) is working to improve the "
                "Nation’s response to elder abuse.",
                abstract=paras(
                    "Through research, victim services, and statistical reports, OJP intends to "
                    "ensure that criminal justice, medical, and social service professionals have "
                    "the information they need to serve elderly individuals. NIJ research "
                    "examines patterns of bruising in the elderly, the sexual abuse of elderly "
                    "persons, elder abuse as a cause of death, and abuse in residential care "
                    "facilities.",
                    "OJP has developed elder abuse curricula for health care professionals, law "
                    "enforcement, and probation and parole officers, and training videos on "
                    "domestic violence and sexual assault against older women. It supports the "
                    "Texas Elder Abuse and Mistreatment Institute in Houston and multidisciplinary "
                    "elder abuse fatality review teams. The Bureau of Justice Statistics has "
                    "produced several reports on crimes against the elderly. 3 references",
                ),
                footer_date="March 1, 2008",
                agencies=["NIJ", "OVC", "BJS"],
                topics=[("/taxonomy/term/elder-abuse", "Elder abuse")],
                similar=[
                    (
                        "/ncjrs/virtual-library/abstracts/united-states-department-justices-elder-abuse-initiatives",
                        "The United States Department of Justice’s Elder Abuse Initiatives",
                    ),
                ],
            ),
        ),
        Page(
            path="/library/publications/what-office-victims-crime-fact-sheet",
            bureau="ojp",
            title="What Is the Office for Victims of Crime? Fact Sheet",
            lastmod="2024-01-22",
            banner="https",
            crumbs=LIBRARY_CRUMBS,
            # An older template: labels as plain text, Annotation before the date.
            body="\n".join(
                [
                    strong_label("NCJ Number", "306201"),
                    strong_label(
                        "Annotation",
                        "This fact sheet provides information about the Office for Victims of "
                        "Crime, which is part of the Office of Justice Programs in the U.S. "
                        "Department of Justice.",
                    ),
                    strong_label("Date Published", "November 2023"),
                    strong_label("Length", "2 pages"),
                    "<p><strong>Abstract</strong></p>",
                    paras(
                        "OVC awards millions of dollars annually in victim compensation and "
                        "assistance in every U.S. state and some territories, as well as for "
                        "training, technical assistance, and other capacity-building programs that "
                        "enhance service providers’ ability to support victims of crime.",
                        "Created in 1983 to implement recommendations from the President’s Task "
                        "Force on Victims of Crime, OVC was authorized in 1988 through an "
                        "amendment to the Victims of Crime Act of 1984 to administer the Crime "
                        "Victims Fund (CVF). The CVF is composed of fines, penalties, special "
                        "assessments, and bond forfeitures from federal convictions, not tax "
                        "dollars. The fact sheet explains OVC formula and discretionary funding.",
                    ),
                    '<div class="date-published">Date Published: November 1, 2023</div>',
                    '<h2>Downloads</h2><ul class="downloads__list"></ul>',
                    strong_label("Agencies", "OVC"),
                    "<h2>Similar Publications</h2>",
                    link_list(
                        [
                            (
                                "/ncjrs/virtual-library/abstracts/what-office-victims-crime",
                                "What Is the Office for Victims of Crime?",
                            ),
                            ("/ovc/about", "About OVC"),
                        ]
                    ),
                ]
            ),
        ),
        Page(
            path="/library/publications/national-institute-justice-1997-year-review",
            bureau="ojp",
            title="National Institute of Justice 1997 Year in Review",
            lastmod="2012-04-30",
            banner="dotgov",
            crumbs=LIBRARY_CRUMBS,
            body=publication(
                ncj="171679",
                date="1998",
                length="52 pages",
                annotation="This annual report describes the research, development, and "
                "evaluation activities the National Institute of Justice supported in 1997.",
                abstract=paras(
                    "As the research arm of the U.S. Department of Justice, NIJ sponsors research "
                    "and evaluation aimed at preventing and reducing crime and improving the "
                    "operations of the criminal justice system. In 1997 NIJ expanded work under "
                    "the Violent Crime Control and Law Enforcement Act of 1994, including "
                    "evaluations of community policing, drug courts, and violence against women "
                    "programs.",
                    "The report profiles the Crime Mapping Research Center, advances in DNA "
                    "analysis for forensic laboratories, less-than-lethal technologies for law "
                    "enforcement, and NIJ’s role in the National Criminal Justice Reference "
                    "Service, whose database and reference services are available worldwide.",
                ),
                agencies=["NIJ"],
                similar=[("/nij/library/nij-journal", "NIJ Journal")],
            ),
        ),
    ]


def nij_publications() -> list[Page]:
    return [
        fight_against_trafficking(
            "/nij/library/publications/fight-against-human-trafficking", "nij", "2023-02-14"
        ),
        Page(
            path="/nij/library/publications/national-best-practices-sexual-assault-kits-multidisciplinary-approach",
            bureau="nij",
            title="National Best Practices for Sexual Assault Kits: A Multidisciplinary Approach",
            lastmod="2022-08-09",
            banner="https-howto",
            crumbs=(("/nij/library/nij-journal", "Library"),),
            canonical=True,
            body=publication(
                ncj="250384",
                date="August 2017",
                length="84 pages",
                series="NIJ Special Report",
                annotation="This report presents 35 recommendations for the handling of sexual "
                "assault kits, from collection through DNA testing to notification of victims.",
                abstract=paras(
                    "Developed by a working group of forensic scientists, sexual assault nurse "
                    "examiners, law enforcement officers, prosecutors, and victim advocates, the "
                    "recommendations address the collection of evidence, the transport and "
                    "storage of kits, laboratory DNA analysis, the use of CODIS, and the tracking "
                    "of kits so that no kit is left untested.",
                    "The report stresses a victim-centered, trauma-informed approach: victims "
                    "should be informed about the status of their kits, and jurisdictions should "
                    "address backlogs of unsubmitted kits with multidisciplinary teams.",
                ),
                footer_date="August 1, 2017",
                downloads=[(SAK_PDF, "National Best Practices for Sexual Assault Kits")],
                agencies=["NIJ"],
                topics=[
                    (
                        "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
                        "Forensic DNA",
                    ),
                ],
                similar=[
                    (
                        "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
                        "Sexual Assault Kits: Using Science to Find Solutions",
                    ),
                    (
                        "/nij/topics/articles/improving-collection-digital-evidence",
                        "Improving the Collection of Digital Evidence",
                    ),
                ],
            ),
        ),
        Page(
            path="/nij/library/publications/body-worn-cameras-what-law-enforcement-leaders-should-know",
            bureau="nij",
            title="Body-Worn Cameras: What Law Enforcement Leaders Should Know About Costs and Benefits",
            lastmod="2021-03-18",
            crumbs=(("/nij/library/nij-journal", "Library"),),
            # Fields in another order: Annotation and Abstract before the NCJ block.
            body="\n".join(
                [
                    drupal_field(
                        "annotation",
                        "Annotation",
                        "This research in brief summarizes findings from NIJ-funded randomized "
                        "trials of body-worn cameras in police departments.",
                    ),
                    drupal_field(
                        "abstract",
                        "Abstract",
                        paras(
                            "Body-worn cameras have spread rapidly through American law "
                            "enforcement. NIJ-funded evaluations in two large departments found "
                            "that officers wearing cameras received fewer complaints from "
                            "residents and that use-of-force incidents declined in some, but not "
                            "all, settings.",
                            "Agencies should budget for data storage, redaction of footage for "
                            "public records requests, and training, which often cost more than "
                            "the cameras themselves. Clear policies on when officers activate "
                            "cameras and how long video is retained improve public trust.",
                        ),
                    ),
                    drupal_field("ncj-number", "NCJ Number", "300812"),
                    drupal_field("date-published", "Date Published", "March 2021"),
                    drupal_field("length", "Length", "12 pages"),
                    '<div class="date-published">Date Published: March 2, 2021</div>',
                    drupal_items("agencies", "Agencies", ["NIJ", "BJA"]),
                    '<div class="similar"><h2>Similar Publications</h2>'
                    + link_list(
                        [
                            (
                                "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement",
                                "Research on Body-Worn Cameras and Law Enforcement",
                            ),
                            (
                                "/bja/funding/opportunities/o-bja-2023-171861",
                                "BJA FY23 Body-Worn Camera Policy and Implementation Program",
                            ),
                        ]
                    )
                    + "</div>",
                ]
            ),
        ),
    ]


def bureau_publications() -> list[Page]:
    return [
        Page(
            path="/bjs/library/publications/criminal-victimization-2022",
            bureau="bjs",
            title="Criminal Victimization, 2022",
            lastmod="2023-09-29",
            banner="https",
            crumbs=(("/bjs/library/publications/criminal-victimization-2022", "Publications"),),
            body=publication(
                ncj="307089",
                date="September 2023",
                length="20 pages",
                series="Criminal Victimization",
                annotation="This report presents 2022 statistics on the characteristics of "
                "criminal victimizations and victims from the National Crime Victimization Survey "
                "(NCVS).",
                abstract=paras(
                    "This report is the 50th in a series that began in 1973 and includes "
                    "statistics on nonfatal violent crimes (rape or sexual assault, robbery, "
                    "aggravated assault, and simple assault) and property crimes (burglary or "
                    "trespassing, motor vehicle theft, and other household theft). It also "
                    "describes the characteristics of crimes and victims.",
                ),
                extra="<h2>Highlights:</h2>"
                + bullets(
                    "The violent victimization rate increased from 16.5 victimizations per 1,000 "
                    "persons in 2021 to 23.5 per 1,000 in 2022.",
                    "From 1993 to 2022, the overall rate of violent victimization declined from "
                    "79.8 to 23.5 victimizations per 1,000 persons age 12 or older.",
                    "In 2022, about 2 in 5 (42%) violent victimizations were reported to police.",
                    "Motor vehicle theft victimization increased from 4.3 to 5.5 victimizations "
                    "per 1,000 households from 2021 to 2022.",
                )
                + '<h2>Related Datasets</h2><ul><li><a href="/bjs/data-collection/'
                'national-crime-victimization-survey-ncvs">National Crime Victimization Survey'
                "</a></li></ul>",
                footer_date="September 29, 2023",
                agencies=["BJS"],
                similar=[
                    (
                        "/bjs/library/publications/recidivism-prisoners-released-34-states-2012",
                        "Recidivism of Prisoners Released in 34 States in 2012",
                    ),
                    (
                        "/library/publications/what-office-victims-crime-fact-sheet",
                        "What Is the Office for Victims of Crime? Fact Sheet",
                    ),
                ],
            ),
        ),
        Page(
            path="/bjs/library/publications/recidivism-prisoners-released-34-states-2012",
            bureau="bjs",
            title="Recidivism of Prisoners Released in 34 States in 2012: A 5-Year Follow-Up Period (2012–2017)",
            lastmod="2021-07-08",
            crumbs=(("/bjs/library/publications/criminal-victimization-2022", "Publications"),),
            body=publication(
                ncj="255947",
                date="July 2021",
                length="27 pages",
                series="Recidivism of State Prisoners",
                annotation="This report examines the arrests of state prisoners released in 2012 "
                "across 34 states during the 5 years after release.",
                abstract=paras(
                    "Using criminal history records, BJS tracked a sample of persons released "
                    "from state prisons in 2012. About 62% of released prisoners were arrested "
                    "within 3 years and 71% within 5 years. Recidivism rates were highest in the "
                    "first year after release and among younger persons and those with longer "
                    "criminal histories.",
                ),
                extra="<h2>Highlights:</h2>"
                + bullets(
                    "An estimated 71% of prisoners released in 2012 were arrested within 5 years.",
                    "About 46% of released prisoners had a parole or probation violation or an "
                    "arrest for a new offense that led to imprisonment within 5 years.",
                    "Prisoners released after serving time for a property offense were the most "
                    "likely to be rearrested.",
                ),
                footer_date="July 8, 2021",
                downloads=[(RECIDIVISM_PDF, "Recidivism of Prisoners Released in 34 States")],
                agencies=["BJS"],
                similar=[
                    (
                        "/news/ojp-blogs/second-chances-first-opportunities",
                        "Second Chances, First Opportunities",
                    ),
                    (
                        "/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct",
                        "How Probationers’ Thoughts on Crime May Inform Conduct",
                    ),
                ],
            ),
        ),
        Page(
            path="/ojjdp/library/publications/ojjdp-priorities-youth-justice",
            bureau="ojjdp",
            title="Office of Juvenile Justice and Delinquency Prevention’s Priorities",
            lastmod="2022-06-15",
            banner="https",
            crumbs=(("/ojjdp/news/press-releases", "Library"),),
            body=publication(
                ncj="302692",
                date="June, 2022",
                length="8 pages",
                annotation="The priorities described in this paper reflect the guiding "
                "philosophy of OJJDP, established in 1974 to guide national efforts to prevent "
                "delinquency and protect children.",
                abstract=paras(
                    "OJJDP leads national efforts to develop a juvenile justice system that takes "
                    "into account research on adolescent brain development, recognizes that most "
                    "youth are better served in their own communities where families can be "
                    "involved in their treatment, and gives youth involved in the justice system "
                    "the same opportunities for constructive development as other youth.",
                    "The office treats children and youth with fairness and dignity, supports "
                    "community-based alternatives to confinement, and funds training and "
                    "technical assistance for youth justice and child protection professionals.",
                ),
                footer_date="June 1, 2022",
                agencies=["OJJDP"],
                similar=[("/library/publications/ojjdp-overview", "OJJDP: An Overview")],
            ),
        ),
        Page(
            path="/smart/library/publications/recidivism-adult-sexual-offenders",
            bureau="smart",
            title="Recidivism of Adult Sexual Offenders",
            lastmod="2015-07-20",
            banner="dotgov",
            crumbs=(("/smart/somapi/adult-sex-offender-management", "SOMAPI"),),
            body=publication(
                ncj="247059",
                date="July 2015",
                length="6 pages",
                series="SOMAPI Research Brief",
                annotation="This research brief from the Sex Offender Management Assessment and "
                "Planning Initiative summarizes what is known about the recidivism of adult "
                "sexual offenders.",
                abstract=paras(
                    "Observed recidivism rates of sexual offenders are lower than many people "
                    "assume, but they underestimate actual reoffending because many sexual "
                    "crimes are never reported. Studies using longer follow-up periods find "
                    "higher rates. Risk differs across offender types, and validated risk "
                    "assessment instruments help supervision agencies focus resources on "
                    "higher-risk registrants.",
                ),
                footer_date="July 1, 2015",
                downloads=[(SEX_OFFENDER_PDF, "Recidivism of Adult Sexual Offenders")],
                agencies=["SMART"],
                similar=[
                    (
                        "/smart/somapi/adult-sex-offender-management",
                        "Adult Sex Offender Management",
                    ),
                    (
                        "/bjs/library/publications/recidivism-prisoners-released-34-states-2012",
                        "Recidivism of Prisoners Released in 34 States in 2012",
                    ),
                ],
            ),
        ),
    ]


ABSTRACT_CRUMBS = (("/ncjrs/virtual-library/abstracts/what-office-victims-crime", "NCJRS"),)


def ncjrs_abstracts() -> list[Page]:
    return [
        Page(
            path="/ncjrs/virtual-library/abstracts/united-states-department-justices-elder-abuse-initiatives",
            bureau="ojp",
            title="The United States Department of Justice’s Elder Abuse Initiatives",
            lastmod="2019-05-02",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                ncj="252538",
                citation="Journal of Federal Law and Practice Volume: 66 Issue: 7 Dated: "
                "December 2018 Pages: 3-30",
                authors="Laura Ivkovich; Andy Mao; Carrie Mulford .",
                date="December 2018",
                length="28 pages",
                annotation="This article describes the elder abuse initiatives of the U.S. "
                "Justice Department, including research, prosecution support, and training.",
                abstract=paras(
                    "Elder abuse affects at least 10 percent of older adults living in the "
                    "community each year. The Elder Justice Initiative coordinates the "
                    "Department’s efforts to combat elder abuse, neglect, and financial "
                    "exploitation, and supports prosecutors with resources on elder financial "
                    "fraud and scams that target older Americans.",
                    "NIJ has funded research on the measurement of elder mistreatment, forensic "
                    "markers of abuse, and interventions for victims, while OVC supports "
                    "training for victim service providers working with older victims.",
                ),
                agencies=["NIJ", "OVC"],
                similar=[
                    (
                        "/library/publications/office-justice-programs-focuses-studying-and-preventing-elder-abuse",
                        "Office of Justice Programs Focuses on Studying and Preventing Elder Abuse",
                    ),
                ],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/what-office-victims-crime",
            bureau="ojp",
            title="What Is the Office for Victims of Crime?",
            lastmod="2016-11-04",
            banner="dotgov",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                body_first=True,
                ncj="184920",
                date="September 1999",
                length="2 pages",
                annotation="The Office for Victims of Crime (OVC), created in 1983, provides "
                "Federal funds to support victim assistance and compensation programs throughout "
                "the United States.",
                abstract=paras(
                    "The mission of OVC is to assist crime victims and provide leadership in "
                    "changing attitudes, policies, and practices related to crime victims. OVC "
                    "administers the Crime Victims Fund, supports direct services, and provides "
                    "training for victim service providers, law enforcement, prosecutors, the "
                    "judiciary, the clergy, and medical and mental health personnel.",
                    "The Crime Victims Fund is derived from fines and penalties paid by Federal "
                    "criminal offenders, and nearly 90 percent of the money collected each year "
                    "is distributed to States to fund victim assistance and compensation "
                    "programs.",
                ),
                agencies=["OVC"],
                similar=[
                    (
                        "/library/publications/what-office-victims-crime-fact-sheet",
                        "What Is the Office for Victims of Crime? Fact Sheet",
                    ),
                ],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/2015-ovc-report-nation-fast-facts-fact-sheet",
            bureau="ojp",
            title="OVC Fast Facts: Office for Victims of Crime Reports on 2013–2014 Programs and Services Fact Sheet",
            lastmod="2015-10-01",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                length_label=False,
                ncj="249152",
                date="August 2015",
                length="2 pages",
                annotation="This fact sheet summarizes the programs and services of OVC that "
                "were conducted in fiscal years 2013-2014.",
                abstract=paras(
                    "OVC’s 2015 Report to the Nation, “Building Capacity Through Research, "
                    "Innovation, Technology, and Training,” describes progress in upholding "
                    "victims’ rights during FYs 2013 and 2014. OVC partnered with the Department "
                    "of Defense on sexual assault in the military, awarded nearly $18 million to "
                    "grantees and task forces serving human trafficking victims, and established "
                    "sexual assault nurse examiner programs at three tribal demonstration sites.",
                ),
                agencies=["OVC"],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/victims-crime-act-1984-amended-report-president-congress-and-nation",
            bureau="ojp",
            title="Victims of Crime Act of 1984, as Amended: A Report to the President, the Congress, and the Nation",
            lastmod="2010-03-15",
            banner="https",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                ncj="188998",
                date="",  # the label is there, its value is empty
                length="92 pages",
                annotation="This document presents the major undertakings of the Office for "
                "Victims of Crime during fiscal years 1999 and 2000.",
                abstract=paras(
                    "Chapter 1 describes OVC’s leadership in developing effective responses to "
                    "crime victims worldwide. Chapter 2 covers State compensation and assistance "
                    "programs, which pay for medical care, mental health counseling, and lost "
                    "wages, and fund domestic violence shelters, children’s advocacy centers, "
                    "and rape treatment programs. Chapter 3 discusses the National Victim "
                    "Assistance Academy; chapter 4 describes evaluations of VOCA compensation "
                    "and assistance programs and services to families during the Pan Am 103 "
                    "trial.",
                ),
                agencies=["OVC"],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/law-enforcement-naloxone-programs-opioid-overdose",
            bureau="ojp",
            title="Law Enforcement Naloxone Programs and Opioid Overdose Reversals",
            lastmod="2020-01-27",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                ncj="254211",
                citation="Journal of Drug Issues Volume: 49 Issue: 3 Dated: July 2019 "
                "Pages: 512-530",
                authors="Renee Whitfield; Omar Castellanos; Dana P. Kessler .",
                date="July 2019",
                length="19 pages",
                annotation="This study examines how police departments that equip officers with "
                "naloxone respond to opioid overdoses and refer survivors to treatment.",
                abstract=paras(
                    "Drawing on incident records from 48 police departments, the authors found "
                    "that officers administered naloxone in more than 2,300 suspected opioid "
                    "overdoses, with a survival rate above 90 percent. Departments that paired "
                    "naloxone with post-overdose outreach teams connected more survivors to "
                    "medication for opioid use disorder.",
                    "The study recommends training on fentanyl exposure, data sharing with "
                    "public health agencies, and partnerships under the Comprehensive Opioid, "
                    "Stimulant, and Substance Use Program.",
                ),
                agencies=["BJA"],
                similar=[
                    (
                        "/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum",
                        "2019 National Opioid and Emerging Drug Threats Policy & Practice Forum",
                    ),
                ],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/labor-trafficking-investigations-screening-tool",
            bureau="ojp",
            title="Validating a Screening Tool for Labor Trafficking Investigations",
            lastmod="2016-06-30",
            banner="https-howto",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                ncj="246712",
                authors="Meredith Dank; Colleen Owens; Amy Farrell .",
                date="June 2016",
                length="214 pages",
                annotation="This NIJ-funded report describes the development and validation of a "
                "screening tool that helps service providers and investigators identify victims "
                "of labor and sex trafficking.",
                abstract=paras(
                    "Researchers tested the Trafficking Victim Identification Tool with 180 "
                    "clients of victim service agencies in New York, Colorado, Washington, and "
                    "Texas. The short version of the tool identified trafficking victims with "
                    "high reliability, including victims of labor trafficking in agriculture, "
                    "domestic work, and restaurants who had not described themselves as victims.",
                ),
                agencies=["NIJ"],
                similar=[
                    (
                        "/library/publications/fight-against-human-trafficking",
                        "The Fight Against Human Trafficking",
                    ),
                ],
            ),
        ),
        *full_text_and_spanish_abstracts(),
    ]


def full_text_and_spanish_abstracts() -> list[Page]:
    """An abstract with a series and its full text (a PDF the crawl reads), and a
    Spanish-language one (``<html lang="es">``; labels stay in the site's English template)."""
    return [
        Page(
            path="/ncjrs/virtual-library/abstracts/improving-tribalfederal-prosecution-child-sexual-abuse-cases",
            bureau="ojp",
            title="Improving Tribal/Federal Prosecution of Child Sexual Abuse Cases Through Agency Cooperation",
            lastmod="2018-08-21",
            banner="https",
            crumbs=ABSTRACT_CRUMBS,
            body=abstract_page(
                ncj="172877",
                date="September 1999",
                length="7 pages",
                series="OVC Bulletin",
                annotation="This bulletin presents information intended to improve cooperation "
                "between tribal and federal agencies in handling child sexual abuse cases in "
                "American Indian communities.",
                abstract=paras(
                    "Child sexual abuse cases in Indian Country often present a jurisdictional "
                    "maze: it can be hard to tell whether tribal or federal officials have "
                    "jurisdiction, and some cases fall under both. Because jurisdictional lines "
                    "overlap, law enforcement agencies and service providers may each interview "
                    "a child victim, and the repeated interviews add to the child’s trauma.",
                    "Many tribes have responded with multiagency protocols, multidisciplinary "
                    "teams, children’s advocacy centers, and court appointed special advocate "
                    "programs. The federal government has added Assistant U.S. Attorneys in "
                    "districts with large Indian populations and created offices to support "
                    "tribes. Children’s Justice Act grants help tribes coordinate investigation "
                    "and prosecution. The bulletin lists national organizations that can help.",
                ),
                downloads=[(TRIBAL_BULLETIN_PDF, "Improving Tribal/Federal Prosecution")],
                agencies=["OVC"],
                similar=[
                    (
                        "/ncjrs/virtual-library/abstracts/what-office-victims-crime",
                        "What Is the Office for Victims of Crime?",
                    ),
                ],
            ),
        ),
        Page(
            path="/ncjrs/virtual-library/abstracts/que-puede-hacer-si-usted-es-victima-de-un-delito",
            bureau="ojp",
            title="¿Qué puede hacer si usted es víctima de un delito?",
            lastmod="2006-02-14",
            crumbs=ABSTRACT_CRUMBS,
            lang="es",
            body=abstract_page(
                ncj="211997",
                date="April 2002",
                length="2 pages",
                annotation="Esta es la versión en español del folleto de la Oficina para "
                "Víctimas del Delito (OVC) que explica los derechos de las víctimas de delitos, "
                "cómo pueden obtener ayuda y cómo pueden trabajar por un cambio positivo.",
                abstract=paras(
                    "La mayoría de los estados han enmendado sus constituciones para garantizar "
                    "derechos a las víctimas de delitos, como el derecho a ser notificadas de "
                    "los procesos judiciales, a recibir protección razonable del acusado y a ser "
                    "escuchadas antes de la sentencia.",
                    "Los programas de compensación reembolsan a las víctimas los gastos "
                    "médicos, de salud mental, funerarios y de sueldos perdidos. Los programas "
                    "de asistencia ofrecen intervención en crisis, consejería, refugio de "
                    "emergencia, acompañamiento en el proceso penal y transporte. El Fondo "
                    "Federal para Víctimas del Delito financia muchos de estos programas.",
                    "Muchas víctimas ayudan a otras como voluntarias en refugios y líneas de "
                    "crisis o abogando por nuevas leyes. El folleto incluye los datos de "
                    "contacto de organizaciones nacionales y de las oficinas estatales de "
                    "compensación y asistencia a víctimas.",
                ),
                agencies=["OVC"],
                similar=[
                    (
                        "/ncjrs/virtual-library/abstracts/what-office-victims-crime",
                        "What Is the Office for Victims of Crime?",
                    ),
                ],
            ),
        ),
    ]


def reports() -> list:
    return [
        pdf_document(
            SAK_PDF,
            "National Best Practices for Sexual Assault Kits: A Multidisciplinary Approach",
            [
                "National Best Practices for Sexual Assault Kits: A Multidisciplinary Approach\n"
                "U.S. Department of Justice, Office of Justice Programs, National Institute of "
                "Justice. NCJ 250384. August 2017.\n\n"
                "This report offers 35 recommendations to improve the collection, storage, "
                "testing, and tracking of sexual assault kits. The recommendations were developed "
                "by a working group of forensic scientists, sexual assault nurse examiners, law "
                "enforcement officers, prosecutors, and victim advocates.",
                "Recommendation 1: Jurisdictions should submit every sexual assault kit collected "
                "with the victim's consent to a forensic laboratory for DNA testing.\n"
                "Recommendation 2: Laboratories should upload eligible DNA profiles to CODIS and "
                "report hits to investigators promptly.\n"
                "Recommendation 3: A multidisciplinary team should review untested kits and "
                "design a victim notification protocol that is trauma-informed.",
                "Kit tracking systems allow victims to learn where their kit is in the process. "
                "Statewide tracking programs funded by BJA's Sexual Assault Kit Initiative have "
                "reduced backlogs and helped solve cold cases through CODIS hits.",
            ],
        ),
        pdf_document(
            RECIDIVISM_PDF,
            "Recidivism of Prisoners Released in 34 States in 2012",
            [
                "Recidivism of Prisoners Released in 34 States in 2012: A 5-Year Follow-Up "
                "Period (2012-2017)\nBureau of Justice Statistics Special Report, NCJ 255947, "
                "July 2021.\n\n"
                "An estimated 62% of prisoners released across 34 states in 2012 were arrested "
                "within 3 years, and 71% were arrested within 5 years. Recidivism was highest in "
                "the first year after release.",
                "Methodology: BJS obtained criminal history records from state repositories and "
                "the FBI's Interstate Identification Index for a sample of 92,100 persons "
                "representing 408,300 prisoners released in 2012. Arrests in any state were "
                "counted, including arrests for parole violations.",
            ],
            "2021-07-08",
        ),
        pdf_document(
            SEX_OFFENDER_PDF,
            "Recidivism of Adult Sexual Offenders",
            [
                "Recidivism of Adult Sexual Offenders\nSex Offender Management Assessment and "
                "Planning Initiative (SOMAPI) Research Brief, SMART Office, July 2015.\n\n"
                "Observed sexual recidivism rates underestimate actual reoffending because many "
                "sexual crimes are never reported to law enforcement. Rates rise with the length "
                "of the follow-up period.",
                "Risk assessment instruments such as the Static-99R help supervision and "
                "registration agencies focus resources on higher-risk offenders. Treatment "
                "grounded in cognitive-behavioral approaches is associated with reduced "
                "recidivism.",
            ],
        ),
        pdf_document(
            TRIBAL_BULLETIN_PDF,
            "OVC Bulletin: Improving Tribal/Federal Prosecution of Child Sexual Abuse Cases "
            "Through Agency Cooperation",
            [
                "OVC Bulletin\nImproving Tribal/Federal Prosecution of Child Sexual Abuse Cases "
                "Through Agency Cooperation\nU.S. Department of Justice, Office of Justice "
                "Programs, Office for Victims of Crime. NCJ 172877. September 1999.\n\n"
                "Message From the Director\nThis bulletin presents basic information for "
                "improving cooperation between tribal and federal agencies in handling child "
                "sexual abuse cases. Close cooperation between tribal and federal law enforcement "
                "agencies helps ensure effective investigation and prosecution and spares child "
                "victims from being interviewed again and again.",
                "The Children's Justice Act of 1986 makes funds available to improve the handling "
                "of child abuse cases through a multidisciplinary, coordinated approach. Since "
                "1989, Children's Justice Act Partnerships for Indian Communities grants have "
                "helped tribes write child abuse codes, form multidisciplinary teams, and adopt "
                "protocols that say which agency interviews the child and when.\n"
                "Recommendation: tribal and federal investigators, prosecutors, and victim "
                "advocates should agree in writing on how reports are shared and cases referred.",
                "Resources\nNational Indian Child Welfare Association; National Children's "
                "Advocacy Center; National Court Appointed Special Advocate Association; "
                "Tribal Law and Policy Institute; OVC Resource Center.",
            ],
        ),
    ]


def add_to(content: SiteContent) -> None:
    content.pages += ojp_publications() + nij_publications() + bureau_publications()
    content.pages += ncjrs_abstracts()
    content.documents += reports()
