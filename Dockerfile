# syntax=docker/dockerfile:1
# chat-events: docker build -t chat-events . && docker run -p 8080:8080 -v chat-data:/data -e JWT_SECRET=... chat-events

# ---- build: every dependency (dev ones included), better-sqlite3 compiled, TypeScript compiled
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is compiled from source (node-gyp): it needs python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; better-sqlite3 is built next.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 --build-from-source
COPY tsconfig.json ./
COPY src ./src
# The demo app at /demo: its page (demo/public) and its script, bundled with the SDK by esbuild.
COPY sdk ./sdk
COPY demo ./demo
RUN npx tsc -p tsconfig.json \
 && npm run --silent build:demo \
 && npm prune --omit=dev --ignore-scripts

# ---- runtime: production dependencies, the compiled service and the demo's static files only
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/demo ./dist/demo
COPY --from=build /app/demo/public ./demo/public
RUN mkdir -p /data && chown node:node /data
# The image's unprivileged user (uid 1000); only /data is writable by it.
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm, no shell): SIGTERM reaches the service, which drains and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/interfaces/cli/serve.js"]
