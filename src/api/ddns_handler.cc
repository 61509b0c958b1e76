#include "api/ddns_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>

#include <boost/container/small_vector.hpp>

#include "accounts/secrets.h"
#include "api/credentials.h"
#include "api/watch_log.h"
#include "base/log.h"
#include "ddns/dyndns2.h"

namespace tether::api {

using ddns::AddressChange;
using ddns::HostChange;
using ddns::HostOutcome;

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse Text(std::string body, unsigned status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse BadAuth() {
  HttpResponse response = Text("badauth", 401);
  response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tether\"");
  return response;
}

// RFC 7231 7.1.3; never 429 on this path (inadyn gives up on it).
HttpResponse TryLater(double seconds) {
  HttpResponse response = Text("911");
  response.headers.emplace_back("Retry-After", std::to_string(std::max(1L, std::lround(std::ceil(seconds)))));
  return response;
}

// What a refused request asked for, for the host's history: the addresses it would have set.
std::string DescribeRequested(const AddressChange& ipv4, const AddressChange& ipv6) {
  std::string out;
  auto add = [&out](const AddressChange& change, int family, const char* type) {
    if (change.kind == AddressChange::Kind::kDelete) {
      out += std::string(out.empty() ? "" : ", ") + "no " + type;
    } else if (change.kind == AddressChange::Kind::kSet) {
      char text[INET6_ADDRSTRLEN] = {};
      if (inet_ntop(family, change.address.data(), text, sizeof text) == nullptr) return;
      out += std::string(out.empty() ? "" : ", ") + type + " " + text;
    }
  };
  add(ipv4, AF_INET, "A");
  add(ipv6, AF_INET6, "AAAA");
  return out.empty() ? "-" : out;
}

// A host name as the client wrote it (relative names are taken as absolute).
std::optional<dns::Name> HostName(std::string_view text) {
  auto name = dns::Name::FromText(text);
  if (!name) return std::nullopt;
  name->Lowercase();
  return std::move(*name);
}

}  // namespace

struct DdnsHandler::Call {
  // A request names one host or a few: kept inline, the whole request costs one allocation
  // here, and the continuation after the update path captures only this Call. It stays
  // below malloc's per-thread cache limit (1,032 bytes with the shared count), so that this
  // allocation is as cheap as the small ones: it keeps of the HttpRequest only what is used
  // after the credentials are read, and a DuckDNS request's fields only for those.
  template <class T>
  using Few = boost::container::small_vector<T, 2>;

  DdnsHandler* handler = nullptr;
  std::chrono::steady_clock::time_point now;  // when the request arrived (for the limits)
  std::string client_address;                 // HttpRequest::client_address
  Respond respond;
  ddns::Dyndns2Parse dyndns2;
  std::unique_ptr<ddns::DuckRequest> duck;  // HandleDuck only
  accounts::Presented presented;
  accounts::Identity identity;
  sockaddr_storage client{};  // client_address as a socket address (for token networks)
  int client_family = 0;
  std::array<uint8_t, 16> client_bytes{};
  std::string user_agent;
  // dyndns2: one answer line per requested hostname; for each change sent, its line and host.
  Few<std::string> lines;
  Few<size_t> change_line;
  Few<std::shared_ptr<const store::HostInfo>> change_host;
};

DdnsHandler::DdnsHandler(DdnsOptions options, accounts::Directory& directory, accounts::Authenticator& authenticator,
                         update::UpdateService& updates, store::AccountStore& accounts, WorkPool& slow_work)
    : options_(std::move(options)),
      directory_(directory),
      authenticator_(authenticator),
      updates_(updates),
      accounts_(accounts),
      slow_work_(slow_work),
      pacing_(options_.nochg_per_hour, options_.host_changes_per_minute, options_.history_coalesce),
      account_changes_(options_.account_changes_per_minute / 60.0, options_.account_changes_per_minute),
      address_requests_(options_.address_requests_per_minute / 60.0, options_.address_requests_per_minute) {}

void DdnsHandler::Authenticate(std::shared_ptr<Call> call, std::function<void(std::shared_ptr<Call>)> next) {
  auto finish = [this, next](std::shared_ptr<Call> c) {
    accounts::AuthResult result = authenticator_.Authenticate(
        c->presented, c->client_address, reinterpret_cast<const sockaddr*>(&c->client), &c->identity);
    if (result == accounts::AuthResult::kBadAuth) return c->respond(BadAuth());
    if (result == accounts::AuthResult::kThrottled) return c->respond(TryLater(60));
    next(std::move(c));
  };
  auto decided = authenticator_.AuthenticateFast(call->presented, call->client_address,
                                                 reinterpret_cast<const sockaddr*>(&call->client), &call->identity);
  if (decided) {
    if (*decided == accounts::AuthResult::kBadAuth) return call->respond(BadAuth());
    if (*decided == accounts::AuthResult::kThrottled) return call->respond(TryLater(60));
    next(std::move(call));
  } else {
    // An Argon2 check: not on the event loop.
    slow_work_.Submit([finish, call]() mutable { finish(std::move(call)); });
  }
}

void DdnsHandler::HandleDyndns2(HttpRequest request, Respond respond) {
  auto call = std::make_shared<Call>();
  call->now = std::chrono::steady_clock::now();
  call->client_address = std::move(request.client_address);
  call->respond = std::move(respond);
  if (const std::string* agent = request.Header("user-agent")) call->user_agent = *agent;
  for (const auto& blocked : options_.blocked_agents) {
    if (!blocked.empty() && call->user_agent.find(blocked) != std::string::npos) return call->respond(Text("badagent"));
  }
  if (request.method == "POST" && !request.body.empty()) {
    call->dyndns2 = ddns::ParseDyndns2(request.query + "&" + request.body);
  } else {
    call->dyndns2 = ddns::ParseDyndns2(request.query);
  }
  auto presented = PresentedCredentials(request, call->dyndns2.request.username, call->dyndns2.request.password);
  if (!presented) return call->respond(BadAuth());
  call->presented = std::move(*presented);
  call->client_family = ddns::ParseAddress(call->client_address, &call->client_bytes);
  if (call->client_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&call->client);
    v4->sin_family = AF_INET;
    std::memcpy(&v4->sin_addr, call->client_bytes.data(), 4);
  } else if (call->client_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&call->client);
    v6->sin6_family = AF_INET6;
    std::memcpy(&v6->sin6_addr, call->client_bytes.data(), 16);
  }
  if (!address_requests_.Allow(call->client_address, call->now)) {
    return call->respond(TryLater(address_requests_.RetryAfter(call->client_address, call->now)));
  }
  Authenticate(std::move(call), [this](std::shared_ptr<Call> c) { RunDyndns2(std::move(c)); });
}

void DdnsHandler::RunDyndns2(std::shared_ptr<Call> call) {
  const ddns::Dyndns2Request& request = call->dyndns2.request;
  switch (call->dyndns2.error) {
    case ddns::Dyndns2Error::kNumHost:
      return call->respond(Text("numhost"));
    case ddns::Dyndns2Error::kNotFqdn: {
      std::string body;
      size_t lines = std::max<size_t>(1, request.hostnames.size());
      for (size_t i = 0; i < lines; ++i) body += (i ? "\n" : "") + std::string("notfqdn");
      return call->respond(Text(body));
    }
    default:
      break;
  }
  if ((request.wildcard == ddns::Toggle::kOn && !options_.allow_wildcard) || (request.mx && !options_.allow_mx)) {
    return call->respond(Text("!donator"));
  }

  // The client's own address stands in when the request names neither family.
  AddressChange ipv4 = request.ipv4;
  AddressChange ipv6 = request.ipv6;
  if (ipv4.kind == AddressChange::Kind::kUnset && ipv6.kind == AddressChange::Kind::kUnset) {
    AddressChange& own = call->client_family == AF_INET ? ipv4 : ipv6;
    if (call->client_family != 0) {
      own.kind = AddressChange::Kind::kSet;
      own.address = call->client_bytes;
    }
  }

  // Before the hosts are found: their abuse states checked below hold while it stays.
  const uint64_t checked = directory_.HostsGeneration();
  const size_t count = request.hostnames.size();
  auto& lines = call->lines;
  lines.resize(count);
  std::vector<HostChange> changes;
  changes.reserve(count);
  const auto now = call->now;
  for (size_t i = 0; i < count; ++i) {
    if (call->dyndns2.error == ddns::Dyndns2Error::kBadAddress) {
      lines[i] = "dnserr";
      continue;
    }
    auto fqdn = HostName(request.hostnames[i]);
    auto host = fqdn ? directory_.FindHost(*fqdn) : nullptr;
    bool allowed = host && host->lifecycle != store::Lifecycle::kExpired;
    if (allowed && ipv4.kind != AddressChange::Kind::kUnset && ipv4.kind != AddressChange::Kind::kPreserve) {
      allowed = call->identity.MayChange(*host, dns::RrType::kA);
    }
    if (allowed && ipv6.kind != AddressChange::Kind::kUnset && ipv6.kind != AddressChange::Kind::kPreserve) {
      allowed = call->identity.MayChange(*host, dns::RrType::kAaaa);
    }
    if (allowed && request.mx) allowed = call->identity.MayChange(*host, dns::RrType::kMx);
    if (allowed && request.wildcard != ddns::Toggle::kUnchanged) {
      allowed = call->identity.MayChange(*host, dns::RrType::kCname);
    }
    if (allowed) allowed = call->identity.MayChange(*host, dns::RrType::kA) ||
                           call->identity.MayChange(*host, dns::RrType::kAaaa);
    if (!allowed) {
      lines[i] = "nohost";  // also for hosts of others: nothing tells them apart
      continue;
    }
    // A frozen host keeps its records and every update of it is refused — also one that
    // would change nothing, so it is decided here, before the published-content nochg path
    // (docs/abuse.md). Only the owner gets this far: others still see `nohost`.
    if (store::UpdatesRefused(host->abuse_state)) {
      lines[i] = "abuse";
      const std::string requested = DescribeRequested(ipv4, ipv6);
      RecordHistory(*host, *call, nullptr, std::string("abuse: host ") + store::AbuseStateName(host->abuse_state),
                    pacing_.HistoryNote(host->id, false, now), &requested);
      continue;
    }
    const HostPacing::Budget budget = pacing_.Check(host->id, now);
    if (!budget.nochg) {
      lines[i] = "abuse";
      RecordHistory(*host, *call, nullptr, "abuse: too many updates without a change",
                    pacing_.HistoryNote(host->id, false, now));
      continue;
    }
    if (!budget.change || !account_changes_.WouldAllow(host->user_id, now)) {
      lines[i] = "911";
      LogIfWatched(*host, call->client_address, call->user_agent, call->identity.label,
                   "911");
      continue;
    }
    HostChange change;
    // The host's name as the request gave it, lower-cased: the same as host->fqdn, whose
    // bytes are then not read (a cache miss with many hosts).
    change.fqdn = std::move(*fqdn);
    change.ipv4 = ipv4;
    change.ipv6 = ipv6;
    change.wildcard = request.wildcard;
    change.mx = request.mx;
    change.ttl = options_.ttl;
    if (request.offline != ddns::Toggle::kUnchanged) {
      const bool offline = request.offline == ddns::Toggle::kOn;
      change.offline = offline;
      store::Lifecycle lifecycle = offline ? store::Lifecycle::kOffline : store::Lifecycle::kActive;
      if (host->lifecycle != lifecycle && accounts_.SetLifecycle(host->id, lifecycle)) {
        store::HostInfo changed = *host;
        changed.lifecycle = lifecycle;
        directory_.PutHost(changed);
      }
    } else {
      change.offline = host->lifecycle == store::Lifecycle::kOffline;
    }
    changes.push_back(std::move(change));
    call->change_line.push_back(i);
    call->change_host.push_back(std::move(host));
  }
  call->handler = this;
  Submit(std::move(changes), checked, [call](std::vector<HostOutcome> outcomes) {
    call->handler->AnswerDyndns2(*call, outcomes);
  });
}

void DdnsHandler::AnswerDyndns2(Call& call, const std::vector<HostOutcome>& outcomes) {
  for (size_t j = 0; j < outcomes.size(); ++j) {
    const HostOutcome& outcome = outcomes[j];
    const store::HostInfo& host = *call.change_host[j];
    std::string& line = call.lines[call.change_line[j]];
    switch (outcome.result) {
      case HostOutcome::Result::kGood:
        account_changes_.Allow(host.user_id);
        line = "good " + outcome.addresses;
        RecordHistory(host, call, &outcome, "good", pacing_.SpendChange(host.id, call.now));
        break;
      case HostOutcome::Result::kNochg:
        line = "nochg " + outcome.addresses;
        RecordHistory(host, call, &outcome, "nochg", pacing_.SpendNochg(host.id, call.now));
        break;
      case HostOutcome::Result::kRefused:
        line = "abuse";
        RecordHistory(host, call, &outcome, "abuse: host state changed meanwhile",
                      pacing_.HistoryNote(host.id, false, call.now));
        break;
      case HostOutcome::Result::kDnsErr:
        line = "dnserr";
        RecordHistory(host, call, &outcome, "dnserr", pacing_.HistoryNote(host.id, false, call.now));
        break;
    }
    // An address-less host answers with the bare word.
    while (!line.empty() && line.back() == ' ') line.pop_back();
  }
  std::string body = std::move(call.lines.front());  // one line per hostname, at least one
  for (size_t i = 1; i < call.lines.size(); ++i) {
    body += '\n';
    body += call.lines[i];
  }
  call.respond(Text(std::move(body)));
}

void DdnsHandler::HandleDuck(HttpRequest request, Respond respond) {
  auto call = std::make_shared<Call>();
  call->now = std::chrono::steady_clock::now();
  call->client_address = std::move(request.client_address);
  call->respond = std::move(respond);
  if (const std::string* agent = request.Header("user-agent")) call->user_agent = *agent;
  std::string parameters = request.query;
  if (request.method == "POST" && !request.body.empty()) parameters += "&" + request.body;
  call->duck = std::make_unique<ddns::DuckRequest>(ddns::ParseDuck(parameters));
  if (call->duck->bad) return call->respond(Text("KO"));
  call->client_family = ddns::ParseAddress(call->client_address, &call->client_bytes);
  if (!address_requests_.Allow(call->client_address, call->now)) return call->respond(Text("KO"));
  // Only tokens here: never a password check on this path.
  auto token = directory_.TokenByDigest(accounts::SecretDigest(call->duck->token));
  if (!token) return call->respond(Text("KO"));
  call->presented = {"", call->duck->token};
  if (call->client_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&call->client);
    v4->sin_family = AF_INET;
    std::memcpy(&v4->sin_addr, call->client_bytes.data(), 4);
  } else if (call->client_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&call->client);
    v6->sin6_family = AF_INET6;
    std::memcpy(&v6->sin6_addr, call->client_bytes.data(), 16);
  }
  if (authenticator_.Authenticate(call->presented, call->client_address,
                                  reinterpret_cast<const sockaddr*>(&call->client),
                                  &call->identity) != accounts::AuthResult::kOk) {
    return call->respond(Text("KO"));
  }
  RunDuck(std::move(call));
}

void DdnsHandler::RunDuck(std::shared_ptr<Call> call) {
  const ddns::DuckRequest& duck = *call->duck;
  AddressChange ipv4 = duck.ipv4;
  AddressChange ipv6 = duck.ipv6;
  if (ipv4.kind == AddressChange::Kind::kUnset && ipv6.kind == AddressChange::Kind::kUnset &&
      call->client_family != 0) {
    AddressChange& own = call->client_family == AF_INET ? ipv4 : ipv6;
    own.kind = AddressChange::Kind::kSet;
    own.address = call->client_bytes;
  }
  std::vector<HostChange> changes;
  std::vector<store::HostInfo> hosts;
  const uint64_t checked = directory_.HostsGeneration();  // as in RunDyndns2
  for (const std::string& domain : duck.domains) {
    std::optional<store::HostInfo> host;
    if (domain.find('.') != std::string::npos) {
      if (auto fqdn = HostName(domain)) host = directory_.Host(*fqdn);
    } else {
      // A bare label: that label under the account's service zone, if there is only one.
      int matches = 0;
      for (const auto& candidate : directory_.HostsOf(call->identity.user_id)) {
        if (candidate.fqdn.FirstLabel() == domain) {
          host = candidate;
          ++matches;
        }
      }
      if (matches != 1) host.reset();
    }
    if (!host || host->lifecycle == store::Lifecycle::kExpired ||
        !call->identity.MayChange(*host, dns::RrType::kA)) {
      return call->respond(Text("KO"));
    }
    if (store::UpdatesRefused(host->abuse_state)) {  // frozen: as in RunDyndns2
      const std::string requested = DescribeRequested(ipv4, ipv6);
      RecordHistory(*host, *call, nullptr, std::string("abuse: host ") + store::AbuseStateName(host->abuse_state),
                    pacing_.HistoryNote(host->id, false, call->now), &requested);
      return call->respond(Text("KO"));
    }
    if (!pacing_.Check(host->id, call->now).nochg) return call->respond(Text("KO"));
    HostChange change;
    change.fqdn = host->fqdn;
    change.ipv4 = ipv4;
    change.ipv6 = ipv6;
    change.ttl = options_.ttl;
    change.offline = host->lifecycle == store::Lifecycle::kOffline;
    changes.push_back(change);
    hosts.push_back(*host);
    if (duck.txt || duck.clear) {
      if (!call->identity.MayChange(*host, dns::RrType::kTxt)) return call->respond(Text("KO"));
      HostChange txt;
      txt.fqdn = *host->fqdn.Prepend("_acme-challenge");
      txt.txt = duck.clear ? std::nullopt : duck.txt;
      txt.clear_txt = duck.clear;
      txt.ttl = options_.ttl;
      changes.push_back(std::move(txt));
      hosts.push_back(*host);
    }
  }
  Submit(std::move(changes), checked, [this, call, hosts](std::vector<HostOutcome> outcomes) {
    bool updated = false;
    bool failed = false;
    std::string v4;
    std::string v6;
    for (size_t j = 0; j < outcomes.size(); ++j) {
      const HostOutcome& outcome = outcomes[j];
      const bool refused = outcome.result == HostOutcome::Result::kRefused;
      failed |= outcome.result == HostOutcome::Result::kDnsErr || refused;
      updated |= outcome.result == HostOutcome::Result::kGood;
      const bool nochg = outcome.result == HostOutcome::Result::kNochg;
      RecordHistory(hosts[j], *call, &outcome,
                    outcome.result == HostOutcome::Result::kGood ? "good"
                    : nochg                                      ? "nochg"
                    : refused                                    ? "abuse: host state changed meanwhile"
                                                                 : "dnserr",
                    nochg ? pacing_.SpendNochg(hosts[j].id, call->now)
                          : pacing_.HistoryNote(hosts[j].id, false, call->now));
      size_t comma = outcome.addresses.find(',');
      std::string first = outcome.addresses.substr(0, comma);
      if (!first.empty() && v4.empty() && first.find(':') == std::string::npos) v4 = first;
      if (!first.empty() && v6.empty() && first.find(':') != std::string::npos) v6 = first;
      if (comma != std::string::npos && v6.empty()) v6 = outcome.addresses.substr(comma + 1);
    }
    if (failed) return call->respond(Text("KO"));
    std::string body = "OK";
    if (call->duck->verbose) body += "\n" + v4 + "\n" + v6 + "\n" + (updated ? "UPDATED" : "NOCHANGE");
    call->respond(Text(body));
  });
}

// The zone a change goes to: a host's zone is its parent (hosts are one label under a
// service zone); _acme-challenge.HOST lives in HOST's zone too.
static dns::Name ZoneOf(const HostChange& change) {
  return change.fqdn.FirstLabel() == "_acme-challenge" ? change.fqdn.StripLabels(2) : change.fqdn.Parent();
}

void DdnsHandler::SubmitZone(const dns::Name& origin, std::vector<HostChange> changes, uint64_t checked,
                             std::function<void(std::vector<HostOutcome>)> done) {
  // Routers poll: most requests change nothing, and that is decided on the published
  // content without a trip through the updater.
  auto zone = updates_.GetZone(origin);
  if (zone == nullptr) return done(std::vector<HostOutcome>(changes.size()));  // kDnsErr: the zone is gone
  if (auto nochg = ddns::PublishedNochg(*zone, changes)) return done(std::move(*nochg));
  // The abuse state is checked again on the updater: a host frozen or taken down after this
  // request was checked, but before it is applied, is not changed (docs/abuse.md).
  // Unless a host entry changed since the request's check, nothing refuses now either: no
  // lookup per change.
  auto refused = [this, checked](const dns::Name& fqdn) {
    if (directory_.HostsGeneration() == checked) return false;
    auto host = directory_.FindHost(fqdn);
    return host != nullptr && store::UpdatesRefused(host->abuse_state);
  };
  // Refused when the zone was removed meanwhile: the dropped request answers dnserr itself.
  updates_.Submit(origin, std::make_unique<ddns::HostUpdateRequest>(std::move(changes),
                                                                    std::move(done), refused));
}

void DdnsHandler::Submit(std::vector<HostChange> changes, uint64_t checked,
                         std::function<void(std::vector<HostOutcome>)> done) {
  if (changes.empty()) return done({});
  // The common case: every host in one zone (a router updating its name or names).
  const dns::Name first_zone = ZoneOf(changes.front());
  bool one_zone = true;
  for (size_t i = 1; i < changes.size() && one_zone; ++i) one_zone = ZoneOf(changes[i]) == first_zone;
  if (one_zone) return SubmitZone(first_zone, std::move(changes), checked, std::move(done));

  // Otherwise one request per zone; the answers are put back in the order of `changes`.
  struct Gather {
    std::vector<HostOutcome> outcomes;
    std::atomic<int> pending{0};
    std::function<void(std::vector<HostOutcome>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->outcomes.resize(changes.size());
  gather->done = std::move(done);
  std::map<std::string, std::pair<dns::Name, std::vector<size_t>>> by_zone;
  for (size_t i = 0; i < changes.size(); ++i) {
    dns::Name zone = ZoneOf(changes[i]);
    auto& group = by_zone[zone.ToText()];
    group.first = std::move(zone);
    group.second.push_back(i);
  }
  gather->pending = static_cast<int>(by_zone.size());
  for (auto& [text, group] : by_zone) {
    std::vector<HostChange> part;
    for (size_t i : group.second) part.push_back(changes[i]);
    SubmitZone(group.first, std::move(part), checked, [gather, indexes = group.second](std::vector<HostOutcome> outcomes) {
      for (size_t k = 0; k < indexes.size() && k < outcomes.size(); ++k) {
        gather->outcomes[indexes[k]] = std::move(outcomes[k]);
      }
      if (--gather->pending == 0) gather->done(std::move(gather->outcomes));
    });
  }
}

void DdnsHandler::RecordHistory(const store::HostInfo& host, const Call& call,
                                const HostOutcome* outcome, std::string_view result,
                                std::optional<std::string> note, const std::string* requested) {
  if (host.abuse_state == store::AbuseState::kWatch) {  // the line is only made for it
    LogIfWatched(host, call.client_address, call.user_agent, call.identity.label,
                 outcome != nullptr && !outcome->addresses.empty()
                     ? std::string(result) + " " + outcome->addresses
                     : std::string(result));
  }
  // Repeated nochg polls: one entry per interval, carrying how many were folded into it.
  if (!note) return;
  store::HistoryEntry entry;
  entry.host_id = host.id;
  entry.time = UnixNow();
  entry.source = call.client_address;
  entry.user_agent = call.user_agent.substr(0, 200);
  entry.credential = call.identity.label;
  if (requested != nullptr) {
    // Refused: the host's content stays what it is; keep what was asked for.
    auto zone = updates_.GetZone(host.fqdn.Parent());
    entry.old_value = zone != nullptr ? ddns::DescribePublished(*zone, host.fqdn) : "-";
    entry.new_value = *requested;
  } else if (outcome != nullptr && outcome->described) {
    entry.old_value = outcome->before;
    entry.new_value = outcome->after;
  } else if (outcome != nullptr) {
    // A nochg decided on the published content: that content is what it was, and is.
    auto zone = updates_.GetZone(host.fqdn.Parent());
    entry.old_value = zone != nullptr ? ddns::DescribePublished(*zone, host.fqdn) : "-";
    entry.new_value = entry.old_value;
  }
  entry.result = std::string(result) + *note;
  if (result == "good") entry.touches_host = directory_.TouchHost(host, entry.time);
  accounts_.AppendHistory(std::move(entry));
}

}  // namespace tether::api
