# The MariaDB 11 image's contract: MARIADB_* variables and only mariadb-* tool names.
ARG BASE
FROM ${BASE}
COPY mysql-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY mysql-server.cnf /etc/mysql/mariadb.conf.d/99-docker.cnf
RUN cd /usr/bin && rm -f mysql mysqldump mysqladmin mysqlcheck mysqlshow mysqlimport mysqlslap mysqlbinlog \
      mysql_* mysqld_* mysqlhotcopy mysqlreport mysqldumpslow mysql_secure_installation && \
    rm -f /usr/sbin/mysqld && \
    rm -rf /var/lib/mysql/* && mkdir -p /var/lib/mysql /run/mysqld /docker-entrypoint-initdb.d && \
    chown mysql:mysql /var/lib/mysql /run/mysqld
ENV DB_FLAVOR=mariadb
VOLUME /var/lib/mysql
EXPOSE 3306
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["mariadbd"]
