"""The model pages' shell (builder/render/shell.py) on its own, with real MkDocs pages and Jinja templates:
it fills pages exactly as the template renders them, and sends every page it cannot serve to the template.

tests/test_site_build.py compares whole sites built with and without shells; these cases are the ones a
real build does not reach."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import url_filter

from builder.render.shell import TEMPLATE, Icons, PageShells, squeeze

THEME = (
    "<title>{{ page.meta.title }} - site</title>"
    "{% if page.canonical_url %}<link rel=canonical href='{{ page.canonical_url }}'>{% endif %}"
    "{% for alt in config.extra.alternate %}<a href='{{ alt.link | url }}' hreflang='{{ alt.lang }}'>{{ alt.name }}</a>{% endfor %}"
    "<nav>{{ 'toc' if page.toc | length else 'no toc' }}</nav>"
    "{% if '<h1' not in page.content %}<h1>{{ page.meta.title }}</h1>{% endif %}{{ page.content }}"
)


def _config(tmp_path: Path) -> MkDocsConfig:
    config = MkDocsConfig()
    config.load_dict({"site_name": "site", "site_url": "https://board.example.org/sub/", "docs_dir": str(tmp_path)})
    assert config.validate() == ([], [])
    return config


def _page(config: MkDocsConfig, model_id: str, name: str) -> Page:
    file = File(f"models/{model_id}.md", src_dir=None, dest_dir=str(config.site_dir), use_directory_urls=True)
    page = Page(None, file, config)
    page.meta = {"title": name, "template": TEMPLATE}
    page.content = f"<h1>{name}</h1><p>{model_id} &amp; more</p>"
    page.toc = get_toc([])
    return page


def _render(theme: str, config: MkDocsConfig, pages: list[Page]) -> tuple[list[str], list[str], PageShells]:
    """Each page through the shell, and through the theme alone, as MkDocs would render them."""
    shells = PageShells()
    env = jinja2.Environment(loader=jinja2.DictLoader({"main.html": theme, TEMPLATE: "{{ reproboard_page() }}"}))
    env.filters["url"] = url_filter
    env.globals["reproboard_page"] = jinja2.pass_context(lambda context: shells.render(context, env.get_template("main.html").render))
    from_shell, from_theme = [], []
    for page in pages:
        config.extra["alternate"] = [
            {"name": "English", "lang": "en", "link": page.url},
            {"name": "简体中文", "lang": "zh", "link": "zh/" + page.url},
        ]
        context = {"page": page, "config": config, "base_url": get_relative_url(".", page.url)}
        from_shell.append(env.get_template(TEMPLATE).render(context))
        from_theme.append(env.get_template("main.html").render(context))
    return from_shell, from_theme, shells


def test_pages_from_the_shell_are_what_the_theme_renders(tmp_path: Path) -> None:
    config = _config(tmp_path)
    pages = [_page(config, "acme/Alpha-7B", "Alpha &lt;7B&gt;"), _page(config, "beta/B", "B"), _page(config, "c/C-1.5", "C 1.5")]
    from_shell, from_theme, shells = _render(THEME, config, pages)
    assert from_shell == from_theme
    assert shells.served == 3
    assert "<a href='./' hreflang='en'>" in from_shell[1]  # the page's own link, as the url filter makes it
    assert "href='https://board.example.org/sub/models/beta/B/'" in from_shell[1]


def test_a_theme_that_prints_a_slot_in_another_form_gets_every_page_itself(tmp_path: Path) -> None:
    config = _config(tmp_path)
    pages = [_page(config, "acme/Alpha-7B", "Alpha"), _page(config, "beta/B", "Beta")]
    from_shell, from_theme, shells = _render(THEME + "<footer>{{ page.meta.title | upper }}</footer>", config, pages)
    assert from_shell == from_theme
    assert shells.served == 0


@pytest.mark.parametrize("change", ["toc", "meta", "no heading"])
def test_a_page_unlike_the_others_goes_through_the_theme(tmp_path: Path, change: str) -> None:
    config = _config(tmp_path)
    pages = [_page(config, "acme/Alpha-7B", "Alpha"), _page(config, "beta/B", "Beta")]
    odd = pages[1]
    if change == "toc":
        odd.toc = get_toc([{"level": 2, "id": "x", "name": "X", "children": []}])
    elif change == "meta":
        odd.meta["description"] = "a page of its own"
    else:
        odd.content = "<p>no heading</p>"
    from_shell, from_theme, shells = _render(THEME, config, pages)
    assert from_shell == from_theme
    assert shells.served == 1


def test_squeeze_drops_the_templates_indents_but_not_the_pages_content_or_preformatted_text() -> None:
    page = ("\n  <!doctype html>\n    <header>\n\n      <a>x</a>\n    </header>\n"
            "<article class=\"md-content\">\n   <p>notes\n     kept</p><pre>  a\n    b</pre>\n</article>\n"
            "  <pre>\n  code\n</pre>\n  <script>var a = `\n  x`;</script>\n  <footer>\n    Made with\n  </footer>\n")
    assert squeeze(page) == ("<!doctype html>\n<header>\n<a>x</a>\n</header>\n"
                             "<article class=\"md-content\">\n   <p>notes\n     kept</p><pre>  a\n    b</pre>\n</article>\n"
                             "<pre>\n  code\n</pre>\n<script>var a = `\n  x`;</script>\n<footer>\nMade with\n</footer>\n")


def test_icons_of_any_set_are_written_once_with_their_own_box() -> None:
    """The sprite keeps each icon's box and drawing: Material's one-path 24-unit icons, and others (FontAwesome's
    512-unit boxes with comments), which palette.js may name for the palette toggle. Anything else is refused."""
    material = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 6h18v2H3z"/></svg>'
    awesome = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><!--! Font Awesome --><path d="M0 0h512v512z"/>'
               '<path d="M1 1z"/></svg>')
    icons = Icons()
    page = icons.refer(f"<a>{material}</a><b>{material}</b>", "../..")
    assert page.count('<use href="../../assets/reproboard/icons.svg#') == 2 and "<path" not in page
    key = icons.key("\n" + awesome + "\n")
    assert icons.key(material) in page and key != icons.key(material)
    sprite = icons.sprite() or ""
    assert sprite.count("<symbol ") == 2
    assert f'<symbol id="{key}" viewBox="0 0 512 512"><!--! Font Awesome --><path d="M0 0h512v512z"/><path d="M1 1z"/></symbol>' in sprite
    with pytest.raises(ValueError, match="not one of the theme's icons"):
        icons.key('<img src="logo.png">')
    assert Icons().sprite() is None
