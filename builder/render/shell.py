"""Thousands of pages from one rendering of a template: the model pages' shell.

Rendering a page through the theme's Jinja environment costs a millisecond or more, most
of a generated page's cost in MkDocs. Every model page of a language gets the same header,
tabs, footer and script (LEAN_TEMPLATE): it sits at the same depth (`models/<org>/<name>/`),
outside the navigation, with the same front matter. Only its title, its content, its
canonical URL and its language switcher's links differ. So the theme renders one page whose varying parts are
placeholders, and each model page fills them in.

The placeholders are filled with exactly what the theme would have printed (the same
filters, applied by the same code), so a page from the shell is byte-identical to one the
theme renders itself; tests/test_site_build.py builds a site both ways and compares
every page. A page that does not fit the shell's assumptions is rendered by the theme, and
so is every page when the theme prints a placeholder in another form (upper-cased,
truncated). A filter that would change a real title but not the placeholder (`striptags`,
escaping) is caught by that test after a theme upgrade: a fixture model's name is markup.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

TEMPLATE = "reproboard-page.html"
"""The template a shell page names in its front matter (`builder/render/templates/`): it calls `reproboard_page()`."""
LEAN_TEMPLATE = "reproboard-lean.html"
"""The page that a model page is rendered through, from its shell or directly (`page_shells: false`): a page of its
own, drawn by the theme's styles but running none of its scripts, with only the chrome a reader of one model uses (the
name, the palette toggle, the language switcher, a search link, the sections as tabs); reproboard-lean-page.html. The
theme's `main.html`, with its navigation, search dialog and scripts, would weigh more than the content on thousands of pages."""

_VERBATIM = re.compile(r"(<article\b.*?</article>|<pre\b.*?</pre>|<script\b.*?</script>|<textarea\b.*?</textarea>)", re.S)
_INDENT = re.compile(r"\n\s+")


def squeeze(html: str, icons: Icons | None = None, base_url: str = ".") -> str:
    """The theme's page without the indents and blank lines of its templates: a quarter of a model page's shell.

    A line break stays where there was white space, so the page renders the same. The page's own content (inside
    `<article>`), preformatted text and scripts are left as they are: a page filled from its shell and one the theme
    renders come out the same. With `icons`, the theme's inline icons become references into one shared file (another
    quarter); `base_url` leads from the page to the site's root."""
    parts = _VERBATIM.split(html)
    out = []
    for i, part in enumerate(parts):
        if not i % 2:
            part = _INDENT.sub("\n", part)
            if icons is not None:
                part = icons.refer(part, base_url)
        elif part.startswith("<article"):
            # The template's blank lines around the content, not the content's own.
            part = _ARTICLE_END.sub("\n</article>", _ARTICLE_START.sub(r"\1\n<h1", part, count=1), count=1)
        out.append(part)
    return "".join(out).lstrip()


_ARTICLE_START = re.compile(r"\A(<article\b[^>]*>)\s+<h1\b")
_ARTICLE_END = re.compile(r"\s+</article>\Z")
"""White space between the article's opening tag and the content's heading, and between the content and the closing tag."""


_ICON = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="(0 0 24 24)">(<path d="[^"<>]*"/>)</svg>')
"""An icon as Material prints it inline (`.icons/*/*.svg`): one path in a 24-unit box."""
_ANY_ICON = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="([^"<>]*)">(.*)</svg>', re.S)
"""Any of the theme's icons (other sets have other boxes, several paths, comments)."""


class Icons:
    """The theme's inline icons in the chrome of the model pages (the logo, the palette toggle, the language menu,
    search), each written once to `PATH` and drawn with `<use>`: thousands of pages print the same few icons.

    The `<svg>` element stays, so the theme's styles (size, `fill: currentcolor`) apply to it as before."""

    PATH = "assets/reproboard/icons.svg"

    def __init__(self) -> None:
        self._symbols: dict[str, tuple[str, str]] = {}
        """By id: (viewBox, the icon's drawing)."""

    def refer(self, html: str, base_url: str) -> str:
        def one(found: re.Match[str]) -> str:
            return f'<svg viewBox="{found.group(1)}"><use href="{base_url}/{self.PATH}#{self.key(found.group(0))}"/></svg>'

        return _ICON.sub(one, html)

    def key(self, svg: str) -> str:
        """The id in `PATH` of one icon as the theme prints it (also for a script that draws it: palette.js)."""
        found = _ANY_ICON.fullmatch(svg.strip())
        if found is None:
            raise ValueError(f"reproboard: not one of the theme's icons: {svg.strip()[:80]!r}")
        box, drawing = found.groups()
        key = "i" + hashlib.sha256(drawing.encode("utf-8")).hexdigest()[:10]
        self._symbols[key] = (box, drawing)
        return key

    def sprite(self) -> str | None:
        """The file of every icon referred to so far, by id; None when there is none."""
        if not self._symbols:
            return None
        symbols = "".join(f'<symbol id="{key}" viewBox="{box}">{drawing}</symbol>' for key, (box, drawing) in sorted(self._symbols.items()))
        return f'<svg xmlns="http://www.w3.org/2000/svg">{symbols}</svg>\n'


_TITLE = "\ue000reproboard:title\ue001"
_CANONICAL = "\ue000reproboard:canonical\ue001"
_CONTENT = "<h1>\ue000reproboard:content\ue001"
"""Starts with `<h1`: Material adds a heading of its own to content without one; a shell page's content has one."""


def _alternate(i: int) -> str:
    return f"\ue000reproboard:alternate-{i}\ue001"


@dataclass(frozen=True)
class Shell:
    parts: tuple[str, ...]
    """Text, slot name, text, slot name, ..., text."""

    def fill(self, values: dict[str, str]) -> str:
        out = list(self.parts)
        for i in range(1, len(out), 2):
            out[i] = values[out[i]]
        return "".join(out)


def _split(rendered: str, slots: dict[str, str]) -> Shell | None:
    """Cut the rendered placeholder page at each slot's text; None when a placeholder also shows up in another form."""
    parts: list[str] = [rendered]
    for name, token in slots.items():
        cut: list[str] = []
        for i, part in enumerate(parts):
            if i % 2:  # a slot name already cut out
                cut.append(part)
                continue
            pieces = part.split(token)
            for j, piece in enumerate(pieces):
                if j:
                    cut.append(name)
                cut.append(piece)
        parts = cut
    if "\ue000" in "".join(parts[::2]) or "\ue001" in "".join(parts[::2]):
        return None  # a placeholder printed in a form the slots do not know (escaped, truncated, upper-cased)
    return Shell(tuple(parts))


class PageShells:
    """One shell per kind of page, made on the first page of the kind and reused for the rest of the build."""

    def __init__(self) -> None:
        self._shells: dict[tuple[Any, ...], Shell | None] = {}
        self.served = 0
        """Pages filled from a shell so far (the rest went through the theme)."""
        self.latest: Shell | None = None
        """The shell the latest page was filled from (builder/render/live.py fills the rest of a served site's)."""

    def clear(self) -> None:
        """Forget the shells (a new build, or another language): the theme's output may differ."""
        self._shells.clear()
        self.latest = None

    def render(self, context: Any, render_theme: Callable[[dict[str, Any]], str]) -> str:
        """The page of the Jinja `context` (the page's own), through its shell; `render_theme` renders the theme's page (LEAN_TEMPLATE)."""
        page: Page = context["page"]
        alternates = list(_alternates(context["config"].extra) or ())
        key = self._key(page, context.get("base_url"), alternates)
        shell = self._shells.get(key) if key is not None else None
        if key is not None and key not in self._shells:
            shell = self._shells[key] = self._make(page, dict(context.get_all()), alternates, render_theme)
        if shell is None:
            return render_theme(dict(context.get_all()))
        values = {"title": page.meta["title"], "content": page.content, "canonical": page.canonical_url or ""}
        for i, alternate in enumerate(alternates):
            values[f"alternate-{i}"] = normalize_url(alternate["link"], page)
        self.served += 1
        self.latest = shell
        return shell.fill(values)

    @staticmethod
    def _key(page: Page, base_url: str | None, alternates: list[dict[str, str]]) -> tuple[Any, ...] | None:
        """What the theme's output depends on besides the slots; None for a page the shell cannot serve."""
        meta = page.meta
        if (not isinstance(meta.get("title"), str) or "<h1" not in (page.content or "") or len(page.toc)
                or page.previous_page or page.next_page or page.parent or page.is_homepage or page.edit_url
                or set(meta) - {"title", "hide", "template"}):
            return None
        return (
            page.url.count("/"), page.url.endswith("/"), tuple(meta.get("hide") or ()), page.canonical_url is not None,
            base_url, tuple((a.get("name"), a.get("lang")) for a in alternates),
        )

    @staticmethod
    def _make(page: Page, variables: dict[str, Any], alternates: list[dict[str, str]],
              render_theme: Callable[[dict[str, Any]], str]) -> Shell | None:
        sentinel = copy.copy(page)
        sentinel.meta = {k: v for k, v in page.meta.items() if k != "template"} | {"title": _TITLE}
        sentinel.content = _CONTENT
        if page.canonical_url is not None:
            sentinel.canonical_url = _CANONICAL
        config = variables["config"]
        slots = {"title": _TITLE, "content": _CONTENT, "canonical": _CANONICAL}
        placeholder_links = []
        for i, alternate in enumerate(alternates):
            token = _alternate(i)
            placeholder_links.append({**alternate, "link": token})
            # The theme prints `link | url`: the placeholder comes out behind the page's way up to the root.
            slots[f"alternate-{i}"] = normalize_url(token, page)
        extra = config.extra
        saved_attribute, saved_key = vars(extra).get("alternate", _ABSENT), extra.get("alternate", _ABSENT)
        set_alternates(extra, placeholder_links)
        try:
            rendered = render_theme({**variables, "page": sentinel})
        finally:
            _restore(extra, saved_attribute, saved_key)
        return _split(rendered, slots)


_ABSENT = object()


def set_alternates(extra: Any, links: list[dict[str, str]]) -> None:
    """Set the language switcher's links in `config.extra`: the key, and the attribute that mkdocs-static-i18n
    sets and the theme's templates read before the key."""
    extra["alternate"] = links
    extra.alternate = links


def _alternates(extra: Any) -> Any:
    """`config.extra.alternate` as the theme's templates read it: Jinja tries the attribute (which
    mkdocs-static-i18n sets), then the key."""
    try:
        return extra.alternate
    except AttributeError:
        return extra.get("alternate")


def _restore(extra: Any, attribute: Any, key: Any) -> None:
    """Put `config.extra`'s `alternate` back as it was, attribute and key, present or not."""
    if attribute is _ABSENT:
        vars(extra).pop("alternate", None)
    else:
        extra.alternate = attribute
    if key is _ABSENT:
        extra.pop("alternate", None)
    else:
        extra["alternate"] = key


_STYLESHEET = re.compile(r"""['"](assets/stylesheets/[\w.-]+\.css)['"]""")


def theme_stylesheets(env: Any) -> tuple[str, ...]:
    """The stylesheets the theme's pages link (its `base.html`: `main.<hash>.min.css`, `palette.<hash>.min.css`), for
    the model pages, which are not the theme's pages but are drawn by its styles. Read from the theme's template, so
    an upgrade of the theme that renames them is followed; a theme that names none stops the build."""
    from mkdocs.exceptions import PluginError

    source, _, _ = env.loader.get_source(env, "base.html")
    found = tuple(dict.fromkeys(_STYLESHEET.findall(source)))
    if not found:
        raise PluginError("reproboard: the theme's base.html links no stylesheet under assets/stylesheets/; model pages need its styles")
    return found
