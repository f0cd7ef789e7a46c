# Tribune: one binary with the web UI and every IANA timezone embedded.
# Build: docker build -t tribune .   Run: docker run -p 8080:8080 -v tribune-data:/data tribune

# The web UI, built with Node; the Go build embeds frontend/dist.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /web/dist ./frontend/dist
# cgo is on: the SQLite driver is the C SQLite library.
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/tribune ./cmd/tribune

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tribune \
    && mkdir -p /data && chown tribune:tribune /data
COPY --from=build /out/tribune /usr/local/bin/tribune
USER tribune
VOLUME /data
ENV TRIBUNE_ADDR=0.0.0.0:8080 \
    TRIBUNE_DB=/data/tribune.db
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/tribune"]
CMD ["serve"]
