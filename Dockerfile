# Auditline collector image. Three stages:
#   build    dev dependencies and tsc → dist/ (the shipped modules only: tsconfig.build.json)
#   deps     production dependencies only, with better-sqlite3's native module built
#   runtime  node + deps + dist, run as an unprivileged user
# deploy/check-dockerfile.sh runs the same steps without Docker (CI runs it).
#   docker build -t auditline .
#   docker run -p 4317:4317 -p 4318:4318 -p 13133:13133 -v auditline-data:/var/lib/auditline auditline
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts here: tsc needs no native module, and `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY exporters ./exporters
COPY processors ./processors
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/auditline
COPY package.json package-lock.json ./
# --ignore-scripts skips the project's own `prepare` (tsc is a dev dependency); the
# one dependency whose install script is allowed (package.json allowScripts) is rebuilt.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production AUDITLINE_DATA=/var/lib/auditline
WORKDIR /opt/auditline
COPY --from=deps /opt/auditline/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json collector.yaml ./
COPY bin ./bin
COPY src/extensions/query-api/ui ./src/extensions/query-api/ui
COPY deploy/collector.yaml /etc/auditline/collector.yaml
# The image's own unprivileged user (the node image's `node` user, uid 1000), owning only the data directory.
RUN mkdir -p /var/lib/auditline && chown node:node /var/lib/auditline
USER node
VOLUME ["/var/lib/auditline"]
# OTLP gRPC, OTLP HTTP, health_check. The query API (8080) and self-metrics (8888) stay on loopback.
EXPOSE 4317 4318 13133
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:13133/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains the delivery logs before exit; give it time (docker stop -t 60).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/auditline/bin/auditline"]
CMD ["--config", "/etc/auditline/collector.yaml"]
