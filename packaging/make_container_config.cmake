# Writes the config the container image (Dockerfile) ships as /etc/akasa/akasa.yaml and
# starts with when no command is given: `akasa default-config --allow-anonymous` with the
# listeners on every interface of the container (reached through published ports) and the
# store in the image's volume.
#   cmake -DAKASA=<binary> -DOUTPUT=<file> -P make_container_config.cmake
include(${CMAKE_CURRENT_LIST_DIR}/default_config_edits.cmake)
read_default_config(--allow-anonymous)

replace_once("# Akasa configuration (YAML)."
  "# Akasa configuration (YAML), the container image's default: /etc/akasa/akasa.yaml.
# The image runs `akasa start --config /etc/akasa/akasa.yaml` as the user akasa. Anonymous
# clients are allowed: for logins, mount a config of your own with auth.enable: true.
#")
replace_once("    addr: 127.0.0.1:1883      # 0.0.0.0:1883 (or [::]:1883) to accept remote clients"
  "    addr: 0.0.0.0:1883        # every interface of the container: publish it, -p 1883:1883")
replace_once("    addr: 127.0.0.1:8081" "    addr: 0.0.0.0:8081")
replace_once("  dir: ./data                        # created if missing"
  "  dir: /var/lib/akasa                # the image's volume, owned by the user akasa")

file(WRITE ${OUTPUT} "${document}")
