# The official postgres image's contract on Debian's PostgreSQL (PG_MAJOR from build.sh's suite).
ARG BASE
FROM ${BASE}
ARG PG_MAJOR
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# postgres is uid/gid 999 as in the official image, so a data volume's owner is the same in both.
# initdb copies the sample config: listen on every address, and use the official image's locale.
RUN groupmod -g 999 postgres && usermod -u 999 postgres && \
    chown -R postgres:postgres /etc/postgresql /var/lib/postgresql && chgrp postgres /var/log/postgresql && \
    sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/${PG_MAJOR}/postgresql.conf.sample && \
    localedef -i en_US -c -f UTF-8 en_US.UTF-8 && \
    install -d -o postgres -g postgres -m 3777 /run/postgresql && \
    install -d -o postgres -g postgres -m 1777 /var/lib/postgresql/data && \
    mkdir -p /docker-entrypoint-initdb.d
# An imported base has no PATH of its own: spell it out, server and client tools first.
ENV PG_MAJOR=${PG_MAJOR} LANG=en_US.utf8 PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VOLUME /var/lib/postgresql/data
# SIGINT is postgres's fast shutdown (SIGTERM would wait for clients): `docker stop` is quick.
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
