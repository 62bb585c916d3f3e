// The password of a CONNECT (issue 15 item 9). A PBKDF2 or argon2id entry costs milliseconds to
// check (docs/security.md, "Password hashing"): it is checked on the broker's hashing threads
// (src/auth/hashing_pool.h) while the connection reads nothing more, and the answer comes
// back as a task in the worker's inbox; a connection that closed meanwhile is not found and
// the answer is dropped. Single-hash entries cost about a microsecond and are checked here.
// Failed logins are counted per client address (src/auth/failed_login_limiter.h); a blocked
// address is refused in handle_connect before any credential is looked at.
#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <string>

#include "auth/crypto.h"
#include "auth/failed_login_limiter.h"
#include "auth/hashing_pool.h"
#include "auth/password_file.h"
#include "auth/password_store.h"
#include "broker/connection/client_connection.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

using mqtt::ReasonCode;

// A CONNECT waiting for its password check: the packet, decoded again once the check
// passed. Owned by the connection (Uncommon::pending_login), so it goes when the connection
// goes; the check holds only a weak_ptr. Created, read and destroyed on the worker thread.
struct PendingLogin {
    ClientConnection* connection;
    mqtt::FixedHeader header;
    std::vector<std::uint8_t> body;  // holds the password too

    ~PendingLogin() { auth::wipe(body.data(), body.size()); }
};

namespace {

// One check on a hashing thread, owning what it needs: the file keeps `entry` alive, the
// password is wiped when the check is done or dropped unrun.
struct CheckJob {
    std::shared_ptr<const auth::PasswordFile> file;
    const auth::PasswordHash* entry;
    bool known;
    std::string password;
    Worker* worker;  // outlives the pool (Broker::stop stops the pool first)
    std::weak_ptr<PendingLogin> login;

    CheckJob(std::shared_ptr<const auth::PasswordFile> f, const auth::PasswordHash& e, bool k,
             std::string_view p, Worker& w, std::weak_ptr<PendingLogin> l)
        : file(std::move(f)), entry(&e), known(k), password(p), worker(&w), login(std::move(l)) {}
    ~CheckJob() { auth::wipe(password.data(), password.size()); }
    CheckJob(const CheckJob&) = delete;
    CheckJob& operator=(const CheckJob&) = delete;

    // On a hashing thread.
    void run() {
        auto verdict = ClientConnection::PasswordVerdict::Failed;
        try {
            if (entry->matches(password) && known)
                verdict = ClientConnection::PasswordVerdict::Passed;
        } catch (const std::exception& e) {
            spdlog::error("the password check failed on a hashing thread: {}", e.what());
            verdict = ClientConnection::PasswordVerdict::Error;
        }
        auth::wipe(password.data(), password.size());
        worker->post([login = login, verdict](Worker&) {
            // Back on the worker thread, the only one that destroys connections.
            if (const auto pending = login.lock())
                pending->connection->on_password_checked(verdict);
        });
    }
};

}  // namespace

ClientConnection::PasswordCheck ClientConnection::check_password(const mqtt::FixedHeader& header,
                                                                 std::span<const std::uint8_t> body,
                                                                 std::string_view username,
                                                                 std::string_view password) {
    auto& context = worker_->context();
    if (!context.passwords) return PasswordCheck::Failed;
    // This check's snapshot: a SIGHUP reload meanwhile swaps in another file for later ones.
    std::shared_ptr<const auth::PasswordFile> file = context.passwords->current();
    const auto candidate = file->candidate(username);
    if (!context.hashing || !auth::is_expensive(candidate.entry.algorithm)) {
        return candidate.entry.matches(password) && candidate.known ? PasswordCheck::Passed
                                                                    : PasswordCheck::Failed;
    }
    auto login = std::make_shared<PendingLogin>(
        PendingLogin{this, header, std::vector<std::uint8_t>(body.begin(), body.end())});
    auto job = std::make_shared<CheckJob>(std::move(file), candidate.entry, candidate.known,
                                          password, *worker_, login);
    if (!context.hashing->try_submit([job] { job->run(); })) return PasswordCheck::Busy;
    uncommon().pending_login = std::move(login);
    // Nothing more is read until the answer: what the client sends meanwhile waits in the
    // socket (or, already read, in input_), and every other client is served.
    flow_.hold();
    update_interest();
    return PasswordCheck::Pending;
}

void ClientConnection::on_password_checked(PasswordVerdict verdict) {
    if (!login_pending()) return;
    const std::shared_ptr<PendingLogin> login = std::move(uncommon_->pending_login);
    if (state_ == State::Closed) return;
    switch (verdict) {
        case PasswordVerdict::Failed:
            return refuse_connect(version_, ReasonCode::BadUserNameOrPassword,
                                  "bad user name or password");
        case PasswordVerdict::Error:
            return refuse_connect(version_, ReasonCode::ServerUnavailable,
                                  "the password could not be checked");
        case PasswordVerdict::Passed:
            break;
    }
    // The CONNECT again, from its copy, past the password this time; then reading resumes
    // (and the connection follows its session to another worker if it has to).
    handle_connect(login->header, login->body, /*password_checked=*/true);
    unpark_and_continue();
}

bool ClientConnection::login_blocked() const {
    const auto& limiter = worker_->context().failed_logins;
    return limiter && limiter->blocked(peer(), worker_->now());
}

void ClientConnection::count_failed_login() {
    const auto& limiter = worker_->context().failed_logins;
    if (!limiter || !limiter->record_failure(peer(), worker_->now())) return;
    const auto& options = limiter->options();
    spdlog::warn(
        "blocking logins from {} for {}s after {} failed logins within {}s "
        "(auth.max_failed_logins, "
        "auth.failed_login_window, auth.failed_login_block): its CONNECTs are refused with "
        "Connection rate exceeded meanwhile",
        auth::FailedLoginLimiter::address_of(peer()).value_or(peer()), options.block.count(),
        options.max_failures, options.window.count());
}

}  // namespace akasa::broker
