# Tribune: one binary with the web UI and every IANA timezone embedded.
# Build: docker build -t tribune .   Run: docker run -p 8080:8080 -v tribune-data:/data tribune

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
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
