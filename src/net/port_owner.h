// Who holds a TCP port: for the one-line error of a listener that cannot bind because the
// address is in use ("held by mosquitto, pid 812"). Reads /proc/net/tcp{,6} for listening
// sockets on the port and /proc/<pid>/fd for the process owning one; without the right to
// look into other users' processes it says so instead of naming one.
//
//   if (errno == EADDRINUSE) message += describe_port_owner(1883);  // "" when unknown
#pragma once

#include <string>

namespace akasa::net {

// ", held by NAME (pid N)", ", held by a process of another user", or "" when no listening
// socket on `port` is found.
std::string describe_port_owner(int port);

}  // namespace akasa::net
