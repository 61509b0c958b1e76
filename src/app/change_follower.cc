#include "app/change_follower.h"

#include <pthread.h>

#include <chrono>

#include "abuse/watch.h"
#include "base/log.h"

namespace tether::app {

namespace {
constexpr std::chrono::milliseconds kPoll{500};  // a lost wake-up costs at most this
constexpr std::chrono::seconds kRetry{1};        // after the store failed
}  // namespace

ChangeFollower::ChangeFollower(store::Store& store, update::UpdateService& updates, Admin& admin,
                               accounts::Directory& directory, uint64_t from)
    : store_(store), updates_(updates), admin_(admin), directory_(directory), position_(from) {}

ChangeFollower::~ChangeFollower() { Stop(); }

void ChangeFollower::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-follow");
    Loop();
  });
}

void ChangeFollower::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeFollower::Loop() {
  bool failing = false;  // log a failure once, and the recovery
  auto failed = [&](const std::string& what, const Error& error) {
    if (!failing) spdlog::error("change feed: {}: {} (retrying every second)", what, error.message);
    failing = true;
    std::this_thread::sleep_for(kRetry);
  };
  while (!stopping_) {
    auto batch = store_.WaitForChanges(position_, kPoll);
    if (!batch) {
      failed("reading", batch.error());
      continue;
    }
    if (batch->lost) {
      // Entries this node had not read were trimmed: read everything again, from a
      // position taken before.
      auto head = store_.ChangeFeedHead();
      Status synced = head ? admin_.SyncAll() : Status(tl::unexpected(head.error()));
      if (!synced) {
        failed("re-reading everything after lost entries", synced.error());
        continue;
      }
      spdlog::warn("change feed: entries after {} were trimmed before this node read them; re-read everything",
                   position_.load());
      position_ = *head;
      continue;
    }
    for (const store::StoreChange& change : batch->changes) {
      if (stopping_) break;
      Status applied = Apply(change);
      if (!applied) {
        // Not applied: the same entry again after a pause (the store is likely unreachable).
        failed(fmt::format("applying {} {} {}", store::ChangeKindName(change.kind), change.id, change.object),
               applied.error());
        break;
      }
      position_ = change.seq;
      if (failing) spdlog::info("change feed: following again at {}", change.seq);
      failing = false;
    }
  }
}

Status ChangeFollower::Apply(const store::StoreChange& change) {
  using store::ChangeKind;
  switch (change.kind) {
    case ChangeKind::kJournal: {
      auto origin = dns::Name::FromText(change.object);
      if (origin) updates_.CatchUp(*origin);  // false: a secondary zone, refreshed on its own
      return Ok();
    }
    case ChangeKind::kZone: {
      auto origin = dns::Name::FromText(change.object);
      if (!origin) return Ok();  // written by us from a valid name; nothing to do with damage here
      return admin_.SyncZone(origin->Lowercased());
    }
    case ChangeKind::kKeys:
      return admin_.SyncKeys();
    case ChangeKind::kUser:
    case ChangeKind::kHost:
    case ChangeKind::kToken:
    case ChangeKind::kCredential:
      return ApplyAccount(change);
  }
  return Ok();
}

// Re-reads the object as the store has it now (not as the entry was written): entries are
// applied in order, so the last one leaves the newest state.
Status ChangeFollower::ApplyAccount(const store::StoreChange& change) {
  store::AccountStore& accounts = store_.accounts();
  switch (change.kind) {
    case store::ChangeKind::kUser: {
      ASSIGN_OR_RETURN(std::optional<store::UserInfo> user, accounts.GetUser(change.id));
      if (user) directory_.PutUser(*user);
      else directory_.RemoveUser(change.id);
      return Ok();
    }
    case store::ChangeKind::kHost: {
      auto fqdn = dns::Name::FromText(change.object);
      if (!fqdn) return Ok();
      ASSIGN_OR_RETURN(std::optional<store::HostInfo> host, accounts.GetHost(*fqdn));
      if (!host || host->id != change.id) directory_.RemoveHost(change.id);
      if (host) {
        directory_.PutHost(*host);
        abuse::SyncQueryLogging(updates_, *host);
      }
      return Ok();
    }
    case store::ChangeKind::kToken: {
      ASSIGN_OR_RETURN(std::optional<store::TokenInfo> token, accounts.FindToken(change.object));
      if (token) directory_.PutToken(*token);  // gone: its user went, and took it along
      return Ok();
    }
    case store::ChangeKind::kCredential: {
      ASSIGN_OR_RETURN(std::optional<store::HostCredentialInfo> credential, accounts.FindHostCredential(change.object));
      if (credential) directory_.PutHostCredential(*credential);
      return Ok();
    }
    default:
      return Ok();
  }
}

}  // namespace tether::app
