"""The web face of ojp-search (``ojp-search serve``): a search page, record pages, what's new
(a page and an Atom feed), a status page, export, and a JSON API, over the same ``index/`` calls
as the command line. A view turns URL parameters into the library call the CLI makes and shows
the result twice: an HTML page and its JSON twin."""
