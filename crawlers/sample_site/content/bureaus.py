# ruff: noqa: E501  (page text and URLs read better unbroken)
"""Bureau sites under /ovc/, /ojjdp/, /bja/, /bjs/ and /smart/: home pages, funding, programs,
announcements and newsletters."""

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
    strong_label,
)


def opportunity(
    opportunity_id: str,
    posting: str,
    closing: str,
    grants_gov: str,
    justgrants: str,
    eligibility: str,
    text: str,
) -> str:
    return "\n".join(
        [
            drupal_field("opportunity-id", "Opportunity ID", opportunity_id),
            drupal_field("posting-date", "Posting Date", posting),
            drupal_field("closing-date", "Closing Date", closing),
            drupal_field("grants-gov-deadline", "Grants.gov Deadline", grants_gov),
            drupal_field("justgrants-deadline", "Application JustGrants Deadline", justgrants),
            drupal_field("eligibility", "Eligibility", eligibility),
            text,
        ]
    )


def ovc_pages() -> list[Page]:
    return [
        Page(
            path="/ovc/",
            bureau="ovc",
            title="Home",
            h1="Office for Victims of Crime",
            lastmod="2024-04-21",
            share=False,
            body_class="path-frontpage",
            body=paras(
                "OVC is committed to enhancing the Nation’s capacity to assist crime "
                "victims and to providing leadership in changing attitudes, policies, "
                "and practices to promote justice and healing for all victims."
            )
            + link_list(
                [
                    ("/ovc/about", "About OVC"),
                    ("/ovc/program/vtt/about-the-toolkit", "Vicarious Trauma Toolkit"),
                    (
                        "/ovc/announcement/national-crime-victims-rights-week-2024-theme",
                        "National Crime Victims’ Rights Week 2024",
                    ),
                    (
                        "/ovc/funding/opportunities/o-ovc-2024-172012",
                        "Services for Victims of Human Trafficking",
                    ),
                    ("/ovc/funding/funding-resources", "Funding Resources"),
                    ("/ovc/grants/help.html", "Grants help (old link)"),
                ]
            ),
        ),
        Page(
            path="/ovc/about",
            bureau="ovc",
            title="About OVC",
            lastmod="2023-03-02",
            banner="https",
            body=paras(
                "Welcome to the Office for Victims of Crime (OVC), one of six program offices "
                "within the Office of Justice Programs at the U.S. Department of Justice.",
                "Created in 1983 to implement recommendations from the President’s Task Force on "
                "Victims of Crime, OVC was authorized in 1988 through an amendment to the Victims "
                "of Crime Act (VOCA) of 1984 to administer the Crime Victims Fund.",
                "Through OVC, the Fund supports programs that help victims in the immediate "
                "aftermath of crime and as they rebuild their lives: victim compensation and "
                "assistance in every state and territory, training, and technical assistance.",
            )
            + "<p>Review the YouTube Terms of Service and the Google Privacy Policy</p>"
            + date_created("March 2, 2023"),
        ),
        Page(
            path="/ovc/program/vtt/about-the-toolkit",
            bureau="ovc",
            title="About the Toolkit",
            lastmod="2021-03-03",
            crumbs=(("/ovc/program/vtt/about-the-toolkit", "Vicarious Trauma Toolkit"),),
            body="<h2>The VTT Model</h2>"
            + paras(
                "The Vicarious Trauma Toolkit (VTT) introduces a model for examining the effects "
                "of vicarious trauma along a spectrum of reactions to the work-related trauma "
                "exposure that victim service providers and first responders experience every "
                "day. Responses can be negative, neutral, or positive; can change over time; and "
                "can vary from case to case.",
            )
            + bullets(
                "Vicarious traumatization is a negative reaction to trauma exposure and includes "
                "a range of psychosocial symptoms.",
                "A neutral reaction may reflect an individual’s resilience, support, and coping "
                "strategies.",
                "Vicarious resilience and vicarious transformation reflect the positive effects "
                "of this work.",
            )
            + "<h2>Creation of the Toolkit</h2>"
            + paras(
                "In 2013, OVC awarded a grant to Northeastern University’s Institute on "
                "Urban Health Research and Practice to develop the toolkit with law "
                "enforcement, fire services, emergency medical services, and victim "
                "services partners."
            )
            + date_created("March 3, 2021"),
        ),
        Page(
            path="/ovc/announcement/national-crime-victims-rights-week-2024-theme",
            bureau="ovc",
            title="National Crime Victims’ Rights Week 2024 Theme Announced",
            lastmod="2024-01-16",
            banner="https-howto",
            body='<div class="announcement__date">January 16, 2024</div>'
            + paras(
                "OVC is pleased to announce the theme for National Crime Victims’ Rights Week "
                "(NCVRW), April 21–27, 2024: “How would you help? Options, Services, and Hope for "
                "Crime Survivors.”",
                "The theme encourages communities to learn about the services available to "
                "victims, including compensation, counseling, and legal assistance. The NCVRW "
                "Resource Guide, with outreach materials and artwork, will be released in "
                "March.",
            ),
        ),
        Page(
            path="/ovc/funding/opportunities/o-ovc-2024-172012",
            bureau="ovc",
            title="OVC FY24 Services for Victims of Human Trafficking",
            lastmod="2024-01-24",
            crumbs=(("/ovc/funding/funding-resources", "Funding"),),
            body=opportunity(
                "O-OVC-2024-172012",
                "January 24, 2024",
                "April 2, 2024",
                "March 26, 2024",
                "April 2, 2024",
                "Nonprofit organizations, including tribal nonprofits; state, county, and city "
                "governments; federally recognized tribal governments",
                paras(
                    "This program funds comprehensive and specialized services for victims of "
                    "all forms of human trafficking, including housing, legal services, mental "
                    "health care, and case management, delivered with a trauma-informed, "
                    "victim-centered approach.",
                ),
            ),
        ),
        Page(
            path="/ovc/funding/funding-resources",
            bureau="ovc",
            title="Funding Resources",
            lastmod="2022-09-12",
            body=paras(
                "Find help applying for OVC grants: registering in SAM.gov and Grants.gov, "
                "submitting the full application in JustGrants, and managing an award. The OJP "
                "Grant Application Resource Guide explains each step.",
                "OVC administers formula grants under the Victims of Crime Act (VOCA) to every "
                "state for victim compensation and victim assistance, and discretionary grants "
                "for training, demonstration projects, and services such as those for human "
                "trafficking victims.",
            )
            + link_list(
                [
                    (
                        "/ovc/funding/opportunities/o-ovc-2024-172012",
                        "Current opportunity: Services for Victims of Human Trafficking",
                    )
                ]
            )
            + date_created("September 12, 2022"),
        ),
    ]


def ojjdp_pages() -> list[Page]:
    return [
        Page(
            path="/ojjdp/",
            bureau="ojjdp",
            title="Home",
            h1="Office of Juvenile Justice and Delinquency Prevention",
            lastmod="2024-03-11",
            share=False,
            banner="https",
            body_class="path-frontpage",
            body=paras(
                "OJJDP provides national leadership, coordination, and resources to "
                "prevent and respond to youth delinquency and victimization."
            )
            + link_list(
                [
                    ("/ojjdp/funding/how-to-apply", "How to Apply for Funding"),
                    (
                        "/ojjdp/funding/opportunities/o-ojjdp-2024-171999",
                        "FY24 Mentoring for Youth Affected by Opioid and Other Substance Misuse",
                    ),
                    (
                        "/ojjdp/newsletter/ojjdp-news-glance-marchapril-2021/new-publications",
                        "News @ a Glance: New Publications",
                    ),
                    (
                        "/ojjdp/library/publications/ojjdp-priorities-youth-justice",
                        "OJJDP Priorities",
                    ),
                    ("/ojjdp/news/press-releases", "Press Releases"),
                ]
            ),
        ),
        Page(
            path="/ojjdp/funding/how-to-apply",
            bureau="ojjdp",
            title="How to Apply for Funding",
            lastmod="2022-10-20",
            banner="dotgov",
            body=image_credit(
                "ojjdp", "2020-10/apply.jpg", "Laptop", "Doucefleur / shutterstock.com"
            )
            + "<h2>New Grants and Payment Management Systems Now Available</h2>"
            + paras(
                "The Justice Grants System (JustGrants) and the Department of the Treasury’s "
                "Automated Standard Application for Payments (ASAP) are now available for all "
                "award management and payment activities.",
            )
            + "<h2>Before You Apply</h2>"
            + paras(
                "OJJDP’s JUVJUST listserv provides email messages on juvenile justice "
                "publications, funding opportunities, and events. Organizations must register "
                "with Grants.gov and SAM.gov before applying; the Grants Management System "
                "(GMS) transitioned to JustGrants on October 15, 2020.",
            )
            + date_created("October 20, 2022"),
        ),
        Page(
            path="/ojjdp/funding/opportunities/o-ojjdp-2024-171999",
            bureau="ojjdp",
            title="OJJDP FY24 Mentoring for Youth Affected by Opioid and Other Substance Misuse",
            lastmod="2024-03-05",
            crumbs=(("/ojjdp/funding/how-to-apply", "Funding"),),
            # Labels as plain text and in another order.
            body="\n".join(
                [
                    strong_label("Opportunity ID", "O-OJJDP-2024-171999"),
                    strong_label("Closing Date", "May 7, 2024"),
                    strong_label("Posting Date", "March 5, 2024"),
                    strong_label("Grants.gov Deadline", "April 30, 2024"),
                    strong_label("Application JustGrants Deadline", "May 7, 2024"),
                    strong_label(
                        "Eligibility",
                        "Nonprofit organizations and institutions of higher education",
                    ),
                    paras(
                        "This program supports mentoring organizations that serve youth affected by "
                        "opioid and other substance misuse, including youth whose parents struggle "
                        "with addiction. Mentoring services may include peer recovery support and "
                        "family engagement.",
                    ),
                ]
            ),
        ),
        Page(
            path="/ojjdp/newsletter/ojjdp-news-glance-marchapril-2021/new-publications",
            bureau="ojjdp",
            title="OJJDP News @ a Glance, March/April 2021: New Publications",
            lastmod="2021-04-02",
            crumbs=(
                (
                    "/ojjdp/newsletter/ojjdp-news-glance-marchapril-2021/new-publications",
                    "Newsletter",
                ),
            ),
            body="<h2>New Publications</h2>"
            + paras(
                "All OJJDP publications may be viewed and downloaded on the publications "
                "section of the OJJDP website."
            )
            + "<h3>Kilah Davenport Child Protection Act of 2013: Report to Congress 2020</h3>"
            + "<p>NCJ 255614</p>"
            + paras(
                "This report describes the penalties for violations of laws prohibiting "
                "child abuse in each of the 50 states, the District of Columbia, and each "
                "U.S. territory."
            )
            + "<h3>Coming Soon—Juvenile Arrests, 2019 (Bulletin)</h3>"
            + paras(
                "This bulletin describes trends in arrests involving juveniles from 1980 to "
                "2019. Overall, juvenile arrests have been declining for more than two "
                "decades; the juvenile arrest rate for murder fell 6 percent in the last "
                "year."
            ),
        ),
        Page(
            path="/ojjdp/news/press-releases",
            bureau="ojjdp",
            title="Press Releases",
            lastmod="2019-09-07",
            body=paras(
                "Review Department of Justice and related federal agency press releases "
                "issued over the past several years. Visit the Office of Justice Programs "
                "website to view all press releases from OJP."
            )
            + link_list(
                [
                    (
                        "/news/news-release/justice-department-awards-combat-human-trafficking",
                        "Justice Department Awards More Than $94 Million to Combat Human "
                        "Trafficking",
                    )
                ]
            )
            + date_created("September 7, 2019"),
        ),
    ]


#: The open opportunity: posted in the past, its deadlines in next year whatever the year is.
COSSUP_OPPORTUNITY = "/bja/funding/opportunities/o-bja-2026-172614"
COSSUP_FORUM = "/events/cossup-national-forum"


def bja_pages() -> list[Page]:
    return [
        Page(
            path="/bja/",
            bureau="bja",
            title="Home",
            h1="Bureau of Justice Assistance",
            lastmod="2025-10-15",
            share=False,
            body_class="path-frontpage",
            body=paras(
                "BJA provides leadership and services in grant administration and "
                "criminal justice policy development to support local, state, and tribal "
                "justice strategies."
            )
            + link_list(
                [
                    ("/bja/topics", "Topics"),
                    (
                        COSSUP_OPPORTUNITY,
                        "Open: FY26 Comprehensive Opioid, Stimulant, and Substance Use "
                        "Site-based Program",
                    ),
                    ("/bja/funding/opportunities/o-bja-2023-171861", "Body-Worn Camera Program"),
                    (
                        "/bja/funding/webinar/fy24-funding-law-enforcement-recording",
                        "FY24 Funding Webinar: Law Enforcement",
                    ),
                    ("/bja/news/press-releases", "Press Releases"),
                ]
            ),
        ),
        Page(
            path="/bja/funding/opportunities/o-bja-2023-171861",
            bureau="bja",
            title="BJA FY23 Body-Worn Camera Policy and Implementation Program to Support Law "
            "Enforcement Agencies",
            lastmod="2023-04-11",
            banner="https-howto",
            crumbs=(("/bja/funding/opportunities/o-bja-2023-171861", "Funding"),),
            body=opportunity(
                "O-BJA-2023-171861",
                "April 11, 2023",
                "June 13, 2023",
                "June 6, 2023",
                "June 13, 2023",
                "City, township, county, and state governments; federally recognized tribal "
                "governments",
                paras(
                    "This program helps law enforcement agencies develop, implement, and "
                    "evaluate body-worn camera programs as one tool in a comprehensive strategy "
                    "to improve transparency and community trust. Funds may support cameras, "
                    "video storage, policy development, and training.",
                    "Applicants must have a body-worn camera policy, or commit to developing one "
                    "with community input, before deploying cameras.",
                ),
            ),
        ),
        Page(
            path=COSSUP_OPPORTUNITY,
            bureau="bja",
            title="BJA FY26 Comprehensive Opioid, Stimulant, and Substance Use Site-based Program",
            lastmod="2025-10-15",
            banner="https",
            crumbs=((COSSUP_OPPORTUNITY, "Funding"),),
            # Open: the deadlines say {{NEXT_YEAR}}, which the server fills in.
            body=opportunity(
                "O-BJA-2026-172614",
                "October 15, 2025",
                "March 3, {{NEXT_YEAR}}",
                "February 24, {{NEXT_YEAR}}",
                "March 3, {{NEXT_YEAR}}",
                "City, township, county, and state governments; federally recognized tribal "
                "governments",
                paras(
                    "With this solicitation, BJA seeks to help communities develop, implement, "
                    "or expand comprehensive responses to illicit opioids, stimulants, and other "
                    "substances, reduce drug-related deaths, and promote public safety.",
                    "Funds may support partnerships between public safety, behavioral health, and "
                    "public health agencies; law enforcement and first responder diversion to "
                    "treatment; treatment and recovery support services in jails and reentry "
                    "programs; and the collection and sharing of real-time drug data. Applicants "
                    "must describe how people with lived experience will inform the project.",
                    "Up to 12 awards of up to $1,600,000 each are expected, with a 36-month "
                    "period of performance. Applicants must register with SAM.gov and "
                    "Grants.gov before submitting the SF-424 in Grants.gov and the full "
                    "application in JustGrants.",
                )
                + f'<p><a href="{COSSUP_FORUM}">Meet BJA staff and current sites at the COSSUP '
                "National Forum.</a></p>",
            ),
        ),
        Page(
            path="/bja/funding/webinar/fy24-funding-law-enforcement-recording",
            bureau="bja",
            title="Funding Opportunities for Your Community in 2024: Law Enforcement",
            lastmod="2024-03-07",
            body="<p>Review the YouTube Terms of Service and the Google Privacy Policy</p>"
            + strong_label(
                "Description:",
                "During this webinar, held on February 29, 2024, BJA "
                "staff provided information about planned fiscal year 2024 funding "
                "opportunities that support law enforcement, including eligibility "
                "requirements, estimated funding amounts, and application resources.",
            )
            + paras(
                "DARYL FOX: Good afternoon everyone, and welcome to today’s webinar, “Funding "
                "Opportunities for Your Community in 2024: Law Enforcement Programs.”",
                "MICHELLE GARCIA: Thank you, Daryl. Today we’ll provide an overview of the "
                "Office of Justice Programs and the Bureau of Justice Assistance, preview the "
                "solicitations planned for law enforcement in FY24, including body-worn cameras, "
                "officer wellness, and the Byrne Justice Assistance Grant program, and share "
                "resources to help you apply.",
                "The Bureau of Justice Assistance is one of six offices within the Office of "
                "Justice Programs, which, along with the Office on Violence Against Women and the "
                "COPS Office, are the grant-making components of the Department of Justice.",
            ),
        ),
        Page(
            path="/bja/topics",
            bureau="bja",
            title="Topics",
            lastmod="2021-09-24",
            banner="dotgov",
            share=False,
            body=paras(
                "View topic-specific information and resources from the Bureau of Justice "
                "Assistance."
            )
            + image_credit(
                "bja", "2021-09/corrections.jpg", "Corrections", "© Bigflick/Shutterstock.com"
            )
            + image_credit(
                "bja",
                "2021-09/forensics.jpg",
                "Forensic Sciences",
                "© AshTproductions/Shutterstock.com",
            )
            + image_credit(
                "bja",
                "2021-09/law-enforcement.jpg",
                "Law Enforcement",
                "© Nic Neufeld/Shutterstock.com",
            )
            + link_list(
                [
                    ("/bja/funding/opportunities/o-bja-2023-171861", "Law Enforcement"),
                    (
                        "/events/2019-national-opioid-and-emerging-drug-threats-policy-"
                        "practice-forum",
                        "Drugs &amp; Substance Use",
                    ),
                ]
            )
            + date_created("September 24, 2021"),
        ),
        Page(
            path="/bja/news/press-releases",
            bureau="bja",
            title="Press Releases",
            lastmod="2023-02-03",
            body=paras(
                "The following Department of Justice and OJP press releases highlight "
                "recent BJA efforts and activities. Visit the News Releases section of the "
                "OJP website for archived press releases."
            )
            + date_created("February 3, 2023"),
        ),
    ]


def bjs_pages() -> list[Page]:
    return [
        Page(
            path="/bjs/",
            bureau="bjs",
            title="Home",
            h1="Bureau of Justice Statistics",
            lastmod="2023-09-29",
            share=False,
            banner="https-howto",
            body_class="path-frontpage",
            body=paras(
                "BJS is the primary source for criminal justice statistics in the United "
                "States, collecting data on crime, victims, offenders, and the operation "
                "of justice systems."
            )
            + link_list(
                [
                    (
                        "/bjs/library/publications/criminal-victimization-2022",
                        "Criminal Victimization, 2022",
                    ),
                    (
                        "/bjs/library/publications/recidivism-prisoners-released-34-states-2012",
                        "Recidivism of Prisoners Released in 34 States in 2012",
                    ),
                    (
                        "/bjs/data-collection/national-crime-victimization-survey-ncvs",
                        "National Crime Victimization Survey",
                    ),
                ]
            ),
        ),
        Page(
            path="/bjs/data-collection/national-crime-victimization-survey-ncvs",
            bureau="bjs",
            title="National Crime Victimization Survey (NCVS)",
            lastmod="2023-10-02",
            body=paras(
                "The National Crime Victimization Survey is the nation’s primary source of "
                "information on criminal victimization. Each year, data are obtained from a "
                "nationally representative sample of about 240,000 persons in 150,000 "
                "households about the frequency, characteristics, and consequences of "
                "victimization.",
                "The NCVS collects information on nonfatal personal crimes and household property "
                "crimes, both reported and not reported to police, and on victims’ experiences "
                "with the justice system. An API gives programmatic access to NCVS data.",
            )
            + date_created("October 2, 2023"),
        ),
    ]


def smart_pages() -> list[Page]:
    return [
        Page(
            path="/smart/",
            bureau="smart",
            title="Home",
            h1="SMART Office",
            lastmod="2024-11-05",
            share=False,
            body_class="path-frontpage",
            body=paras(
                "The Office of Sex Offender Sentencing, Monitoring, Apprehending, "
                "Registering, and Tracking (SMART) assists jurisdictions in implementing "
                "the Sex Offender Registration and Notification Act (SORNA)."
            )
            + link_list(
                [
                    ("/smart/sorna", "SORNA"),
                    (
                        "/smart/somapi/adult-sex-offender-management",
                        "Adult Sex Offender Management",
                    ),
                    (
                        "/smart/library/publications/recidivism-adult-sexual-offenders",
                        "Recidivism of Adult Sexual Offenders",
                    ),
                    (
                        "/smart/funding/opportunities/o-smart-2025-172307",
                        "FY25 SORNA Implementation",
                    ),
                ]
            ),
        ),
        Page(
            path="/smart/sorna",
            bureau="smart",
            title="Sex Offender Registration and Notification Act (SORNA)",
            lastmod="2022-12-14",
            banner="dotgov",
            body=paras(
                "Title I of the Adam Walsh Child Protection and Safety Act of 2006, SORNA, sets "
                "minimum national standards for sex offender registration and notification in "
                "the states, the District of Columbia, the principal U.S. territories, and "
                "federally recognized Indian tribes.",
                "The SMART Office determines whether jurisdictions have substantially "
                "implemented SORNA and provides guidance, technical assistance, and grants.",
            )
            + date_created("December 14, 2022"),
        ),
        Page(
            path="/smart/somapi/adult-sex-offender-management",
            bureau="smart",
            title="Adult Sex Offender Management",
            lastmod="2017-03-01",
            body=paras(
                "The Sex Offender Management Assessment and Planning Initiative (SOMAPI) "
                "reviewed research on the management of adult sexual offenders: risk "
                "assessment, treatment, supervision, registration and notification, and "
                "residence restrictions.",
                "Effective sexual offender management combines validated risk assessment, "
                "cognitive-behavioral treatment, and supervision that supports stable housing "
                "and employment, which reduces recidivism.",
            )
            + link_list(
                [
                    (
                        "/smart/library/publications/recidivism-adult-sexual-offenders",
                        "Recidivism of Adult Sexual Offenders",
                    )
                ]
            )
            + date_created("March 1, 2017"),
        ),
        Page(
            path="/smart/funding/opportunities/o-smart-2025-172307",
            bureau="smart",
            title="SMART FY25 Support for Adam Walsh Act Implementation Grant Program",
            lastmod="2025-02-12",
            banner="https",
            crumbs=(("/smart/funding/opportunities/o-smart-2025-172307", "Grants"),),
            body=opportunity(
                "O-SMART-2025-172307",
                "February 12, 2025",
                "April 15, 2025",
                "April 8, 2025",
                "April 15, 2025",
                "States, the District of Columbia, the principal U.S. territories, and "
                "federally recognized tribal governments",
                paras(
                    "This program helps jurisdictions develop and enhance sex offender "
                    "registration and notification programs to substantially implement SORNA, "
                    "including registry software, information sharing, and address "
                    "verification.",
                ),
            ),
        ),
    ]


def add_to(content: SiteContent) -> None:
    content.pages += ovc_pages() + ojjdp_pages() + bja_pages() + bjs_pages() + smart_pages()
