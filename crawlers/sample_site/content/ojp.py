"""www.ojp.gov pages: home, the human trafficking special feature, topic listings, events, news,
blogs and about pages."""

from __future__ import annotations

from crawlers.sample_site.builder import (
    Page,
    SiteContent,
    bullets,
    date_created,
    drupal_field,
    image_credit,
    link_list,
    pager,
    paras,
    teaser,
)

FEATURE_CRUMBS = (("/feature/human-trafficking/overview", "Human Trafficking"),)


def feature_header() -> str:
    return (
        '<div class="feature-header"><div class="feature-header__name">Human Trafficking</div>'
        '<div class="feature-header__label">Special Feature</div>'
        + image_credit(
            "ojp",
            "2020-08/human-trafficking.jpg",
            "Young woman covering her face",
            "© Kamira/Shutterstock.com",
        )
        + '</div><nav class="feature-nav" aria-label="Special feature"><ul>'
        '<li><a href="/feature/human-trafficking/overview">Overview</a></li>'
        '<li><a href="/feature/human-trafficking/publications">Publications</a></li>'
        '<li><a href="/feature/human-trafficking/additional">Additional Information and '
        "Resources</a></li></ul></nav>"
    )


def resource(href: str, title: str, source: str) -> str:
    return (
        f'<li class="resource"><a href="{href}">{title}</a>'
        f'<div class="resource__source">{source}</div></li>'
    )


def feature_pages() -> list[Page]:
    overview = Page(
        path="/feature/human-trafficking/overview",
        bureau="ojp",
        title="Human Trafficking | Overview",
        h1="Overview",
        lastmod="2024-01-10",
        banner="https",
        crumbs=FEATURE_CRUMBS,
        canonical=True,
        body=feature_header()
        + "<!--H1-->"
        + paras(
            "There is no single profile of a trafficking victim. Regardless of race, national "
            "origin, religion, age, gender, education level, or citizenship status, victims of "
            "human trafficking can be anyone.",
            "While there is no defining characteristic that all victims share, traffickers "
            "frequently prey on individuals who are poor, vulnerable, living in an unsafe "
            "situation, or searching for a better life. Victims are deceived by false promises "
            "of love, a good job, or a stable life and are lured or forced into situations where "
            "they are made to work under deplorable conditions with little or no pay.",
            "Just as there is no one type of victim, perpetrators also vary. Traffickers can be "
            "foreign nationals or U.S. citizens, family members, partners, acquaintances, and "
            "even strangers.",
            "In July 2020, the Office for Victims of Crime (OVC) supported the development of "
            "the Human Trafficking Outreach Toolkit, which provides resources on trauma-informed "
            "outreach. The OVC-operated Human Trafficking Capacity Building Center provides free "
            "services to help organizations and tribes start, sustain, or grow their "
            "anti-trafficking work.",
            "Through rigorous research, the National Institute of Justice (NIJ) is working to "
            "advance the understanding of the nature and extent of human trafficking and how to "
            "improve the detection, investigation, and prosecution of traffickers. NIJ-supported "
            "research has shown that trafficking crimes may be undercounted in the FBI’s Uniform "
            "Crime Reporting program.",
            'Also, see the <a href="/ojjdp/">Office of Juvenile Justice and Delinquency '
            "Prevention</a> site to learn about efforts to prevent trafficking and to support "
            "services to youth victims.",
        )
        + date_created("January 10, 2024").replace("Date Created", "Date Modified"),
    )
    additional = Page(
        path="/feature/human-trafficking/additional",
        bureau="ojp",
        title="Human Trafficking | Additional Information and Resources",
        h1="Additional Information and Resources",
        lastmod="2023-12-01",
        crumbs=FEATURE_CRUMBS,
        body=feature_header()
        + "<!--H1-->"
        + '<h2>Federal Resources</h2><ul class="resource-list">'
        + resource(
            "/ovc/funding/opportunities/o-ovc-2024-172012",
            "OVC FY24 Services for Victims of Human Trafficking",
            "OVC, January 2024",
        )
        + resource(
            "/nij/topics/human-trafficking",
            "Human Trafficking Research at NIJ",
            "NIJ, October 2023",
        )
        + resource(
            "/news/infocus/human-trafficking", "In Focus: Human Trafficking", "OJP, August 2020"
        )
        + resource(
            "http://example.org/human-trafficking-hotline",
            "National Human Trafficking Hotline",
            "Non-government, 2022",
        )
        + resource(
            "/ncjrs/virtual-library/abstracts/labor-trafficking-investigations-screening-tool",
            "Validating a Screening Tool for Labor Trafficking Investigations",
            "National Institute of Justice-Sponsored, June 2016",
        )
        + "</ul><h2>Archived Special Feature</h2>"
        + link_list(
            [
                (
                    "/humantrafficking/index.html",
                    "Special Feature: Human Trafficking (archived NCJRS version)",
                )
            ]
        ),
    )
    publications = Page(
        path="/feature/human-trafficking/publications",
        bureau="ojp",
        title="Human Trafficking | Publications",
        h1="Publications",
        lastmod="2023-12-01",
        banner="https-howto",
        crumbs=FEATURE_CRUMBS,
        body=feature_header()
        + "<!--H1-->"
        + "<p>Publications produced or sponsored by the Office of Justice Programs on human "
        'trafficking, newest first.</p><ul class="resource-list">'
        + resource(
            "/nij/funding/opportunities/o-nij-2024-171953",
            "NIJ FY24 Research and Evaluation on Trafficking in Persons",
            "NIJ, February 2024",
        )
        + resource(
            "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
            "Overview of Human Trafficking and NIJ’s Role",
            "NIJ, October 2022",
        )
        + resource(
            "/library/publications/fight-against-human-trafficking",
            "The Fight Against Human Trafficking",
            "NIJ, June 2019",
        )
        + resource(
            "/archives/ojp-blogs/2017/2017_blog_trafficking.htm",
            "Shining a Light on Human Trafficking (blog archive)",
            "OJP, January 2017",
        )
        + resource(
            "/ncjrs/virtual-library/abstracts/2015-ovc-report-nation-fast-facts-fact-sheet",
            "OVC Fast Facts: 2013–2014 Programs and Services",
            "OVC, August 2015",
        )
        + "</ul>",
    )
    return [overview, additional, publications]


TRAFFICKING_TEASERS = [
    teaser(
        "/nij/funding/opportunities/o-nij-2024-171953",
        "NIJ FY24 Research and Evaluation on Trafficking in Persons",
        "February 2024",
        "In collaboration with the Office for Victims of Crime, NIJ seeks to build upon its "
        "research and evaluation efforts to better understand, prevent, and respond to "
        "trafficking in persons in the United States...",
        [("Agencies", "NIJ")],
    ),
    teaser(
        "/ovc/funding/opportunities/o-ovc-2024-172012",
        "OVC FY24 Services for Victims of Human Trafficking",
        "January 2024",
        "This program funds comprehensive and specialized services for victims of all forms "
        "of human trafficking...",
        [("Agencies", "OVC")],
    ),
    teaser(
        "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
        "Overview of Human Trafficking and NIJ’s Role",
        "October 26, 2022",
        "Human trafficking is a crime that involves compelling or coercing a person to "
        "provide labor or services, or to engage in commercial sex acts...",
        [("Agencies", "NIJ")],
    ),
    teaser(
        "/news/news-release/justice-department-awards-combat-human-trafficking",
        "Justice Department Awards More Than $94 Million to Combat Human Trafficking",
        "October 12, 2022",
        "The Office of Justice Programs announced awards to support victim services, "
        "task forces, and research on trafficking...",
        [("Agencies", "OJP")],
    ),
    teaser(
        "/library/publications/fight-against-human-trafficking",
        "The Fight Against Human Trafficking",
        "June 2019",
        "This article presents an overview of research funded by NIJ that addresses the "
        "features of and countermeasures for human trafficking...",
        [("NCJ Number", "252984"), ("Date Published", "June 2019"), ("Agencies", "NIJ")],
    ),
    teaser(
        "/ncjrs/virtual-library/abstracts/labor-trafficking-investigations-screening-tool",
        "Validating a Screening Tool for Labor Trafficking Investigations",
        "June 2016",
        "This NIJ-funded report describes the development and validation of a screening "
        "tool that helps service providers identify victims...",
        [("NCJ Number", "246712"), ("Date Published", "June 2016"), ("Agencies", "NIJ")],
    ),
    teaser(
        "/ncjrs/virtual-library/abstracts/2015-ovc-report-nation-fast-facts-fact-sheet",
        "OVC Fast Facts: Office for Victims of Crime Reports on 2013–2014 Programs",
        "August 2015",
        "OVC awarded nearly $18 million to grantees and task forces that serve victims of "
        "human trafficking...",
        [("NCJ Number", "249152"), ("Date Published", "August 2015"), ("Agencies", "OVC")],
    ),
    teaser(
        "/feature/human-trafficking/overview",
        "Human Trafficking Special Feature",
        "",
        "There is no single profile of a trafficking victim. Regardless of race, national "
        "origin, religion, age, gender...",
        [],
    ),
    teaser(
        "/archives/ojp-blogs/2017/2017_blog_trafficking.htm",
        "Shining a Light on Human Trafficking",
        "January, 2017",
        "During National Slavery and Human Trafficking Prevention Month we recognize the "
        "survivors and the service providers who...",
        [("Agencies", "OJP")],
    ),
]


def taxonomy_pages() -> list[Page]:
    pages = []
    per_page = 3
    last = (len(TRAFFICKING_TEASERS) - 1) // per_page
    for n in range(last + 1):
        rows = TRAFFICKING_TEASERS[n * per_page : (n + 1) * per_page]
        path = "/taxonomy/term/human-trafficking" + (f"?page={n}" if n else "")
        pages.append(
            Page(
                path=path,
                bureau="ojp",
                title="Human trafficking",
                lastmod="2024-02-20" if n == 0 else None,
                banner="https" if n == 0 else "short",
                canonical=True,
                crumbs=(("/taxonomy/term/human-trafficking", "Topics"),),
                body='<div class="facets"><h2>Select Filters</h2><ul>'
                '<li><a href="?type=publication">Publications</a></li>'
                '<li><a href="?type=funding">Funding</a></li></ul></div>'
                '<div class="view-content">' + "".join(rows) + "</div>" + pager(n, last),
                share=False,
                body_class="path-taxonomy",
            )
        )
    pages.append(
        Page(
            path="/taxonomy/term/elder-abuse",
            bureau="ojp",
            title="Elder abuse",
            lastmod="2022-05-16",
            canonical=True,
            crumbs=(("/taxonomy/term/human-trafficking", "Topics"),),
            share=False,
            body_class="path-taxonomy",
            body='<div class="view-content">'
            + teaser(
                "/ncjrs/virtual-library/abstracts/united-states-department-justices-elder-abuse-initiatives",
                "The United States Department of Justice’s Elder Abuse Initiatives",
                "December 2018",
                "This article describes the elder abuse initiatives of the U.S. Justice "
                "Department, including research, prosecution support...",
                [
                    ("NCJ Number", "252538"),
                    ("Date Published", "December 2018"),
                    ("Agencies", "NIJ; OVC"),
                ],
            )
            + teaser(
                "/library/publications/office-justice-programs-focuses-studying-and-preventing-elder-abuse",
                "Office of Justice Programs Focuses on Studying and Preventing Elder Abuse",
                "March 2008",
                "Through research, victim services, and statistical reports, OJP intends to "
                "ensure that professionals have the information they need...",
                [("NCJ Number", "221334"), ("Date Published", "March 2008"), ("Agencies", "NIJ")],
            )
            + teaser(
                "/events/world-elder-abuse-awareness-day-2021-webinar",
                "World Elder Abuse Awareness Day 2021: Building Strong Support for Elders",
                "June 15, 2021",
                "Join OVC and the Elder Justice Initiative for a webinar on responding to "
                "financial exploitation...",
                [],
            )
            + "</div>",
        )
    )
    return pages


def event_pages() -> list[Page]:
    return [
        Page(
            path="/events/cossup-national-forum",
            bureau="ojp",
            title="Comprehensive Opioid, Stimulant, and Substance Use Program National Forum",
            lastmod="2025-11-04",
            banner="https",
            crumbs=(
                (
                    "/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum",
                    "Events",
                ),
            ),
            # Upcoming: the dates say {{NEXT_YEAR}}, which the server fills in.
            body="\n".join(
                [
                    drupal_field("event-dates", "Event Dates", "April 14–16, {{NEXT_YEAR}}"),
                    drupal_field("location", "Location", "Hyatt Regency Crystal City"),
                    drupal_field(
                        "address", "Address", "2799 Richmond Highway, Arlington, VA 22202"
                    ),
                    paras(
                        "The Bureau of Justice Assistance invites Comprehensive Opioid, "
                        "Stimulant, and Substance Use Program (COSSUP) sites, their partners, "
                        "and practitioners from across the country to the COSSUP National "
                        "Forum. Over three days, participants will share strategies that connect "
                        "public safety, behavioral health, and public health responses to "
                        "substance use.",
                        "Sessions cover first responder deflection and diversion, treatment and "
                        "recovery support in jails and reentry, peer recovery support, drug "
                        "data sharing and emerging drug threats such as xylazine, and how to "
                        "sustain programs after federal funding ends. Registration is free; "
                        "space is limited.",
                    ),
                    '<p><a href="/bja/funding/opportunities/o-bja-2026-172614">Read BJA’s FY26 '
                    "COSSUP solicitation.</a></p>",
                    date_created("November 4, 2025"),
                ]
            ),
        ),
        Page(
            path="/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum",
            bureau="ojp",
            title="2019 National Opioid and Emerging Drug Threats Policy & Practice Forum",
            lastmod="2019-08-20",
            banner="dotgov",
            crumbs=(
                (
                    "/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum",
                    "Events",
                ),
            ),
            body="\n".join(
                [
                    drupal_field(
                        "event-dates",
                        "Event Dates",
                        '<time datetime="2019-09-16">September 16, 2019</time> – '
                        '<time datetime="2019-09-18">September 18, 2019</time>',
                    ),
                    drupal_field("location", "Location", "Crystal Gateway Marriott"),
                    drupal_field(
                        "address", "Address", "1700 Jefferson Davis Highway, Arlington, VA 22202"
                    ),
                    paras(
                        "The Bureau of Justice Assistance’s Comprehensive Opioid Abuse Program "
                        "hosts this forum for state, local, and tribal teams responding to the "
                        "opioid epidemic and emerging drug threats such as methamphetamine and "
                        "synthetic opioids.",
                        "Sessions cover law enforcement naloxone programs, jail-based medication "
                        "for opioid use disorder, drug courts, prescription drug monitoring "
                        "programs, and peer recovery support. Participants will hear from "
                        "practitioners who have built partnerships between public safety and "
                        "public health.",
                    ),
                    '<p><a href="/ncjrs/virtual-library/abstracts/law-enforcement-naloxone-'
                    'programs-opioid-overdose">Read research on law enforcement naloxone '
                    "programs.</a></p>",
                ]
            ),
        ),
        Page(
            path="/events/world-elder-abuse-awareness-day-2021-webinar",
            bureau="ojp",
            title="World Elder Abuse Awareness Day 2021: Building Strong Support for Elders",
            lastmod="2021-06-01",
            crumbs=(("/taxonomy/term/elder-abuse", "Events"),),
            body="\n".join(
                [
                    paras(
                        "Each year on June 15, communities recognize World Elder Abuse Awareness "
                        "Day. This webinar brings together OVC, NIJ, and the Elder Justice "
                        "Initiative to discuss how victim service providers, adult protective "
                        "services, and law enforcement can respond to elder financial "
                        "exploitation and neglect.",
                    ),
                    # Fields after the text, and a label rendered without a value.
                    drupal_field(
                        "event-dates", "Event Dates", "June 15, 2021, 1:00 p.m. – 2:30 p.m. ET"
                    ),
                    drupal_field("location", "Location", "Online"),
                    drupal_field("address", "Address", ""),
                ]
            ),
        ),
    ]


def news_pages() -> list[Page]:
    return [
        Page(
            path="/news/news-release/justice-department-awards-combat-human-trafficking",
            bureau="ojp",
            title="Justice Department Awards More Than $94 Million to Combat Human Trafficking",
            lastmod="2022-10-12",
            banner="https",
            crumbs=(("/news/ojp-blogs", "News"),),
            body='<div class="news-release__meta"><div class="news-release__date">'
            'Wednesday, October 12, 2022</div><div class="news-release__contact">Contact: '
            "Office of Communications, (202) 307-0703</div></div>"
            + paras(
                "WASHINGTON — The Department of Justice’s Office of Justice Programs today "
                "announced more than $94 million in grants to support victims of human "
                "trafficking, strengthen multidisciplinary task forces, and fund research on "
                "labor and sex trafficking.",
                "“Human trafficking is a heinous crime that robs victims of their freedom and "
                "dignity,” said the Assistant Attorney General for the Office of Justice "
                "Programs. “These awards will help survivors rebuild their lives and help law "
                "enforcement hold traffickers accountable.”",
                "The Office for Victims of Crime awarded funds for housing, legal services, and "
                "comprehensive case management. The National Institute of Justice awarded "
                "research grants on the prevalence of labor trafficking and on screening tools "
                "for child welfare agencies.",
            )
            + "<p>###</p>",
        ),
        Page(
            path="/news/ojp-blogs/second-chances-first-opportunities",
            bureau="ojp",
            title="Second Chances, First Opportunities",
            lastmod="2023-04-25",
            crumbs=(("/news/ojp-blogs", "OJP Blogs"),),
            body='<div class="blog__date">April 25, 2023</div>'
            '<div class="blog__author">By the Director, Bureau of Justice Assistance</div>'
            + image_credit(
                "ojp",
                "2023-04/reentry.jpg",
                "Man at a job training class",
                "© Drazen Zigic/Shutterstock.com",
            )
            + paras(
                "By focusing on reentry, we can help reduce recidivism and increase public "
                "safety. Every year more than 600,000 people return to their communities from "
                "state and federal prisons, and many face barriers to housing, employment, and "
                "treatment.",
                "Second Chance Act grants support reentry programs that begin before release: "
                "job training, substance use treatment, and mentoring. Research shows that "
                "recidivism is highest in the first year after release, which is why services "
                "in those first months matter most.",
                'Learn more from the <a href="/bjs/library/publications/recidivism-prisoners-'
                'released-34-states-2012">BJS recidivism study</a> and NIJ’s research on '
                "desistance.",
            ),
        ),
        Page(
            path="/news/ojp-blogs/enforcing-victims-rights-elevating-survivor-voices",
            bureau="ojp",
            title="Enforcing Victims’ Rights: Elevating Survivor Voices",
            lastmod="2023-04-25",
            banner="https-howto",
            crumbs=(("/news/ojp-blogs", "OJP Blogs"),),
            body='<div class="blog__date">April 25, 2023</div>'
            '<div class="blog__author">By Kristina Rose, Director, Office for Victims of Crime'
            "</div>"
            + paras(
                "We want to amplify the voices of survivors and give them confidence they will be "
                "heard, believed, and supported. National Crime Victims’ Rights Week is a time to "
                "recommit to enforcing the rights that federal and state laws guarantee.",
                "Victims have the right to be notified of court proceedings, to be heard at "
                "sentencing, and to receive restitution. OVC funds legal clinics that help "
                "victims assert these rights, and the Crime Victims Fund supports victim "
                "assistance programs in every state.",
            ),
        ),
        Page(
            path="/news/ojp-blogs",
            bureau="ojp",
            title="OJP Blogs",
            lastmod="2023-05-25",
            share=False,
            body='<div class="view-content">'
            + teaser(
                "/news/ojp-blogs/second-chances-first-opportunities",
                "Second Chances, First Opportunities",
                "April 25, 2023",
                "By focusing on reentry, we can help reduce recidivism and increase public safety.",
            )
            + teaser(
                "/news/ojp-blogs/enforcing-victims-rights-elevating-survivor-voices",
                "Enforcing Victims’ Rights: Elevating Survivor Voices",
                "April 25, 2023",
                "We want to amplify the voices of survivors and give them confidence they "
                "will be heard, believed and supported.",
            )
            + teaser(
                "/newsroom/pressreleases/2010/OJP10139.htm",
                "Justice Department Announces Nearly $2.6 Billion in Fiscal Year 2010 Awards",
                "October 1, 2010",
                "Archived press release.",
            )
            + "</div>",
        ),
        Page(
            path="/news/infocus/human-trafficking",
            bureau="ojp",
            title="In Focus: Human Trafficking",
            lastmod="2020-08-17",
            crumbs=(("/news/ojp-blogs", "News"),),
            body=image_credit(
                "ojp",
                "2020-08/in-focus.jpg",
                "Image of young girl with face covered by arms",
                "Kamira/Shutterstock.com",
            )
            + paras(
                "Human trafficking can happen anywhere. While there is no single profile of a "
                "trafficking victim, some of the most vulnerable populations include "
                "undocumented workers, runaway and homeless youth, individuals with substance "
                "use issues, and low-income individuals.",
                "During National Slavery and Human Trafficking Prevention Month (January), "
                'access the <a href="/feature/human-trafficking/overview">Human Trafficking '
                "Special Feature</a> to learn how OJP bureaus and offices are working to prevent "
                "and respond to human trafficking.",
            )
            + "<h2>Publications and Resources</h2>"
            + link_list(
                [
                    (
                        "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
                        "Overview of Human Trafficking and NIJ’s Role",
                    ),
                    (
                        "/ovc/funding/opportunities/o-ovc-2024-172012",
                        "OVC FY24 Services for Victims of Human Trafficking",
                    ),
                ]
            )
            + date_created("August 17, 2020"),
        ),
    ]


def about_pages() -> list[Page]:
    return [
        Page(
            path="/about/offices/office-communications",
            bureau="ojp",
            title="Office of Communications (OCOM)",
            lastmod="2020-01-07",
            banner="dotgov",
            crumbs=(("/about/offices/office-communications", "About"),),
            body=paras(
                "The Office of Communications (OCOM) provides strategic communications support to "
                "the Office of Justice Programs. OCOM manages media relations, publications, "
                "websites, social media, and the OJP Response Center.",
                "Members of the media may contact OCOM Monday through Friday, 8:30 a.m. to "
                "5:30 p.m. ET, except federal holidays. All statements from officials are "
                "considered on the record unless otherwise specified.",
            )
            + bullets(
                "Media Affairs",
                "Publications and Digital Communications",
                "Congressional and Public Affairs",
            )
            + date_created("January 7, 2020"),
        ),
        Page(
            path="/about/reuse-policy",
            bureau="ojp",
            title="Reuse Policy",
            lastmod="2021-02-01",
            body=paras(
                "Most content on OJP websites is in the public domain and may be reused without "
                "permission. Photographs and images credited to a third party, such as stock "
                "photography, are licensed to OJP and may not be reused without permission from "
                "the rights holder.",
                "Please credit the Office of Justice Programs when reusing public domain content.",
            )
            + date_created("February 1, 2021"),
        ),
        Page(
            path="/",
            bureau="ojp",
            title="Home",
            h1="Office of Justice Programs",
            lastmod="2025-11-04",
            banner="https-howto",
            share=False,
            body_class="path-frontpage",
            body=paras(
                "The Department of Justice’s Office of Justice Programs is currently reviewing "
                "its websites and materials in accordance with recent Executive Orders. Some "
                "pages and publications will be unavailable during this review.",
                "OJP provides federal leadership, grants, training, technical assistance, and "
                "other resources to improve the nation’s capacity to prevent and reduce crime, "
                "assist victims, and enhance the rule of law.",
            )
            + "<h2>Featured</h2>"
            + link_list(
                [
                    ("/feature/human-trafficking/overview", "Human Trafficking Special Feature"),
                    ("/taxonomy/term/human-trafficking", "Human trafficking"),
                    ("/taxonomy/term/elder-abuse", "Elder abuse"),
                    ("/library/publications/ojjdp-overview", "OJJDP: An Overview"),
                    (
                        "/library/publications/national-institute-justice-1997-year-review",
                        "NIJ 1997 Year in Review",
                    ),
                    (
                        "/ncjrs/virtual-library/abstracts/what-office-victims-crime",
                        "What Is the Office for Victims of Crime?",
                    ),
                    (
                        "/ncjrs/virtual-library/abstracts/victims-crime-act-1984-amended-report-"
                        "president-congress-and-nation",
                        "Victims of Crime Act Report to the Nation",
                    ),
                    (
                        "/ncjrs/virtual-library/abstracts/improving-tribalfederal-prosecution-"
                        "child-sexual-abuse-cases",
                        "OVC Bulletin: Improving Tribal/Federal Prosecution",
                    ),
                    (
                        "/ncjrs/virtual-library/abstracts/que-puede-hacer-si-usted-es-victima-de-"
                        "un-delito",
                        "¿Qué puede hacer si usted es víctima de un delito? (en español)",
                    ),
                    ("/events/cossup-national-forum", "Upcoming: COSSUP National Forum"),
                    ("/news/ojp-blogs", "OJP Blogs"),
                    ("/txtfiles/155063.txt", "NCJRS User’s Guide (text)"),
                ]
            )
            + "<h2>Bureaus and Offices</h2>"
            + link_list(
                [
                    ("/nij/", "National Institute of Justice"),
                    ("/ovc/", "Office for Victims of Crime"),
                    ("/ojjdp/", "Office of Juvenile Justice and Delinquency Prevention"),
                    ("/bja/", "Bureau of Justice Assistance"),
                    ("/bjs/", "Bureau of Justice Statistics"),
                    ("/smart/", "SMART Office"),
                ]
            )
            + '<p><a href="/search?keys=trafficking">Search OJP</a> · '
            '<a href="/about/staff-directory">Staff directory</a></p>',
        ),
    ]


def library_listing() -> Page:
    return Page(
        path="/library/publications",
        bureau="ojp",
        title="Publications",
        lastmod="2024-01-22",
        share=False,
        body_class="path-library",
        body='<div class="view-content">'
        + teaser(
            "/library/publications/what-office-victims-crime-fact-sheet",
            "What Is the Office for Victims of Crime? Fact Sheet",
            "November 2023",
            "This fact sheet provides information about the Office for Victims of Crime...",
            [("NCJ Number", "306201"), ("Date Published", "November 2023"), ("Agencies", "OVC")],
        )
        + teaser(
            "/library/publications/fight-against-human-trafficking",
            "The Fight Against Human Trafficking",
            "June 2019",
            "This article presents an overview of research funded by NIJ...",
            [("NCJ Number", "252984"), ("Date Published", "June 2019"), ("Agencies", "NIJ")],
        )
        + teaser(
            "/library/publications/ojjdp-overview",
            "OJJDP: An Overview",
            "October 2011",
            "This bulletin presents an overview of the work of OJJDP...",
            [("NCJ Number", "234073"), ("Date Published", "October 2011"), ("Agencies", "OJJDP")],
        )
        + teaser(
            "/library/publications/office-justice-programs-focuses-studying-and-preventing-elder-abuse",
            "Office of Justice Programs Focuses on Studying and Preventing Elder Abuse",
            "March 2008",
            "This article describes the many ways in which OJP is working...",
            [("NCJ Number", "221334"), ("Date Published", "March 2008"), ("Agencies", "NIJ")],
        )
        + teaser(
            "/library/publications/national-institute-justice-1997-year-review",
            "National Institute of Justice 1997 Year in Review",
            "1998",
            "This annual report describes the research, development, and evaluation...",
            [("NCJ Number", "171679"), ("Date Published", "1998"), ("Agencies", "NIJ")],
        )
        + "</div>",
    )


def add_to(content: SiteContent) -> None:
    content.pages.append(library_listing())
    content.pages += feature_pages() + taxonomy_pages() + event_pages()
    content.pages += news_pages() + about_pages()
