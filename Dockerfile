# syntax=docker/dockerfile:1
# MCPS.ONE: build with `docker build -t mcps-one .`, run with docker-compose.yml or see docs/DEPLOYMENT.md.

# ---- build: compile TypeScript and the native better-sqlite3 binding ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source (node-gyp) when no prebuilt binary fits this Node and platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev

# ---- runtime: production dependencies and compiled output only, as a non-root user ----
FROM node:22-bookworm-slim AS runtime
# tini as PID 1 forwards signals and reaps orphaned grandchildren of the managed MCP servers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data \
    LOG_DIR=/data/logs \
    DATABASE_URL=sqlite:////data/mcps.db
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# /data holds the SQLite database, the log files and backups; the image's `node` user (uid 1000) owns it.
RUN mkdir -p /data/logs && chown -R node:node /data
USER node
VOLUME /data
EXPOSE 8000
# Liveness. The request's Host is 127.0.0.1, so ALLOWED_HOSTS must keep 127.0.0.1 (it does by default).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js", "serve"]
