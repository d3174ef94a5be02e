# Switchyard CLI image. The API server and workers join it when service mode lands.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY migrations ./migrations
COPY mappings ./mappings
COPY test/bench ./test/bench
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
COPY bin ./bin
ENTRYPOINT ["node", "bin/switchyard.js"]
CMD ["--help"]
