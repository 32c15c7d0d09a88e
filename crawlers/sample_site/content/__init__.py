"""The sample site's content, one module per area; ``collect_content`` gathers it for the builder.

Text is modelled on public-domain OJP pages (paraphrased or reused sentences); the markup is ours.
"""

from __future__ import annotations

from crawlers.sample_site.builder import SiteContent


def collect_content() -> SiteContent:
    from crawlers.sample_site.content import awkward, bureaus, legacy, library, nij, ojp

    content = SiteContent()
    for module in (library, ojp, nij, bureaus, legacy, awkward):
        module.add_to(content)
    return content
