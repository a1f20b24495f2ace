# The official valkey image's contract on Debian's valkey-server: /data, runs as valkey, and only
# valkey-* names (no redis-* compatibility links), so nothing can pass by calling redis-cli.
ARG BASE
FROM ${BASE}
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN rm -f /usr/bin/redis-* /usr/local/bin/redis-* && \
    mkdir -p /data && chown valkey:valkey /data
ENV REDIS_FLAVOR=valkey
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["valkey-server"]
