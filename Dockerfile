# The Akasa container image: docker build -t akasa .   (or: podman build -t akasa .)
# Two stages on Debian 12. The build stage compiles the server with the project's own scripts;
# the runtime stage holds only the binary, the Debian packages of its shared libraries and a
# default config, and runs as the user akasa with its store in the volume /var/lib/akasa.
#   docker run --init -p 1883:1883 -v "$PWD":/opt IMAGE akasa start --config /opt/akasa-config.yaml
#   docker run --init -p 1883:1883 IMAGE          # the default config, /etc/akasa/akasa.yaml
# Without a registry, DEBIAN_IMAGE names a Debian 12 image made locally (README.md, "Container").
ARG DEBIAN_IMAGE=debian:12

FROM ${DEBIAN_IMAGE} AS build
# The dependencies first, in a layer of their own: a change to the sources does not redo it.
COPY scripts/install-deps /src/scripts/install-deps
RUN /src/scripts/install-deps run && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DAKASA_BUILD_TESTS=OFF -DAKASA_BUILD_BENCH=OFF \
 && cmake --build /build -j "$(nproc)" --target akasa akasa_container_config \
 && strip /build/akasa \
 && packaging/container/runtime-packages /build/akasa > /build/runtime-packages

FROM ${DEBIAN_IMAGE}
COPY --from=build /build/runtime-packages /tmp/runtime-packages
# A fixed uid/gid (999) so that a host directory mounted as the store can be given to it.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages \
      apt-get install -y -q --no-install-recommends \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && groupadd --system --gid 999 akasa \
 && useradd --system --uid 999 --gid akasa --home-dir /var/lib/akasa --no-create-home \
      --shell /usr/sbin/nologin akasa \
 && install -d -o akasa -g akasa -m 0750 /var/lib/akasa
COPY --from=build /build/akasa /usr/bin/akasa
COPY --from=build /build/packaging/akasa-container.yaml /etc/akasa/akasa.yaml

# The store (persistence.dir of the default config); a relative dir in a mounted config
# (./data) lands there too, as it is the working directory.
VOLUME /var/lib/akasa
WORKDIR /var/lib/akasa
# mqtt, mqtts, ws, http (/health, /metrics). The default config opens 1883 and 8081; 8883 and
# 8080 are the usual ports of a config that enables mqtts and ws.
EXPOSE 1883 8883 8080 8081
USER akasa
# SIGTERM stops the server cleanly: wills published, store flushed, exit status 0. With
# `--init` (as documented) an init process forwards it; without, akasa as PID 1 handles it too.
STOPSIGNAL SIGTERM
CMD ["akasa", "start", "--config", "/etc/akasa/akasa.yaml"]
