#include "xfr/xfr_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>

#include "base/log.h"
#include "dns/wire/message.h"
#include "store/serial.h"
#include "xfr/transfer_content.h"

namespace tether::xfr {

namespace {

using dns::Rcode;

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::vector<uint8_t> QuestionWire(const dns::Question& question) {
  std::vector<uint8_t> wire(question.name.wire().begin(), question.name.wire().end());
  for (uint16_t v : {dns::ToU16(question.type), question.klass}) {
    wire.push_back(static_cast<uint8_t>(v >> 8));
    wire.push_back(static_cast<uint8_t>(v));
  }
  return wire;
}

// RFC 1995 3: the client's serial is the SOA in the authority section, owned by the zone.
std::optional<uint32_t> ClientSerial(const dns::Message& message, const dns::Name& origin) {
  for (const dns::Rr& rr : message.authority) {
    if (rr.type != dns::RrType::kSoa || !rr.owner.EqualsIgnoreCase(origin)) continue;
    auto serial = store::SoaSerial(rr.rdata);
    if (serial) return *serial;
  }
  return std::nullopt;
}

std::string PeerText(const sockaddr* peer) {
  char host[64] = "?";
  if (peer->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(peer)->sin_addr, host, sizeof(host));
  } else if (peer->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr, host,
              sizeof(host));
  }
  return host;
}

}  // namespace

XfrService::XfrService(zone::ZoneRegistry& zones, store::Store& store, KeyFinder keys,
                       XfrOptions options)
    : zones_(zones),
      store_(store),
      keys_(std::move(keys)),
      options_(std::move(options)),
      pool_(std::max(1, options_.threads), "tether-xfr"),
      policies_(std::make_shared<const TransferPolicies>()) {}

XfrService::~XfrService() { Stop(); }

void XfrService::Stop() { pool_.Stop(); }

uint64_t XfrService::Now() const { return options_.now ? options_.now() : SystemNow(); }

Status XfrService::Reload() {
  ASSIGN_OR_RETURN(auto zones, store_.ListZones());
  auto policies = std::make_shared<TransferPolicies>();
  for (const auto& info : zones) {
    ASSIGN_OR_RETURN(store::TransferSettings settings, store_.GetTransferSettings(info.id));
    policies->Set(info.origin, PolicyFromSettings(settings));
  }
  MutexLock lock(mu_);
  policies_ = std::move(policies);
  return Ok();
}

std::shared_ptr<const TransferPolicies> XfrService::policies() const {
  MutexLock lock(mu_);
  return policies_;
}

XfrStats XfrService::Stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void XfrService::Submit(std::vector<uint8_t> request, const sockaddr_storage& peer, bool tcp,
                        Sender send) {
  pool_.Submit([this, request = std::move(request), peer, tcp, send = std::move(send)] {
    // Each message goes out once the next one exists, so the last can be marked as such.
    std::optional<std::vector<uint8_t>> held;
    Handle(request, reinterpret_cast<const sockaddr*>(&peer), tcp,
           [&](std::vector<uint8_t> message) {
             if (held) send(std::move(*held), false);
             held = std::move(message);
           });
    send(held ? std::move(*held) : std::vector<uint8_t>(), true);
  });
}

std::optional<std::vector<store::JournalEntry>> XfrService::JournalFrom(int64_t zone_id,
                                                                        uint32_t client_serial) {
  std::optional<uint64_t> known;
  {
    MutexLock lock(mu_);
    auto zone = journal_index_.find(zone_id);
    if (zone != journal_index_.end()) {
      auto it = zone->second.find(client_serial);
      if (it != zone->second.end()) known = it->second;
    }
  }
  auto read = [&](uint64_t after) -> std::optional<std::vector<store::JournalEntry>> {
    auto entries = store_.ReadJournal(zone_id, after);
    if (!entries) {
      spdlog::warn("zone id {}: reading the journal: {}", zone_id, entries.error().message);
      return std::nullopt;
    }
    return std::move(*entries);
  };
  std::optional<std::vector<store::JournalEntry>> entries;
  if (known && *known > 0) {
    entries = read(*known - 1);
    // The entry may be gone (trimmed, or the zone re-created): read it all again.
    if (entries && (entries->empty() || entries->front().seq != *known ||
                    entries->front().serial_from != client_serial)) {
      entries.reset();
    }
  }
  if (!entries) entries = read(0);
  if (!entries) return std::nullopt;
  MutexLock lock(mu_);
  auto& index = journal_index_[zone_id];
  if (index.size() > 200000) index.clear();  // bound: a journal is trimmed far below this
  for (const auto& entry : *entries) index[entry.serial_from] = entry.seq;
  return entries;
}

void XfrService::Handle(std::span<const uint8_t> request, const sockaddr* peer, bool tcp,
                        const MessageSink& sink) {
  const uint64_t now = Now();
  auto parsed = dns::ParseMessage(request);
  if (!parsed) {
    if (request.size() >= dns::kHeaderSize) {
      ResponseHeader header{static_cast<uint16_t>((request[0] << 8) | request[1]), false, {}};
      sink(ErrorResponse(header, Rcode::kFormErr, nullptr, now));
    }
    return;
  }
  const dns::Message& message = *parsed;
  if (message.header.qr()) return;
  const bool one_question = message.questions.size() == 1;
  const std::vector<uint8_t> question =
      one_question ? QuestionWire(message.questions.front()) : std::vector<uint8_t>();
  ResponseHeader header{message.header.id, (message.header.flags & dns::kFlagRd) != 0, question};
  auto refuse = [&](Rcode rcode, const dns::TsigVerification* tsig) {
    if (rcode == Rcode::kRefused || rcode == Rcode::kNotAuth) {
      MutexLock lock(mu_);
      ++stats_.refused;
    }
    sink(ErrorResponse(header, rcode, tsig, now));
  };
  if (!one_question || message.header.opcode() != dns::Opcode::kQuery) {
    return refuse(Rcode::kFormErr, nullptr);
  }

  // RFC 8945 5.2: verify first; a failure is NOTAUTH with the TSIG error, signed as required.
  std::optional<dns::TsigKey> key;
  dns::TsigVerification tsig = dns::VerifyRequest(
      request,
      [&](const dns::Name& name) -> const dns::TsigKey* {
        key = keys_ ? keys_(name) : std::nullopt;
        return key ? &*key : nullptr;
      },
      now);
  if (tsig.status == dns::TsigStatus::kFormErr) return refuse(Rcode::kFormErr, nullptr);
  if (tsig.status != dns::TsigStatus::kUnsigned && tsig.status != dns::TsigStatus::kOk) {
    return refuse(Rcode::kNotAuth, &tsig);
  }
  const dns::TsigVerification* signed_request = tsig.status == dns::TsigStatus::kOk ? &tsig : nullptr;

  const dns::Question& q = message.questions.front();
  const bool axfr = q.type == dns::RrType::kAxfr;
  if (!axfr && q.type != dns::RrType::kIxfr) return refuse(Rcode::kFormErr, signed_request);
  if (q.klass != dns::ToU16(dns::RrClass::kIn)) return refuse(Rcode::kRefused, signed_request);
  if (axfr && !tcp) return refuse(Rcode::kNotImp, signed_request);  // RFC 5936 4.2

  std::shared_ptr<zone::Zone> zone = zones_.Get(q.name);
  if (zone == nullptr) return refuse(Rcode::kNotAuth, signed_request);
  if (zone->expired()) return refuse(Rcode::kServFail, signed_request);  // RFC 1034 4.3.5
  const dns::Name& origin = zone->origin();
  std::shared_ptr<const TransferPolicies> policies = this->policies();
  const ZonePolicy* policy = policies->Find(origin);
  const dns::Name* key_name = signed_request != nullptr ? &tsig.record.key_name : nullptr;
  if (policy == nullptr || !MayTransfer(*policy, peer, key_name)) {
    spdlog::info("{} of {} from {}{} refused", axfr ? "AXFR" : "IXFR", origin.ToText(),
                 PeerText(peer), key_name ? " key " + key_name->ToText() : "");
    return refuse(Rcode::kRefused, signed_request);
  }

  std::optional<uint32_t> client_serial;
  if (!axfr) {
    client_serial = ClientSerial(message, origin);
    if (!client_serial) return refuse(Rcode::kFormErr, signed_request);
  }

  dns::TsigStreamSigner signer(tsig);
  dns::TsigStreamSigner* sign = signed_request != nullptr ? &signer : nullptr;
  auto send = [&](const RecordList& records, size_t max_size) {
    Status sent = SendRecords(header, records, max_size, sign, now, sink);
    if (!sent) {
      spdlog::error("transfer of {}: {}", origin.ToText(), sent.error().message);
      sink(ErrorResponse(header, Rcode::kServFail, signed_request, now));
    }
  };
  auto send_soa = [&]() {
    uint32_t serial = 0;
    auto soa = SoaRecord(*zone, &serial);
    if (!soa) return refuse(Rcode::kServFail, signed_request);
    send(*soa, tcp ? kMaxTcpMessage : 512);
  };

  if (!tcp) {  // IXFR over UDP: the SOA alone sends the client to TCP (RFC 1995 2)
    return send_soa();
  }
  if (!axfr) {
    uint32_t current = 0;
    auto soa = SoaRecord(*zone, &current);
    if (!soa) return refuse(Rcode::kServFail, signed_request);
    auto info = store_.GetZone(origin);
    if (info && *info) {
      auto entries = JournalFrom((*info)->id, *client_serial);
      std::optional<RecordList> records;
      if (entries) records = IxfrRecords(origin, *entries, *client_serial);
      if (records) {
        {
          MutexLock lock(mu_);
          ++stats_.ixfr;
        }
        spdlog::debug("IXFR of {} from serial {} to {}: {} records", origin.ToText(),
                      *client_serial, PeerText(peer), records->count());
        return send(*records, kMaxTcpMessage);
      }
    }
    // RFC 1995 2: a client at (or beyond) our serial gets the SOA alone.
    if (*client_serial == current || store::SerialGreater(*client_serial, current)) {
      MutexLock lock(mu_);
      ++stats_.ixfr_current;
    } else {
      MutexLock lock(mu_);
      ++stats_.ixfr_fallback;
    }
    if (*client_serial == current || store::SerialGreater(*client_serial, current)) {
      return send(*soa, kMaxTcpMessage);
    }
    // RFC 1995 4: without the history, the whole zone, as AXFR sends it.
  }
  uint32_t serial = 0;
  auto records = AxfrRecords(*zone, &serial);
  if (!records) return refuse(Rcode::kServFail, signed_request);
  if (axfr) {
    MutexLock lock(mu_);
    ++stats_.axfr;
  }
  spdlog::info("{} of {} serial {} to {}: {} records", axfr ? "AXFR" : "IXFR (full)",
               origin.ToText(), serial, PeerText(peer), records->count());
  send(*records, kMaxTcpMessage);
}

}  // namespace tether::xfr
