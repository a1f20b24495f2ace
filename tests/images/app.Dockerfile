# A stand-in for AgentChat's backend: it only keeps a log growing.
ARG BASE
FROM ${BASE}
COPY app-entrypoint.sh /usr/local/bin/app-entrypoint.sh
RUN mkdir -p /app/logs /app/uploads
WORKDIR /app
CMD ["/usr/local/bin/app-entrypoint.sh"]
