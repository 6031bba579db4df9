# syntax=docker/dockerfile:1
# mpcl: the prediction server (and the trainer, for Kubernetes training Jobs) in a slim image.
#   docker build -t mpcl:latest .
#   docker run --rm -p 8080:8080 mpcl:latest
# CI builds and runs this file unchanged with podman (scripts/container-test).

# ---- build: the Swift 6 toolchain, the -dev packages, a static Swift standard library ----------
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenblas-dev zlib1g-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product mpcl-serve \
    && swift build -c release --static-swift-stdlib --product mpcl-train \
    && mkdir -p /staging/bin \
    && cp .build/release/mpcl-serve .build/release/mpcl-train /staging/bin/ \
    && cp -R .build/release/*.resources /staging/bin/
# Symbol tables and debug info are most of each binary and nothing the programs read at run time
# (a crash backtrace then shows addresses: symbolicate against an unstripped build of the commit).
RUN strip /staging/bin/mpcl-serve /staging/bin/mpcl-train

# ---- runtime: the shared libraries the binaries link, and curl for the model fetch --------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenblas0-pthread zlib1g libssl3 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# The binaries find their resource bundles (the default checkpoint) next to themselves.
COPY --from=build /staging/bin/ /usr/local/bin/
# The init container's download of checksummed models into an emptyDir (deploy/).
COPY scripts/fetch /usr/local/bin/mpcl-fetch
# One BLAS thread per inference worker: two workers with one thread each outrun two threads each.
# The server records its port and TLS in MPCL_PROBE_FILE so the HEALTHCHECK probes it as configured
# (flags included); /tmp is writable even read-only (podman mounts a tmpfs, docker: --tmpfs /tmp).
ENV OPENBLAS_NUM_THREADS=1 \
    MPCL_HOST=:: \
    MPCL_PORT=8080 \
    MPCL_PROBE_FILE=/tmp/mpcl-serve.probe.json
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8080
# SIGTERM starts the graceful drain (readiness off, in-flight requests finish, exit 0).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/mpcl-serve", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mpcl-serve"]
