#include "xfr/request.h"

#include <openssl/rand.h>

#include <chrono>

#include "dns/wire/message.h"
#include "dns/wire/writer.h"

namespace tether::xfr {

uint64_t UnixNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint16_t RandomId() {
  uint16_t id = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof(id)) != 1) {
    id = static_cast<uint16_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return id;
}

std::optional<BuiltRequest> BuildRequest(const ZoneRequest& request, uint64_t now) {
  const bool with_soa = request.soa_section != SoaSection::kNone && request.soa != nullptr &&
                        !request.soa->rdatas.empty();
  std::vector<uint8_t> buffer(4096);
  dns::Writer writer(buffer.data(), buffer.size());
  writer.U16(request.id);
  writer.U16(static_cast<uint16_t>((static_cast<unsigned>(request.opcode) << 11) |
                                   (request.aa ? dns::kFlagAa : 0)));
  writer.U16(1);
  writer.U16(with_soa && request.soa_section == SoaSection::kAnswer ? 1 : 0);
  writer.U16(with_soa && request.soa_section == SoaSection::kAuthority ? 1 : 0);
  writer.U16(0);
  writer.Name(request.origin.wire(), /*compress=*/true);
  writer.U16(dns::ToU16(request.qtype));
  writer.U16(dns::ToU16(dns::RrClass::kIn));
  if (with_soa) {
    const std::vector<uint8_t>& rdata = request.soa->rdatas.front();
    writer.Name(request.origin.wire(), /*compress=*/true);
    writer.U16(dns::ToU16(dns::RrType::kSoa));
    writer.U16(dns::ToU16(dns::RrClass::kIn));
    writer.U32(request.soa->ttl);
    writer.U16(static_cast<uint16_t>(rdata.size()));
    writer.Bytes(rdata);  // uncompressed, as stored
  }
  BuiltRequest built;
  if (request.key != nullptr) {
    auto mac = dns::SignRequest(writer, *request.key, now);
    if (!mac) return std::nullopt;
    built.mac = std::move(*mac);
  }
  if (!writer.ok()) return std::nullopt;
  buffer.resize(writer.size());
  built.wire = std::move(buffer);
  return built;
}

}  // namespace tether::xfr
