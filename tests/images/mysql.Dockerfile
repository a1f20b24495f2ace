# The official mysql image's contract on Debian's MariaDB server.
ARG BASE
FROM ${BASE}
COPY mysql-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY mysql-server.cnf /etc/mysql/mariadb.conf.d/99-docker.cnf
# MySQL 8 writes a binary log by default; so does this image (the backup records its position).
RUN printf '[mysqld]\nlog-bin=binlog\nserver-id=1\n' > /etc/mysql/mariadb.conf.d/99-docker-binlog.cnf && \
    rm -rf /var/lib/mysql/* && mkdir -p /var/lib/mysql /run/mysqld /docker-entrypoint-initdb.d && \
    chown mysql:mysql /var/lib/mysql /run/mysqld
ENV DB_FLAVOR=mysql
VOLUME /var/lib/mysql
EXPOSE 3306
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["mysqld"]
