# The CETS bot image: the bot (`cets-bot run`), its migrations (`cets-bot db upgrade`) and the
# registry's reference server (`cets-bot registry serve`). Runs as an unprivileged user.
#   docker build -t cets-bot .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --gid 10001 cets \
    && useradd --uid 10001 --gid cets --no-create-home --home-dir /app --shell /usr/sbin/nologin cets

WORKDIR /app
COPY . .
# Editable install: migrations, catalogs, the knowledge base and NLU data are read from /app.
RUN pip install --no-compile -e . \
    && pybabel compile -d locales -D messages

# The NLU artifact is built into the image, so a worker starts in well under a second.
ENV CETS_CACHE_DIR=/app/cache \
    CETS_DATA_DIR=/data \
    CETS_HTTP_HOST=0.0.0.0 \
    CETS_HTTP_PORT=8080 \
    CETS_LOG_FORMAT=json \
    CETS_LOG_LEVEL=INFO
RUN python -c "from nlu.embedded import EmbeddedNlu; EmbeddedNlu.load()" \
    && mkdir -p /data && chown cets:cets /data

USER 10001:10001
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
# SIGTERM stops the bot cleanly within 10 s (in-flight turns finish; see docs/deploy.md).
STOPSIGNAL SIGTERM
CMD ["cets-bot", "run"]
