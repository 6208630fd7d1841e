# syntax=docker/dockerfile:1
# A slim image for a Hugging Face Docker Space (CPU). Build: docker build -t yolo-api .

# --- build stage: production packages from the frozen lockfile, and the model ---
FROM oven/bun:1.4.5-slim AS build
WORKDIR /app
COPY package.json bun.lock bunfig.toml ./
# bun does not run onnxruntime-node's postinstall (it would only fetch CUDA parts);
# the CPU binaries ship inside the package.
RUN bun install --frozen-lockfile --production
COPY tsconfig.json ./
COPY src ./src
COPY models ./models
# Bake the model into the image so the Space starts without a download
# (MODEL_URL / MODEL_SHA256 build args override the pinned default).
ARG MODEL_URL
ARG MODEL_SHA256
RUN bun run model:fetch

# --- runtime stage: only what runs ---
# No system packages: the label font ships in node_modules (dejavu-fonts-ttf).
FROM oven/bun:1.4.5-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/models ./models
COPY package.json tsconfig.json bunfig.toml ./
COPY src ./src
# Spaces run the container as uid 1000 (the image's `bun` user).
USER 1000
ENV PORT=7860 NODE_ENV=production
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:7860/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: SIGTERM reaches Bun directly.
CMD ["bun", "run", "src/index.ts"]
