# ruff: noqa: E501  (page text and URLs read better unbroken)
"""nij.ojp.gov pages (under /nij/): home, topic articles, topic listings, funding, events, and
the low-value image and multimedia pages."""

from __future__ import annotations

from crawlers.sample_site.builder import (
    Page,
    SiteContent,
    bullets,
    date_created,
    drupal_field,
    image_credit,
    link_list,
    paras,
    teaser,
)

ARTICLE_CRUMBS = (("/nij/topics/human-trafficking", "Topics"),)


def article(dek: str, date: str, body: str, topics: list[tuple[str, str]], notes: list[str]) -> str:
    """A topic article: dek, Date Published, body with [n] footnotes, notes, topic links."""
    notes_html = "".join(f'<li id="note{i}">[{i}] {n}</li>' for i, n in enumerate(notes, 1))
    topic_links = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in topics)
    return (
        f'<div class="article-dek field--name-field-dek">{dek}</div>'
        + drupal_field("date-published", "Date Published", date)
        + f'<div class="field field--name-body">{body}</div>'
        + (f'<h2>Notes</h2><ol class="footnotes">{notes_html}</ol>' if notes else "")
        + '<div class="field field--name-field-topics"><h2>Related Topics</h2>'
        + f"<ul>{topic_links}</ul></div>"
    )


def article_pages() -> list[Page]:
    return [
        Page(
            path="/nij/topics/articles/overview-human-trafficking-and-nijs-role",
            bureau="nij",
            title="Overview of Human Trafficking and NIJ’s Role",
            lastmod="2022-10-26",
            banner="https-howto",
            crumbs=ARTICLE_CRUMBS,
            body=article(
                "NIJ is committed to assisting with the detection and prosecution of human "
                "traffickers through the funding of rigorous research.",
                "October 26, 2022",
                paras(
                    "Human trafficking is a crime that involves compelling or coercing a person "
                    "to provide labor or services, or to engage in commercial sex acts. The "
                    "coercion can be subtle or overt, physical or psychological.[1] Exploitation "
                    "of a minor for commercial sex is human trafficking, regardless of whether "
                    "any form of force, fraud, or coercion was used.",
                    "Labor trafficking is the recruitment, harboring, transportation, provision, "
                    "or obtaining of a person for labor or services through the use of force, "
                    "fraud, or coercion for the purpose of involuntary servitude, peonage, debt "
                    "bondage, or slavery.[2]",
                    "NIJ’s research portfolio emphasizes strengthening the science of measuring "
                    "the prevalence of trafficking, preventing trafficking, improving the "
                    "identification, investigation, and prosecution of traffickers, and "
                    "identifying best practices for providing services to victims.",
                ),
                [
                    ("/nij/topics/human-trafficking", "Human trafficking"),
                    ("/nij/taxonomy/term/labor-trafficking", "Labor trafficking"),
                ],
                [
                    "22 U.S.C. § 7102.",
                    "Trafficking Victims Protection Act of 2000, Pub. L. No. 106-386.",
                ],
            ),
        ),
        Page(
            path="/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct",
            bureau="nij",
            title="How Probationers’ Thoughts on Crime May Inform Conduct",
            lastmod="2022-11-03",
            crumbs=(("/nij/topics/corrections", "Corrections"),),
            body=image_credit(
                "nij", "2022-10/field.jpg", "people sitting in a green field", "Krisztina Papp"
            )
            + article(
                "The ways that people on probation think about crime can offer clues about "
                "whether they will resume or reject a criminal life.",
                "November 3, 2022",
                paras(
                    "A recent NIJ-funded study investigated decision-making toward desistance, "
                    "that is, refraining from crime going forward, and looked specifically at the "
                    "links between probationers’ cognition and desistance.[1]",
                    "Researchers interviewed people on probation several times over a year. "
                    "Those who weighed the costs of crime more heavily, and who saw themselves "
                    "as changing, were less likely to be rearrested, a finding that matters for "
                    "reducing recidivism through supervision practices.[2]",
                    "Probation officers can use cognitive-behavioral approaches that encourage "
                    "people to think through the consequences of their choices.",
                ),
                [
                    (
                        "/bjs/library/publications/recidivism-prisoners-released-34-states-2012",
                        "Recidivism",
                    ),
                    ("/nij/topics/corrections", "Corrections"),
                ],
                [
                    "Desistance study, NIJ award 2016-R2-CX-0030.",
                    "Pathways to Desistance Among Juveniles and Adults, NIJ white paper, 2021.",
                ],
            ),
        ),
        Page(
            path="/nij/topics/articles/improving-collection-digital-evidence",
            bureau="nij",
            title="Improving the Collection of Digital Evidence",
            lastmod="2023-06-14",
            banner="dotgov",
            crumbs=(("/nij/topics/forensics", "Forensics"),),
            body=image_credit(
                "nij",
                "2023-06/digital-evidence.jpg",
                "a pile of digital evidence next to an evidence collection bag",
                "digicompphoto",
            )
            + article(
                "Two NIJ-funded projects introduce new tools for collecting and processing "
                "digital evidence.",
                "June 14, 2023",
                paras(
                    "Digital evidence now figures in most criminal investigations. Two NIJ-funded "
                    "projects introduce new methods for processing digital evidence in cases "
                    "involving child sexual abuse materials and large-scale computer networks.[1]",
                    "The first tool triages seized devices so examiners can find relevant files "
                    "faster; the second captures network traffic in a forensically sound way.[2] "
                    "NIJ plans to evaluate both tools before recommending them to forensic "
                    "laboratories.",
                ),
                [("/nij/topics/forensics", "Forensics")],
                ["NIJ Journal 285.", "Forensic soundness testing protocol, NIJ, 2023."],
            ),
        ),
        Page(
            path="/nij/topics/articles/research-body-worn-cameras-and-law-enforcement",
            bureau="nij",
            title="Research on Body-Worn Cameras and Law Enforcement",
            lastmod="2022-01-07",
            crumbs=(("/nij/topics/law-enforcement", "Law Enforcement"),),
            body=article(
                "NIJ has funded research on how body-worn cameras affect police and community "
                "interactions.",
                "January 7, 2022",
                paras(
                    "Body-worn cameras are small video recorders worn by officers that capture "
                    "encounters with the public. Law enforcement agencies have adopted them to "
                    "improve transparency and accountability.[1]",
                    "NIJ-funded randomized controlled trials in Las Vegas and Washington, DC, "
                    "found mixed effects on use of force and citizen complaints. Officers "
                    "generally viewed cameras more favorably after using them.[2]",
                    "Open questions remain about the costs of video storage, privacy of "
                    "bystanders, and how prosecutors use footage as evidence.",
                ),
                [
                    ("/nij/topics/law-enforcement", "Law enforcement"),
                    ("/bja/funding/opportunities/o-bja-2023-171861", "Body-worn cameras"),
                ],
                ["Body-Worn Camera Toolkit, BJA.", "NIJ award 2013-IJ-CX-0016."],
            ),
        ),
        Page(
            path="/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
            bureau="nij",
            title="Sexual Assault Kits: Using Science to Find Solutions",
            lastmod="2020-12-09",
            banner="https",
            crumbs=(("/nij/topics/forensics", "Forensics"),),
            body=article(
                "Testing backlogged sexual assault kits can identify serial offenders and bring "
                "justice to victims.",
                "December 9, 2020",
                paras(
                    "Untested sexual assault kits have been found in police evidence rooms across "
                    "the country. NIJ action research in Detroit and Houston showed that testing "
                    "these kits produced DNA profiles eligible for CODIS and identified serial "
                    "offenders.[1]",
                    "Advances in DNA analysis, including Rapid DNA and Y-STR testing, make it "
                    "possible to obtain profiles from evidence collected days after an assault."
                    "[2] NIJ’s national best practices recommend submitting every kit for "
                    "testing with the victim’s consent.",
                ),
                [
                    ("/nij/topics/forensics", "Forensic DNA"),
                    (
                        "/nij/library/publications/national-best-practices-sexual-assault-kits-"
                        "multidisciplinary-approach",
                        "Sexual assault kits",
                    ),
                ],
                [
                    "Detroit Sexual Assault Kit Action Research Project, 2015.",
                    "NIJ Forensic Technology Center of Excellence.",
                ],
            ),
        ),
    ]


def body_armor_article() -> Page:
    return Page(
        path="/nij/topics/articles/ballistic-resistant-body-armor-and-nij-mark",
        bureau="nij",
        title="Ballistic Resistant Body Armor and the NIJ Mark",
        lastmod="2022-09-20",
        banner="https",
        crumbs=(("/nij/topics/law-enforcement", "Law Enforcement"),),
        body=article(
            "The NIJ Compliance Testing Program tells officers which body armor models meet the "
            "NIJ standard.",
            "September 20, 2022",
            paras(
                "The NIJ Compliance Testing Program (CTP) aims to improve criminal justice "
                "practitioners’ confidence that the products they own meet applicable "
                "requirements and perform as expected. To achieve this, the CTP evaluates "
                "products independently and communicates the results to practitioners.[1]",
                "Ballistic resistant body armor that passes testing against NIJ Standard-0101.06 "
                "may carry the NIJ Mark, a certification mark that shows a model was tested by an "
                "accredited laboratory and is covered by follow-up inspection and testing.[2]",
                "Agencies buying vests with Bulletproof Vest Partnership funds from BJA must "
                "purchase armor models listed as compliant with the NIJ standard.",
            ),
            [
                ("/nij/topics/law-enforcement", "Officer safety"),
                (
                    "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement",
                    "Law enforcement technology",
                ),
            ],
            [
                "NIJ Compliance Testing Program.",
                "NIJ Standard-0101.06, Ballistic Resistance of Body Armor, 2008.",
            ],
        ),
    )


def topic_pages() -> list[Page]:
    return [
        Page(
            path="/nij/topics/human-trafficking",
            bureau="nij",
            title="Human Trafficking",
            lastmod="2023-10-05",
            body=image_credit("nij", "2023-10/ht.jpg", "rope", "271 EAK MOTO / © Shutterstock.com")
            + paras(
                "NIJ funds research on human trafficking and evaluation of promising "
                "practices. The overall emphasis for NIJ’s research lies on:"
            )
            + bullets(
                "Strengthening the science of measuring the prevalence of human trafficking",
                "Preventing trafficking",
                "Improving the identification, investigation, and prosecution of traffickers",
                "Identifying best practices for identifying and providing services to victims.",
            )
            + paras(
                "While NIJ focuses on human trafficking as it occurs in the United States, it "
                "draws on research findings from around the world."
            )
            + link_list(
                [
                    (
                        "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
                        "Overview of Human Trafficking and NIJ’s Role",
                    ),
                    (
                        "/nij/library/publications/fight-against-human-trafficking",
                        "The Fight Against Human Trafficking",
                    ),
                    ("/nij/taxonomy/term/labor-trafficking", "Labor trafficking"),
                ]
            )
            + date_created("March 4, 2019"),
        ),
        Page(
            path="/nij/topics/forensics",
            bureau="nij",
            title="Forensics",
            lastmod="2023-06-14",
            body=paras(
                "NIJ supports research and development in forensic science, including DNA "
                "analysis, digital evidence, trace evidence, and forensic pathology, and "
                "funds programs that reduce backlogs in crime laboratories."
            )
            + link_list(
                [
                    (
                        "/nij/topics/articles/improving-collection-digital-evidence",
                        "Improving the Collection of Digital Evidence",
                    ),
                    (
                        "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
                        "Sexual Assault Kits: Using Science to Find Solutions",
                    ),
                ]
            )
            + date_created("July 31, 2019"),
        ),
        Page(
            path="/nij/topics/law-enforcement",
            bureau="nij",
            title="Law Enforcement",
            lastmod="2022-01-07",
            banner="https",
            body=paras(
                "NIJ research on policing covers officer safety and wellness, technology "
                "such as body-worn cameras, use of force, and community relationships."
            )
            + link_list(
                [
                    (
                        "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement",
                        "Research on Body-Worn Cameras and Law Enforcement",
                    ),
                    (
                        "/nij/library/publications/body-worn-cameras-what-law-enforcement-leaders-"
                        "should-know",
                        "Body-Worn Cameras: What Law Enforcement Leaders Should Know",
                    ),
                    (
                        "/nij/topics/articles/ballistic-resistant-body-armor-and-nij-mark",
                        "Ballistic Resistant Body Armor and the NIJ Mark",
                    ),
                ]
            )
            + date_created("July 31, 2019"),
        ),
        Page(
            path="/nij/topics/corrections",
            bureau="nij",
            title="Corrections",
            body=paras(
                "NIJ research on corrections examines reentry, recidivism, community "
                "supervision, and conditions of confinement in jails and prisons."
            )
            + link_list(
                [
                    (
                        "/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct",
                        "How Probationers’ Thoughts on Crime May Inform Conduct",
                    )
                ]
            )
            + date_created("July 31, 2019"),
        ),
        Page(
            path="/nij/taxonomy/term/labor-trafficking",
            bureau="nij",
            title="Labor trafficking",
            lastmod="2024-05-30",
            canonical=True,
            share=False,
            body_class="path-taxonomy",
            body='<div class="view-content">'
            + teaser(
                "/nij/funding/opportunities/o-nij-2024-171953",
                "NIJ FY24 Research and Evaluation on Trafficking in Persons",
                "",
                "In collaboration with the Office for Victims of Crime (OVC), NIJ seeks to "
                "build upon its research and evaluation efforts to better understand, "
                "prevent, and respond to trafficking in persons. NIJ seeks proposals for "
                "research...",
                [
                    ("Closing Date", ""),
                    ("Grants.gov Deadline", ""),
                    ("Application JustGrants Deadline", ""),
                ],
            )
            + teaser(
                "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
                "Overview of Human Trafficking and NIJ’s Role",
                "October 2022",
                "Human trafficking is a crime that involves compelling or coercing a person "
                "to provide labor or services...",
            )
            + teaser(
                "/ncjrs/virtual-library/abstracts/labor-trafficking-investigations-screening-tool",
                "Validating a Screening Tool for Labor Trafficking Investigations",
                "June 2016",
                "Researchers tested the Trafficking Victim Identification Tool "
                "with 180 clients of victim service agencies...",
            )
            + "</div>",
        ),
        Page(
            path="/nij/taxonomy/term/19541",
            bureau="nij",
            title="National Institute of Justice (NIJ)",
            banner="dotgov",
            lastmod="2016-02-11",
            share=False,
            body_class="path-taxonomy",
            body='<div class="facets"><h2>Select Filters</h2></div><div class="view-content">'
            + teaser(
                "/nij/events/conference-2023",
                "The Evaluation of NIJ by the National Research Council: NIJ’s Response",
                "June, 2011",
                "The National Academies conducted a comprehensive evaluation of the "
                "National Institute of Justice. This panel provides an overview of the "
                "evaluation and NIJ’s response to it...",
            )
            + teaser(
                "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
                "Sexual Assault: Obtaining DNA From Evidence Collected up to a Week Later",
                "June, 2009",
                "Technological advances have made it possible to detect male DNA in "
                "evidentiary samples collected several days after a sexual act...",
            )
            + "</div>",
        ),
    ]


def funding_pages() -> list[Page]:
    return [
        Page(
            path="/nij/funding/opportunities/o-nij-2024-171953",
            bureau="nij",
            title="NIJ FY24 Research and Evaluation on Trafficking in Persons",
            lastmod="2024-02-22",
            banner="https-howto",
            crumbs=(("/nij/funding/forthcoming", "Funding"),),
            body="\n".join(
                [
                    drupal_field("opportunity-id", "Opportunity ID", "O-NIJ-2024-171953"),
                    drupal_field("posting-date", "Posting Date", "February 22, 2024"),
                    drupal_field("closing-date", "Closing Date", "April 23, 2024"),
                    drupal_field("grants-gov-deadline", "Grants.gov Deadline", "April 16, 2024"),
                    drupal_field(
                        "justgrants-deadline", "Application JustGrants Deadline", "April 23, 2024"
                    ),
                    drupal_field(
                        "eligibility",
                        "Eligibility",
                        "Institutions of higher education, nonprofit organizations, "
                        "for-profit organizations, state and local governments, and "
                        "federally recognized tribal governments",
                    ),
                    paras(
                        "In collaboration with the Office for Victims of Crime (OVC), NIJ seeks to "
                        "build upon its research and evaluation efforts to better understand, "
                        "prevent, and respond to trafficking in persons in the United States. "
                        "Applicants should propose research and evaluation projects that have clear "
                        "implications for criminal justice policy and practice.",
                        "NIJ is particularly interested in the prevalence of labor trafficking, "
                        "trafficking of youth involved in child welfare, and evaluations of "
                        "victim service programs.",
                    ),
                ]
            ),
        ),
        Page(
            path="/nij/funding/forthcoming",
            bureau="nij",
            title="Forthcoming Funding Opportunities",
            lastmod="2023-01-18",
            body="<h2>Anticipated NIJ Fiscal Year 2024 Funding Opportunities</h2>"
            + paras(
                "We have posted a list of anticipated funding opportunity topics. Because most "
                "solicitations are competitive, we cannot have individual conversations "
                "concerning a solicitation with prospective applicants. Questions should go to "
                "the OJP Response Center at 1-800-851-3420.",
            )
            + "<h3>NIJ FY24 Research and Evaluation on Jails</h3>"
            + paras(
                "NIJ seeks to add to empirical knowledge on local jails to improve outcomes "
                "for people confined in jails, their families, and jail personnel."
            )
            + "<h3>NIJ FY24 Research and Evaluation on the Administration of Justice</h3>"
            + paras(
                "This program supports research on public defense and equitable access to "
                "justice in state, local, and tribal jurisdictions."
            )
            + '<h3><a href="/nij/funding/opportunities/o-nij-2024-171953">NIJ FY24 Research and '
            "Evaluation on Trafficking in Persons</a></h3>" + date_created("January 18, 2023"),
        ),
    ]


def other_pages() -> list[Page]:
    return [
        Page(
            path="/nij/",
            bureau="nij",
            title="Home",
            h1="National Institute of Justice",
            lastmod="2024-06-01",
            banner="https-howto",
            share=False,
            body_class="path-frontpage",
            body='<p class="tagline">Strengthen science. Advance justice.</p>'
            + link_list(
                [
                    ("/nij/topics/human-trafficking", "Human Trafficking"),
                    ("/nij/topics/forensics", "Forensics"),
                    ("/nij/topics/law-enforcement", "Law Enforcement"),
                    ("/nij/topics/corrections", "Corrections"),
                    ("/nij/taxonomy/term/19541", "About NIJ"),
                    ("/nij/funding/forthcoming", "Funding"),
                    ("/nij/events/conference-2023", "National Research Conference 2023"),
                    (
                        "/nij/multimedia/2023-nij-research-conference-opening-ceremony",
                        "Conference opening ceremony video",
                    ),
                    ("/nij/media/image/31571", "Poster session photo"),
                    (
                        "/nij/library/publications/national-best-practices-sexual-assault-kits-"
                        "multidisciplinary-approach",
                        "National Best Practices for Sexual Assault Kits",
                    ),
                ]
            ),
        ),
        Page(
            path="/nij/library/nij-journal",
            bureau="nij",
            title="NIJ Journal",
            lastmod="2019-07-31",
            body=paras(
                "The NIJ Journal, published several times a year, features articles to help "
                "criminal justice policymakers and practitioners stay informed about new "
                "developments. Each issue focuses on a single theme.",
            )
            + "<h2>Current Issue: No. 285, Domestic Radicalization, Violent Extremism, and "
            "Terrorism</h2>"
            + link_list(
                [
                    (
                        "/nij/library/publications/fight-against-human-trafficking",
                        "The Fight Against Human Trafficking",
                    )
                ]
            )
            + date_created("July 31, 2019"),
        ),
        Page(
            path="/nij/events/conference-2023",
            bureau="nij",
            title="National Research Conference 2023",
            lastmod="2023-08-01",
            crumbs=(("/nij/events/conference-2023", "Events"),),
            body='<p class="subtitle">From Evidence to Action: Harnessing Research to Promote '
            "Safety &amp; Justice</p>"
            + "<p><strong>Event Dates</strong> July 18, 2023 – July 20, 2023</p>"
            + "<p><strong>Location</strong> DoubleTree by Hilton Washington DC – Crystal City</p>"
            + "<p><strong>Address</strong> 300 Army Navy Drive, Arlington, VA 22202</p>"
            + paras(
                "NIJ was honored to have the Attorney General help open the 2023 NIJ Research "
                "Conference, which brought together researchers, practitioners, and "
                "policymakers for the first time in 12 years.",
                "Plenaries covered de-escalation training, inclusive research that engages "
                "people closest to the issue, and a study on detecting bruising on victims with "
                "dark skin pigmentation.",
            )
            + link_list(
                [
                    (
                        "/nij/multimedia/2023-nij-research-conference-opening-ceremony",
                        "Opening Ceremony video",
                    )
                ]
            ),
        ),
        Page(
            path="/nij/multimedia/2023-nij-research-conference-opening-ceremony",
            bureau="nij",
            title="2023 NIJ Research Conference Opening Ceremony",
            lastmod="2023-08-01",
            body='<div class="archival-notice"><strong>Archival Notice</strong> This is an '
            "archive page that is no longer being updated. It may contain outdated information "
            "and links may no longer function as originally intended.</div>"
            "<p>Review the YouTube Terms of Service and the Google Privacy Policy</p>"
            + paras(
                "The opening ceremony included remarks from the Attorney General, the Assistant "
                "Attorney General for OJP, and the NIJ Director.",
                "NANCY LA VIGNE: Good morning, everyone. Thank you so much for joining us today "
                "for this conference, a convening that we haven’t had for 12 years.",
            ),
        ),
        Page(
            path="/nij/media/image/31571",
            bureau="nij",
            title="Busy poster session at the NIJ 2023 Research Conference",
            share=False,
            body='<img src="/nij/sites/g/files/xyckuh171/files/images/2023-07/poster.jpg" '
            'alt="Poster session">'
            + paras(
                "NIJ invited submissions for a poster session at the 2023 NIJ Research "
                "Conference, whose theme was “evidence to action.”"
            ),
        ),
    ]


def add_to(content: SiteContent) -> None:
    content.pages += [
        *article_pages(),
        body_armor_article(),
        *topic_pages(),
        *funding_pages(),
        *other_pages(),
    ]
