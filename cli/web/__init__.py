"""``cchc web``: the agencies' web pages (log in, see their periods, download the template,
upload a file through the folder's own intake)."""
