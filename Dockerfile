# One image for every grantflow service: `grantflow run <service>` (proposals, disbursement,
# notifications, reporting, or all), `grantflow migrate` (a one-shot job per release).
#
#   docker build -t grantflow:dev .
#   docker run --rm -e AMQP_URI=... -e DATABASE_URL=postgresql://... grantflow:dev run proposals
#
# The base is pinned to the Python the project is tested on; pin its digest too in your
# registry's mirror (`FROM python:3.11.7-slim-bookworm@sha256:...`) when you promote a release.

ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# ---- assets: the workspace's front-end packages from npm, exactly as the lock file says ------
FROM ${NODE_IMAGE} AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --omit=dev

# ---- build: install the project and its dependencies into a virtual environment ----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/grantflow
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services/ services/
RUN /opt/grantflow/bin/pip install --no-compile . \
 && /opt/grantflow/bin/python -m compileall -q /opt/grantflow/lib

# ---- runtime: the virtual environment, the contracts, a non-root user ----------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG UID=10001
RUN groupadd --system --gid ${UID} grantflow \
 && useradd --system --uid ${UID} --gid ${UID} --home-dir /app --shell /usr/sbin/nologin grantflow
COPY --from=build /opt/grantflow /opt/grantflow
WORKDIR /app
COPY contracts/ /app/contracts/
COPY --from=assets /assets/node_modules /app/node_modules
ENV PATH=/opt/grantflow/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CONTRACTS_DIR=/app/contracts \
    WORKSPACE_ASSETS_DIR=/app/node_modules \
    HTTP_HOST=0.0.0.0 \
    LOG_FORMAT=json \
    GRANTFLOW_ENV=production
USER ${UID}:${UID}
EXPOSE 8001 8002 8003 8004 8005
# /health/live of every service this container runs (read from the processes' command lines;
# all four for `run all`; with or without an init process). A container running `migrate`
# has no health check: disable it there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import glob, os, urllib.request as r; p = {'proposals': 8001, 'disbursement': 8002, 'notifications': 8003, 'reporting': 8004, 'workspace': 8005, 'registry': 8006}; a = [w for f in glob.glob('/proc/[0-9]*/cmdline') for w in open(f, 'rb').read().decode(errors='replace').split(chr(0))]; [r.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get(n.upper() + '_PORT', p[n]), timeout=3) for n in ([n for n in p if n in a] or list(p))]"]
# SIGTERM drains gracefully (the batch in hand is applied and acknowledged); allow 60 s or more.
STOPSIGNAL SIGTERM
ENTRYPOINT ["grantflow"]
CMD ["run", "all"]
