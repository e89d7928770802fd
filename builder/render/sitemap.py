"""sitemap.xml: every page of every language, each with its twins in the other languages.

mkdocs-static-i18n's sitemap lists only the pages it knows (the hand-written ones) and
MkDocs' lists only one language; the plugin writes this one after every language is
built. A sitemap needs absolute addresses: without `site_url` it is empty, as MkDocs'
own is.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable

from builder.render import escape


def sitemap_xml(site_url: str | None, languages: list[str], page_urls: dict[str, Iterable[str]], lastmod: str | None) -> str:
    """`languages`: codes, the default first (its pages at the root, the others' under `<code>/`);
    `page_urls`: each language's page URLs as MkDocs gives them (`zh/models/a/b/`)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    if site_url:
        base = site_url if site_url.endswith("/") else site_url + "/"
        default = languages[0]
        # The same page in each language, by its address in the default language.
        twins: dict[str, dict[str, str]] = {}
        for language in languages:
            prefix = "" if language == default else f"{language}/"
            for url in page_urls.get(language, ()):
                logical = url[len(prefix):] if prefix and url.startswith(prefix) else url
                twins.setdefault(logical, {})[language] = url
        for language in languages:
            for logical in sorted(twins):
                versions = twins[logical]
                if language not in versions:
                    continue
                lines.append(f"  <url><loc>{escape.text(base + versions[language])}</loc>"
                             + (f"<lastmod>{escape.text(lastmod)}</lastmod>" if lastmod else ""))
                if len(versions) > 1:
                    lines.extend(f'    <xhtml:link rel="alternate" hreflang="{escape.attr(other)}" href="{escape.attr(base + versions[other])}"/>'
                                 for other in languages if other in versions)
                lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def gzipped(text: str, mtime: int) -> bytes:
    """sitemap.xml.gz, with a fixed time in its header so that rebuilds are byte-identical."""
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=mtime)
