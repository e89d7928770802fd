"""Board -> site: pages, SVG charts and downloads. The only code that writes the site.

`pages.render_site(board, ...)` gives every generated file as text; `plugin.py` hands
them to MkDocs as virtual files; `build.py` is `reproboard build`.
"""
