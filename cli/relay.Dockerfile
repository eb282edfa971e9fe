# The consent relay (`qgcal relay`) as a container. Build from the repository root:
#   docker build -f cli/relay.Dockerfile -t qgcal-relay .
#   docker run --rm -p 8080:8080 -e QGCAL_RELAY_ALLOW='https://*.example.com/qorus/*' qgcal-relay
# It keeps nothing, so run as many copies as you like behind a TLS-terminating load balancer; probe
# GET /healthz. `docker stop` sends SIGTERM: requests in flight finish, then it exits 0.

# Build with the toolchain the tests run on; Debian bookworm on both sides, so glibc matches.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p qgcal --bin qgcal \
    && install -m 0755 target/release/qgcal /usr/local/bin/qgcal

FROM debian:bookworm-slim
# The relay makes no outgoing connections, so the image needs no CA certificates or other packages.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin qgcal
COPY --from=build /usr/local/bin/qgcal /usr/local/bin/qgcal
USER 10001:10001
ENV QGCAL_RELAY_ADDR=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/qgcal", "relay"]
