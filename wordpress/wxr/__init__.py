"""WordPress eXtended RSS (WXR): import a WordPress export and export this blog as one.

The services take plain file objects so that the CLI (wordpress/wxr/cli.py) and the admin
Tools -> Import / Export pages share them: `importer.import_wxr(uploaded_file.stream)` and
`Response(stream_with_context(exporter.iter_wxr(...)), mimetype="application/rss+xml")`.
This package imports none of its modules: the importer's lxml, a heavy library, loads only for an import.
"""
