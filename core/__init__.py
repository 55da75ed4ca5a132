"""Infrastructure every part uses: input cleaning, database connections and column types, security
headers and host checks, the request log, the health check, and the `flask db` command."""
