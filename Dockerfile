# The app's image: `docker build .`, or `docker compose up` with compose.yaml (README, "Containers").
# Two stages: the build, with dev dependencies (esbuild bundles the server and the SPA into dist/),
# then the runtime, with production dependencies only and the unprivileged `node` user.
# NODE_IMAGE picks the base (any Debian-like image with Node.js 20.19+ and npm at /usr/local/bin;
# scripts/test-container.sh builds one from Debian packages where no registry can be reached).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing here needs one (mongodb-memory-server's would download a mongod).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE}
# Production mode refuses to start without real credentials, MONGODB_URI and SESSION_SECRET, and
# names what is missing; SANDBOX_DEMO=true is the documented switch for a local demo. HOST 0.0.0.0
# is the container's own interface, reached through a published port: the sandbox refuses it
# unless SANDBOX_ALLOW_REMOTE=true says so too (compose.yaml does, and publishes on 127.0.0.1).
ENV NODE_ENV=production \
    PORT=1337 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir .data \
 && chown 1000:1000 .data
COPY --from=build /app/dist ./dist
# The official images' `node` user, by number so that orchestrators can tell it is not root. The
# app's files stay root's: it can write nothing but .data/ (the sandbox demo's generated secrets).
USER 1000:1000
EXPOSE 1337
# Ready means the database answers too (GET /readyz); a stopped database takes it out of rotation.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 1337) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# V8 flags as server/start/node-flags.ts names them (the workers of WEB_CONCURRENCY inherit them).
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "dist/server/index.js"]
