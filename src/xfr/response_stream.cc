#include "xfr/response_stream.h"

#include "dns/wire/message.h"
#include "dns/wire/writer.h"

namespace tether::xfr {

namespace {

constexpr size_t kAncountOffset = 6;

void WriteHeader(dns::Writer& writer, const ResponseHeader& header, uint8_t rcode, bool aa) {
  writer.U16(header.id);
  uint16_t flags = dns::kFlagQr | (header.rd ? dns::kFlagRd : 0) | (aa ? dns::kFlagAa : 0);
  writer.U16(static_cast<uint16_t>(flags | (rcode & 0xF)));
  writer.U16(header.question.empty() ? 0 : 1);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  if (!header.question.empty()) {
    writer.Bytes(header.question);
    writer.RememberName(dns::kHeaderSize);  // owners compress against the question name
  }
}

bool WriteRecord(dns::Writer& writer, const RecordView& record) {
  writer.Name(record.owner, /*compress=*/true);
  writer.U16(dns::ToU16(record.type));
  writer.U16(dns::ToU16(dns::RrClass::kIn));
  writer.U32(record.ttl);
  writer.U16(static_cast<uint16_t>(record.rdata.size()));
  writer.Bytes(record.rdata);  // RDATA uncompressed: always valid (RFC 3597 4)
  return writer.ok();
}

}  // namespace

Status SendRecords(const ResponseHeader& header, const RecordList& records, size_t max_size,
                   dns::TsigStreamSigner* signer, uint64_t now, const MessageSink& sink) {
  const size_t limit = signer != nullptr ? max_size - kTsigRoom : max_size;
  size_t offset = 0;
  while (offset < records.bytes()) {
    std::vector<uint8_t> buffer(max_size);
    dns::Writer writer(buffer.data(), limit);
    WriteHeader(writer, header, 0, true);
    uint16_t count = 0;
    while (offset < records.bytes() && count < 0xFFFF) {
      size_t next = offset;
      RecordView record = records.At(&next);
      dns::Writer::Mark mark = writer.GetMark();
      if (!WriteRecord(writer, record)) {
        writer.Rewind(mark);
        break;
      }
      offset = next;
      ++count;
    }
    if (count == 0) return InvalidArgument("a record too large for one message");
    writer.PatchU16(kAncountOffset, count);
    if (signer != nullptr) {
      writer.set_limit(max_size);
      if (!signer->Sign(writer, now)) return InvalidArgument("cannot sign a transfer message");
    }
    buffer.resize(writer.size());
    sink(std::move(buffer));
  }
  return Ok();
}

std::vector<uint8_t> ErrorResponse(const ResponseHeader& header, dns::Rcode rcode,
                                   const dns::TsigVerification* tsig, uint64_t now) {
  std::vector<uint8_t> buffer(1024 + header.question.size());
  dns::Writer writer(buffer.data(), buffer.size());
  WriteHeader(writer, header, static_cast<uint8_t>(static_cast<uint16_t>(rcode) & 0xF), false);
  if (tsig != nullptr && tsig->status != dns::TsigStatus::kUnsigned &&
      tsig->status != dns::TsigStatus::kFormErr) {
    (void)dns::SignResponse(writer, *tsig, now);
  }
  buffer.resize(writer.size());
  return buffer;
}

}  // namespace tether::xfr
