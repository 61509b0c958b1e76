#include "xfr/transfer_reader.h"

#include "dns/wire/message.h"
#include "store/serial.h"

namespace tether::xfr {

TransferReader::TransferReader(TransferRequestInfo request) : request_(std::move(request)) {
  if (request_.key) verifier_.emplace(*request_.key, request_.request_mac);
}

Status TransferReader::Fail(std::string message) {
  state_ = State::kFailed;
  return MakeError(ErrorCode::kInvalidArgument,
                   "transfer of " + request_.origin.ToText() + ": " + message);
}

Status TransferReader::Add(std::span<const uint8_t> message, uint64_t now) {
  if (state_ == State::kFailed) return Fail("already failed");
  if (state_ == State::kDone) return Fail("a message after the last SOA");
  auto parsed = dns::ParseMessage(message);
  if (!parsed) return Fail("malformed message: " + parsed.error().message);
  const dns::Header& header = parsed->header;
  if (header.id != request_.id || !header.qr() || header.opcode() != dns::Opcode::kQuery) {
    return Fail("not an answer to our request");
  }
  if (header.rcode() != 0) {
    state_ = State::kFailed;
    return MakeError(ErrorCode::kUnavailable,
                     "transfer of " + request_.origin.ToText() + ": the primary answered " +
                         dns::RcodeToString(static_cast<dns::Rcode>(header.rcode())));
  }
  if ((header.flags & dns::kFlagTc) != 0) return Fail("truncated message");
  if (verifier_) {
    const dns::TsigStatus status = verifier_->Verify(message, now);
    if (status != dns::TsigStatus::kOk) {
      state_ = State::kFailed;
      return MakeError(ErrorCode::kPermissionDenied,
                       "transfer of " + request_.origin.ToText() +
                           ": TSIG does not verify (status " +
                           std::to_string(static_cast<int>(status)) + ")");
    }
  }
  // RFC 5936 2.2.1: the question may be left out after the first message.
  if (parsed->questions.size() > 1) return Fail("more than one question");
  if (parsed->questions.empty() && transfer_.messages == 0) return Fail("no question");
  for (const dns::Question& q : parsed->questions) {
    if (!q.name.EqualsIgnoreCase(request_.origin) || q.type != request_.qtype ||
        q.klass != dns::ToU16(dns::RrClass::kIn)) {
      return Fail("the question is not ours");
    }
  }
  ++transfer_.messages;
  for (dns::Rr& rr : parsed->answers) {
    if (state_ == State::kDone) return Fail("records after the last SOA");
    if (rr.klass != dns::ToU16(dns::RrClass::kIn)) return Fail("a record of another class");
    RETURN_IF_ERROR(Record(rr.owner, rr.type, rr.ttl, std::move(rr.rdata)));
  }
  // RFC 1995 2: an IXFR answered with our serial (or an older one) is the SOA alone.
  if (state_ == State::kSecond && request_.qtype == dns::RrType::kIxfr &&
      request_.client_serial && !store::SerialGreater(transfer_.serial, *request_.client_serial)) {
    transfer_.kind = TransferKind::kUpToDate;
    state_ = State::kDone;
  }
  return Ok();
}

Status TransferReader::Record(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                              std::vector<uint8_t> rdata) {
  if (++records_ > request_.max_records) return Fail("too many records");
  switch (type) {
    case dns::RrType::kOpt:
    case dns::RrType::kTsig:
    case dns::RrType::kTkey:
    case dns::RrType::kAxfr:
    case dns::RrType::kIxfr:
    case dns::RrType::kAny:
    case dns::RrType::kMaila:
    case dns::RrType::kMailb:
      return Fail("a meta record (" + dns::RrTypeToString(type) + ") in the answer");
    default:
      break;
  }
  if (!owner.IsSubdomainOf(request_.origin)) {
    if (state_ == State::kStart) return Fail("the first record is not the zone's SOA");
    ++transfer_.skipped;
    return Ok();
  }
  const bool apex_soa = type == dns::RrType::kSoa && owner.EqualsIgnoreCase(request_.origin);
  if (type == dns::RrType::kSoa && !apex_soa) return Fail("an SOA record below the apex");
  std::optional<uint32_t> serial;
  if (apex_soa) {
    auto read = store::SoaSerial(rdata);
    if (!read) return Fail("a malformed SOA record");
    serial = *read;
  }
  const dns::Name lower = owner.Lowercased();
  switch (state_) {
    case State::kStart:
      if (!apex_soa) return Fail("the first record is not the zone's SOA");
      transfer_.soa = zone::Rrset{dns::RrType::kSoa, ttl, {std::move(rdata)}};
      transfer_.serial = *serial;
      state_ = State::kSecond;
      return Ok();
    case State::kSecond:
      // RFC 1995 4: an IXFR whose second record is the SOA we sent is incremental.
      if (apex_soa && request_.qtype == dns::RrType::kIxfr && request_.client_serial &&
          *serial == *request_.client_serial && *serial != transfer_.serial) {
        transfer_.kind = TransferKind::kIncremental;
        change_ = store::JournalEntry{};
        change_.serial_from = *serial;
        change_.removed.push_back({lower, type, ttl, std::move(rdata)});
        state_ = State::kRemoving;
        return Ok();
      }
      transfer_.kind = TransferKind::kFull;
      state_ = State::kFull;
      [[fallthrough]];
    case State::kFull:
      if (apex_soa) {
        if (*serial != transfer_.serial) return Fail("an AXFR with two different SOAs");
        state_ = State::kDone;
        return Ok();
      }
      transfer_.records.Add(lower, type, ttl, rdata);
      return Ok();
    case State::kRemoving:
      if (apex_soa) {
        if (!store::SerialGreater(*serial, change_.serial_from)) {
          return Fail("a change that does not move the serial forward");
        }
        change_.serial_to = *serial;
        change_.added.push_back({lower, type, ttl, std::move(rdata)});
        state_ = State::kAdding;
        return Ok();
      }
      change_.removed.push_back({lower, type, ttl, std::move(rdata)});
      return Ok();
    case State::kAdding:
      if (apex_soa) {
        transfer_.changes.push_back(std::move(change_));
        change_ = store::JournalEntry{};
        const uint32_t reached = transfer_.changes.back().serial_to;
        if (reached == transfer_.serial && *serial == transfer_.serial) {
          state_ = State::kDone;
          return Ok();
        }
        if (*serial != reached) return Fail("a change that does not start where the last ended");
        if (reached == transfer_.serial) return Fail("a change beyond the announced serial");
        change_.serial_from = *serial;
        change_.removed.push_back({lower, type, ttl, std::move(rdata)});
        state_ = State::kRemoving;
        return Ok();
      }
      change_.added.push_back({lower, type, ttl, std::move(rdata)});
      return Ok();
    case State::kDone:
    case State::kFailed:
      break;
  }
  return Fail("unexpected record");
}

}  // namespace tether::xfr
