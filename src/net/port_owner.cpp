#include "net/port_owner.h"

#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace akasa::net {

namespace {

constexpr const char* kListenState = "0A";

// Inodes of sockets listening on `port`, from one of /proc/net/tcp and /proc/net/tcp6.
void listening_inodes(const char* table, int port, std::set<std::string>& inodes) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
              timeout >> inode)) {
            continue;
        }
        const auto colon = local.rfind(':');
        if (colon == std::string::npos || state != kListenState) continue;
        if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) inodes.insert(inode);
    }
}

std::string process_name(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/comm");
    std::string name;
    std::getline(in, name);
    return name.empty() ? "a process" : name;
}

// The pid of a process holding one of `inodes`, or "" when none is visible.
std::string owner_pid(const std::set<std::string>& inodes) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return {};
    std::string found;
    while (dirent* entry = ::readdir(proc)) {
        const std::string pid = entry->d_name;
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string fd_dir = "/proc/" + pid + "/fd";
        DIR* fds = ::opendir(fd_dir.c_str());
        if (fds == nullptr) continue;  // another user's process, or gone
        while (dirent* fd = ::readdir(fds)) {
            char target[64];
            const std::string link = fd_dir + "/" + fd->d_name;
            const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = '\0';
            const std::string text = target;
            if (text.starts_with("socket:[") && inodes.count(text.substr(8, text.size() - 9))) {
                found = pid;
                break;
            }
        }
        ::closedir(fds);
        if (!found.empty()) break;
    }
    ::closedir(proc);
    return found;
}

}  // namespace

std::string describe_port_owner(int port) {
    std::set<std::string> inodes;
    listening_inodes("/proc/net/tcp", port, inodes);
    listening_inodes("/proc/net/tcp6", port, inodes);
    if (inodes.empty()) return {};
    const std::string pid = owner_pid(inodes);
    if (pid.empty()) return ", held by a process of another user";
    return fmt::format(", held by {} (pid {})", process_name(pid), pid);
}

}  // namespace akasa::net
