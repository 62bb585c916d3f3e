# Writes the config the package installs as /etc/akasa/akasa.yaml: the document of
# `akasa default-config` (so every key and comment stays the server's own) with the paths a
# system service uses instead of ones relative to the working directory.
#   cmake -DAKASA=<binary> -DOUTPUT=<file> -P make_packaged_config.cmake
include(${CMAKE_CURRENT_LIST_DIR}/default_config_edits.cmake)
read_default_config()

replace_once("# Akasa configuration (YAML)."
  "# Akasa configuration (YAML), installed by the akasa package as /etc/akasa/akasa.yaml.
# The service (akasa.service) runs as the user akasa; after an edit: systemctl restart akasa
# (password and ACL files are read again by: systemctl reload akasa). Keys: man akasa.yaml.
#")
# Logins are required: the package creates an empty /etc/akasa/passwords (root:akasa, 0640),
# so the broker starts and refuses every client until users are added.
replace_once("  #   akasa insert-password --create --path ./passwords --username NAME
  # and add more users with the same command without --create.
  password_file: ./passwords"
  "  # The package created it empty (root:akasa, mode 0640: the server reads it, others cannot).
  # Add users with (as root; the file keeps its owner and mode)
  #   akasa insert-password --path /etc/akasa/passwords --username NAME
  # then: systemctl reload akasa
  password_file: /etc/akasa/passwords")
replace_once("  # The file must exist before the server starts. Create it with\n" "")
replace_once("  dir: ./data                        # created if missing"
  "  dir: /var/lib/akasa                # the service's StateDirectory, owned by akasa")

file(WRITE ${OUTPUT} "${document}")
