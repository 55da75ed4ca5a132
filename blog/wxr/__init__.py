"""WordPress eXtended RSS (WXR): import a WordPress export and export this blog as one.

The services take plain file objects so that the CLI (blog/wxr/cli.py) and a later admin
Tools -> Import / Export page can share them: `import_wxr(uploaded_file.stream)` and
`Response(stream_with_context(iter_wxr(...)), mimetype="application/rss+xml")`.
"""

from blog.wxr.exporter import ExportReport, iter_wxr, write_wxr
from blog.wxr.importer import ImportReport, import_wxr
from blog.wxr.reader import WXRError

__all__ = ["ExportReport", "ImportReport", "WXRError", "import_wxr", "iter_wxr", "write_wxr"]
