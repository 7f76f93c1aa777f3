# syntax=docker/dockerfile:1
# The image of every Mercato service: SERVICE names it (users, catalog,
# orders, payments, notifications, analytics, gateway) and PORT is the port
# it listens on (its configuration's default, see docs/operations.md).
#
# Build from the repository root (the Go workspace and platform/ are needed):
#   docker build --build-arg SERVICE=orders --build-arg PORT=8083 \
#     --build-arg VERSION=0.1.0 -t ghcr.io/mercato-shop/mercato-orders:0.1.0 .
# `make images` builds them all. Checked by the tests in deploy/ (no Docker
# engine runs in CI).
#
# The binary is /app/service in every image: ENTRYPOINT and HEALTHCHECK take
# no build arguments, so its path cannot carry the service's name.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
ARG SERVICE
WORKDIR /src
# The whole workspace (see .dockerignore): go.work lists every module, and
# the build resolves them exactly as `make build` and the tests do.
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    test -n "${SERVICE}" && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/mercato-shop/mercato/platform/service.Version=${VERSION}" \
      -o /out/service ./${SERVICE}/cmd/${SERVICE}

FROM gcr.io/distroless/static-debian12:nonroot
ARG SERVICE
ARG PORT
ARG VERSION=dev
LABEL org.opencontainers.image.title="mercato-${SERVICE}" \
      org.opencontainers.image.description="Mercato ${SERVICE} service" \
      org.opencontainers.image.source="https://github.com/mercato-shop/mercato" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/service /app/service
ENV HTTP_ADDR=:${PORT}
EXPOSE ${PORT}
USER nonroot:nonroot
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/app/service", "healthcheck"]
ENTRYPOINT ["/app/service"]
