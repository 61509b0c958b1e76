#include "xfr/secondary.h"

#include <pthread.h>

#include <algorithm>

#include "base/log.h"
#include "dns/wire/message.h"
#include "dns/wire/writer.h"
#include "store/serial.h"
#include "xfr/request.h"
#include "xfr/transfer_apply.h"
#include "xfr/transfer_client.h"

namespace tether::xfr {

namespace {

using Clock = std::chrono::system_clock;

struct SoaTimers {
  uint32_t refresh = 3600;
  uint32_t retry = 900;
  uint32_t expire = 1209600;
};

// RFC 1035 3.3.13: SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM follow the two names.
SoaTimers TimersOf(zone::Zone& zone) {
  SoaTimers timers;
  for (const auto& rrset : zone.Get(zone.origin())) {
    if (rrset.type != dns::RrType::kSoa || rrset.rdatas.empty()) continue;
    const auto& rdata = rrset.rdatas.front();
    auto offset = store::SoaSerialOffset(rdata);
    if (!offset || *offset + 20 > rdata.size()) break;
    auto u32 = [&](size_t at) {
      return (uint32_t{rdata[at]} << 24) | (uint32_t{rdata[at + 1]} << 16) |
             (uint32_t{rdata[at + 2]} << 8) | rdata[at + 3];
    };
    timers.refresh = u32(*offset + 4);
    timers.retry = u32(*offset + 8);
    timers.expire = u32(*offset + 12);
  }
  return timers;
}

std::optional<zone::Rrset> SoaOf(zone::Zone& zone) {
  for (auto& rrset : zone.Get(zone.origin())) {
    if (rrset.type == dns::RrType::kSoa && rrset.rdatas.size() == 1) return rrset;
  }
  return std::nullopt;
}

uint32_t SerialOf(const zone::Rrset& soa) {
  auto serial = store::SoaSerial(soa.rdatas.front());
  return serial ? *serial : 0;
}

std::vector<uint8_t> NotifyResponse(const dns::Header& request, const dns::Question* question,
                                    dns::Rcode rcode, const dns::TsigVerification* tsig) {
  std::vector<uint8_t> buffer(1024);
  dns::Writer writer(buffer.data(), buffer.size());
  writer.U16(request.id);
  // RFC 1996 4.7: the response has QR set, the NOTIFY opcode and (from a zone of ours) AA.
  uint16_t flags = static_cast<uint16_t>(dns::kFlagQr |
                                         (static_cast<unsigned>(dns::Opcode::kNotify) << 11) |
                                         (static_cast<uint16_t>(rcode) & 0xF));
  if (rcode == dns::Rcode::kNoError) flags |= dns::kFlagAa;
  writer.U16(flags);
  writer.U16(question != nullptr ? 1 : 0);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  if (question != nullptr) {
    writer.Name(question->name.wire(), /*compress=*/true);
    writer.U16(dns::ToU16(question->type));
    writer.U16(question->klass);
  }
  if (tsig != nullptr && tsig->status != dns::TsigStatus::kUnsigned &&
      tsig->status != dns::TsigStatus::kFormErr) {
    (void)dns::SignResponse(writer, *tsig, UnixNow());
  }
  buffer.resize(writer.size());
  return buffer;
}

}  // namespace

struct SecondaryService::ZoneState {
  int64_t zone_id = 0;
  std::shared_ptr<zone::Zone> zone;
  store::PrimarySettings settings;  // `refreshed` written by the refreshing thread only
  std::vector<PeerAddress> primaries;
  // Guarded by the service's mutex:
  Clock::time_point next_refresh;
  Clock::time_point expire_at;
  bool due = false;  // a NOTIFY asked for a refresh
  bool removed = false;
};

Result<std::vector<PeerAddress>> ParsePrimaries(const std::vector<std::string>& texts) {
  std::vector<PeerAddress> primaries;
  for (const auto& text : texts) {
    ASSIGN_OR_RETURN(PeerAddress address, ParsePeerAddress(text));
    primaries.push_back(std::move(address));
  }
  if (primaries.empty()) return InvalidArgument("no primary");
  return primaries;
}

Result<Transfer> InitialTransfer(const dns::Name& origin, const std::vector<PeerAddress>& primaries,
                                 const dns::TsigKey* key, std::chrono::milliseconds timeout) {
  Error last{ErrorCode::kUnavailable, "no primary"};
  for (const PeerAddress& primary : primaries) {
    PrimaryRequest request{&primary, origin.Lowercased(), key, timeout};
    auto transfer = FetchTransfer(request, nullptr);
    if (transfer) return transfer;
    last = transfer.error();
    spdlog::warn("AXFR of {} from {}: {}", origin.ToText(), primary.text, last.message);
  }
  return tl::unexpected(last);
}

SecondaryService::SecondaryService(store::Store& store, KeyFinder keys, SecondaryOptions options)
    : store_(store), keys_(std::move(keys)), options_(std::move(options)) {}

SecondaryService::~SecondaryService() { Stop(); }

void SecondaryService::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-2ndary");
    Run();
  });
}

void SecondaryService::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SecondaryStats SecondaryService::Stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void SecondaryService::AddZone(int64_t zone_id, std::shared_ptr<zone::Zone> zone,
                               store::PrimarySettings settings) {
  auto state = std::make_shared<ZoneState>();
  state->zone_id = zone_id;
  state->zone = std::move(zone);
  auto primaries = ParsePrimaries(settings.primaries);
  if (primaries) {
    state->primaries = std::move(*primaries);
  } else {
    spdlog::error("secondary zone {}: {}", state->zone->origin().ToText(), primaries.error().message);
  }
  state->settings = std::move(settings);
  const SoaTimers timers = TimersOf(*state->zone);
  const Clock::time_point refreshed{std::chrono::seconds(state->settings.refreshed)};
  const auto now = Clock::now();
  state->next_refresh = std::max(now, refreshed + std::chrono::seconds(std::max(timers.refresh, options_.min_refresh)));
  state->expire_at = refreshed + std::chrono::seconds(timers.expire);
  if (now >= state->expire_at) {
    spdlog::warn("secondary zone {}: expired (last refreshed {} s ago): SERVFAIL until refreshed",
                 state->zone->origin().ToText(),
                 std::chrono::duration_cast<std::chrono::seconds>(now - refreshed).count());
    state->zone->set_expired(true);
    state->next_refresh = now;
  }
  {
    MutexLock lock(mu_);
    zones_[state->zone->origin().Lowercased().ToText()] = state;
  }
  wake_.notify_all();
}

void SecondaryService::RemoveZone(const dns::Name& origin) {
  MutexLock lock(mu_);
  auto it = zones_.find(origin.Lowercased().ToText());
  if (it == zones_.end()) return;
  it->second->removed = true;
  zones_.erase(it);
}

bool SecondaryService::IsSecondary(const dns::Name& origin) const {
  MutexLock lock(mu_);
  return zones_.count(origin.Lowercased().ToText()) != 0;
}

std::vector<uint8_t> SecondaryService::HandleNotify(std::span<const uint8_t> message,
                                                    const sockaddr* peer) {
  auto parsed = dns::ParseMessage(message);
  if (!parsed) {
    if (message.size() < dns::kHeaderSize) return {};
    dns::Reader reader(message);
    dns::Header header = dns::ReadHeader(reader);
    return NotifyResponse(header, nullptr, dns::Rcode::kFormErr, nullptr);
  }
  const dns::Header& header = parsed->header;
  if (header.qr() || header.opcode() != dns::Opcode::kNotify) return {};
  if (parsed->questions.size() != 1 || parsed->questions[0].type != dns::RrType::kSoa ||
      parsed->questions[0].klass != dns::ToU16(dns::RrClass::kIn)) {
    return NotifyResponse(header, nullptr, dns::Rcode::kFormErr, nullptr);
  }
  const dns::Question& question = parsed->questions[0];
  auto refuse = [&](dns::Rcode rcode, const dns::TsigVerification* tsig) {
    MutexLock lock(mu_);
    ++stats_.notifies_refused;
    return NotifyResponse(header, &question, rcode, tsig);
  };
  std::shared_ptr<ZoneState> state;
  {
    MutexLock lock(mu_);
    auto it = zones_.find(question.name.Lowercased().ToText());
    if (it != zones_.end()) state = it->second;
  }
  // RFC 8945 5.2: a signed NOTIFY is verified first.
  std::optional<dns::TsigKey> key;
  dns::TsigVerification tsig = dns::VerifyRequest(
      message,
      [&](const dns::Name& name) -> const dns::TsigKey* {
        key = keys_ ? keys_(name) : std::nullopt;
        return key ? &*key : nullptr;
      },
      UnixNow());
  if (tsig.status == dns::TsigStatus::kFormErr) return refuse(dns::Rcode::kFormErr, nullptr);
  if (tsig.status != dns::TsigStatus::kUnsigned && tsig.status != dns::TsigStatus::kOk) {
    spdlog::info("NOTIFY for {}: TSIG error {}", question.name.ToText(), dns::TsigErrorFor(tsig.status));
    return refuse(dns::Rcode::kNotAuth, &tsig);
  }
  const dns::TsigVerification* signed_request = tsig.status == dns::TsigStatus::kOk ? &tsig : nullptr;
  if (state == nullptr) return refuse(dns::Rcode::kNotAuth, signed_request);
  // RFC 1996 3.10: only from a primary of the zone; with a key, only signed with it.
  const bool from_primary = std::any_of(
      state->primaries.begin(), state->primaries.end(), [&](const PeerAddress& primary) {
        return SameAddress(peer, reinterpret_cast<const sockaddr*>(&primary.address));
      });
  const bool key_ok = !state->settings.key ||
                      (signed_request != nullptr && tsig.record.key_name.EqualsIgnoreCase(*state->settings.key));
  if (!from_primary || !key_ok) {
    spdlog::info("NOTIFY for {} refused: {}", question.name.ToText(),
                 !from_primary ? "not from a primary" : "not signed with the zone's key");
    return refuse(dns::Rcode::kRefused, signed_request);
  }
  {
    MutexLock lock(mu_);
    ++stats_.notifies;
    state->due = true;
  }
  wake_.notify_all();
  return NotifyResponse(header, &question, dns::Rcode::kNoError, signed_request);
}

Status SecondaryService::RefreshNow(const dns::Name& origin) {
  std::shared_ptr<ZoneState> state;
  {
    MutexLock lock(mu_);
    auto it = zones_.find(origin.Lowercased().ToText());
    if (it == zones_.end()) return NotFound("no secondary zone {}", origin.ToText());
    state = it->second;
  }
  return Refresh(*state);
}

void SecondaryService::Reschedule(ZoneState& state, bool success) {
  const SoaTimers timers = TimersOf(*state.zone);
  const auto now = Clock::now();
  if (success) {
    state.next_refresh = now + std::chrono::seconds(std::max(timers.refresh, options_.min_refresh));
    state.expire_at = now + std::chrono::seconds(timers.expire);
    if (state.zone->expired()) {
      spdlog::info("secondary zone {}: refreshed, no longer expired", state.zone->origin().ToText());
      state.zone->set_expired(false);
    }
  } else {
    state.next_refresh = now + std::chrono::seconds(std::max(timers.retry, options_.min_retry));
  }
}

Status SecondaryService::Refresh(ZoneState& state) {
  MutexLock refresh_lock(refresh_mu_);
  const dns::Name& origin = state.zone->origin();
  std::optional<dns::TsigKey> key;
  Status result = MakeError(ErrorCode::kUnavailable, "no primary");
  if (state.settings.key) {
    key = keys_ ? keys_(*state.settings.key) : std::nullopt;
    if (!key) result = NotFound("key {} is unknown", state.settings.key->ToText());
  }
  if (!state.settings.key || key) {
    for (const PeerAddress& primary : state.primaries) {
      result = RefreshFrom(state, primary, key ? &*key : nullptr);
      if (result) break;
      spdlog::warn("refresh of {} from {}: {}", origin.ToText(), primary.text, result.error().message);
    }
  }
  if (result) {
    // The time of the last good refresh is kept, so that expiry survives a restart.
    state.settings.refreshed = std::chrono::duration_cast<std::chrono::seconds>(
                                   Clock::now().time_since_epoch()).count();
    if (auto saved = store_.SetPrimarySettings(state.zone_id, state.settings); !saved) {
      spdlog::warn("secondary zone {}: saving the refresh time: {}", origin.ToText(), saved.error().message);
    }
  }
  MutexLock lock(mu_);
  if (!result) ++stats_.failures;
  Reschedule(state, static_cast<bool>(result));
  return result;
}

Status SecondaryService::RefreshFrom(ZoneState& state, const PeerAddress& primary,
                                     const dns::TsigKey* key) {
  zone::Zone& zone = *state.zone;
  const dns::Name& origin = zone.origin();
  PrimaryRequest request{&primary, origin, key, options_.timeout};
  ASSIGN_OR_RETURN(zone::Rrset theirs, QuerySoa(request));
  {
    MutexLock lock(mu_);
    ++stats_.refreshes;
  }
  std::optional<zone::Rrset> ours = SoaOf(zone);
  const uint32_t our_serial = ours ? SerialOf(*ours) : 0;
  const uint32_t their_serial = SerialOf(theirs);
  if (ours && !store::SerialGreater(their_serial, our_serial)) {
    spdlog::debug("zone {}: primary {} has serial {}, we have {}: current", origin.ToText(),
                  primary.text, their_serial, our_serial);
    return Ok();
  }
  // IXFR first (RFC 1995); AXFR if the primary will not serve it or it does not apply.
  auto transfer = FetchTransfer(request, ours ? &*ours : nullptr);
  Result<Applied> applied = MakeError(ErrorCode::kUnavailable, "no transfer");
  bool full = false;
  if (transfer && transfer->kind == TransferKind::kUpToDate) return Ok();
  if (transfer) {
    full = transfer->kind == TransferKind::kFull;
    applied = ApplyTransfer(store_, state.zone_id, zone, *transfer);
  }
  // Not after a TSIG failure: an AXFR would fail the same way.
  const bool retry_axfr =
      ours && ((!transfer && transfer.error().code != ErrorCode::kPermissionDenied) ||
               (transfer && !full && !applied &&
                applied.error().code == ErrorCode::kFailedPrecondition));
  if (retry_axfr) {
    spdlog::info("zone {}: IXFR from {} failed ({}), trying AXFR", origin.ToText(), primary.text,
                 transfer ? applied.error().message : transfer.error().message);
    transfer = FetchTransfer(request, nullptr);
    if (transfer) {
      full = true;
      applied = ApplyTransfer(store_, state.zone_id, zone, *transfer);
    }
  }
  if (!transfer) return tl::unexpected(transfer.error());
  if (!applied) return tl::unexpected(applied.error());
  spdlog::info("zone {}: {} from {} to serial {} ({} names changed, {} journal entries)",
               origin.ToText(), full ? "AXFR" : "IXFR", primary.text, applied->serial,
               applied->names, applied->commits);
  {
    MutexLock lock(mu_);
    ++(full ? stats_.axfr : stats_.ixfr);
  }
  if (options_.on_publish) options_.on_publish(origin, applied->soa);
  return Ok();
}

void SecondaryService::Run() {
  MutexLock lock(mu_);
  while (!stopping_) {
    const auto now = Clock::now();
    std::shared_ptr<ZoneState> due;
    auto wake = now + std::chrono::hours(1);
    for (auto& [origin, state] : zones_) {
      if (!state->zone->expired() && now >= state->expire_at) {
        spdlog::warn("secondary zone {}: expired (no refresh for the SOA's EXPIRE): SERVFAIL",
                     origin);
        state->zone->set_expired(true);
      }
      if (state->due || now >= state->next_refresh) {
        due = state;
        break;
      }
      wake = std::min(wake, state->next_refresh);
      if (!state->zone->expired()) wake = std::min(wake, state->expire_at);
    }
    if (due != nullptr) {
      due->due = false;
      mu_.Unlock();
      (void)Refresh(*due);
      mu_.Lock();
      continue;
    }
    wake_.wait_until(mu_, wake);
  }
}

}  // namespace tether::xfr
