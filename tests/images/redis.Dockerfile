# The official redis image's contract on Debian's redis-server.
ARG BASE
FROM ${BASE}
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The trixie base also holds Valkey (for the valkey image): not in this one.
RUN rm -f /usr/bin/valkey-* && mkdir -p /data && chown redis:redis /data
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
