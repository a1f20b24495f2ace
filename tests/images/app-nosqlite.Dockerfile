# The app image as most SQLite apps ship (Vaultwarden, Uptime Kuma): SQLite linked in, no sqlite3
# shell. A backup then copies its databases with the app paused. The test writer uses the same
# shell under another name, which the backup's probe for `sqlite3` does not find.
ARG BASE
FROM ${BASE}
COPY app-entrypoint.sh /usr/local/bin/app-entrypoint.sh
RUN mv /usr/bin/sqlite3 /usr/local/bin/app-sqlite && mkdir -p /app/logs /app/uploads
WORKDIR /app
CMD ["/usr/local/bin/app-entrypoint.sh"]
