# syntax=docker/dockerfile:1.7
# The one Headwater image: controller and every adapter role, plus the sample sink function as its
# own target. Build: `docker build -t headwater/headwater:dev .` and
# `docker build --target event-display -t headwater/event-display:dev .`
# The entry files and the role table below are the ones the local node runner runs
# (hack/runner/image-table.ts); test/unit/runner/dockerfile.test.ts keeps the two in step.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY lib lib
COPY api api
COPY controller controller
COPY adapter adapter
COPY samples samples
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# Role dispatch: Deployments say `args: [<role>, …]`; anything else is handed to node unchanged.
COPY --chmod=0755 <<'EOF' /usr/local/bin/headwater
#!/bin/sh
set -e
cd /app
case "$1" in
  controller) shift; exec node dist/controller/main.js "$@" ;;
  cron|kafka|redisstream|trigger) exec node dist/adapter/main.js "$@" ;;
  *) exec node "$@" ;;
esac
EOF
# The base image's unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
EXPOSE 8080

FROM runtime AS event-display
ENTRYPOINT ["node", "dist/samples/functions/event-display.js"]

# Last stage = the default target: the controller, or an adapter role given as args.
FROM runtime AS headwater
ENTRYPOINT ["headwater"]
CMD ["controller"]
