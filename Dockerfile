# syntax=docker/dockerfile:1
# A slim CPU image for a Hugging Face Docker Space. Build: docker build -t yolo-api .
# The runtime stage runs exactly `bun run start:prod` (see package.json), which
# is tested outside Docker by tests/commands/production.test.ts.

# --- build stage: production packages from the frozen lockfile, and the model ---
FROM oven/bun:1.4.5-slim AS build
WORKDIR /app
# Never fetch onnxruntime's CUDA parts (bun does not run its postinstall anyway).
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY src ./src
# Production packages only, then onnxruntime-node pruned to linux/<this arch>.
RUN bun run install:prod
# A model already in models/ is baked in as it is (an offline build); without one,
# model:fetch downloads the pinned default. MODEL_URL / MODEL_SHA256 override it (see models/README.md).
COPY models ./models
ARG MODEL_URL
ARG MODEL_SHA256
RUN bun run model:fetch

# --- runtime stage: only what runs; no system packages (the label font ships in node_modules) ---
FROM oven/bun:1.4.5-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/models ./models
COPY package.json bunfig.toml tsconfig.json ./
COPY src ./src
# Spaces run containers as uid 1000 (the image's `bun` user).
USER 1000
# `docker stop` (and most orchestrators) kill 10 s after SIGTERM: drain within that.
# A Space reaches the container through one proxy, which appends the client's
# address to X-Forwarded-For: TRUST_PROXY_HOPS=1 tells clients apart by it.
# (The start scripts point FONTCONFIG_FILE at src/vision/fonts.conf: the image has no fontconfig
# configuration of its own.)
ENV PORT=7860 DRAIN_TIMEOUT_MS=8000 TRUST_PROXY_HOPS=1
EXPOSE 7860
# The port is the container's PORT, so a container started with another one is still checked.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, so SIGTERM reaches Bun and the service drains (bunfig.toml keeps `bun run` from
# printing the script's command line, the one line of the log that would not be JSON).
# The same image runs an inference process of the Redis backend: command
# ["bun", "run", "inference:prod"] with QUEUE_BACKEND=redis and REDIS_URL. It serves no HTTP,
# so disable the HEALTHCHECK above for it (see docs/compose.yaml, README.md "Scaling out").
CMD ["bun", "run", "start:prod"]
