#include "dns/wire/message.h"

#include "dns/rdata.h"

namespace tether::dns {

Header ReadHeader(Reader& reader) {
  Header header;
  header.id = reader.U16();
  header.flags = reader.U16();
  header.qdcount = reader.U16();
  header.ancount = reader.U16();
  header.nscount = reader.U16();
  header.arcount = reader.U16();
  return header;
}

namespace {

Result<Rr> ReadRr(Reader& reader) {
  Rr rr;
  if (!ReadName(reader, &rr.owner)) return InvalidArgument("bad owner name");
  rr.type = static_cast<RrType>(reader.U16());
  rr.klass = reader.U16();
  rr.ttl = reader.U32();
  uint16_t rdlength = reader.U16();
  Reader rdata = reader.Sub(rdlength);
  if (!reader.ok()) return InvalidArgument("truncated resource record");
  if (rdlength == 0) return rr;
  if (rr.type == RrType::kOpt || rr.type == RrType::kTsig) {
    auto bytes = rdata.Rest();
    rr.rdata.assign(bytes.begin(), bytes.end());
    return rr;
  }
  ASSIGN_OR_RETURN(rr.rdata, RdataFromWire(rr.type, rdata));
  return rr;
}

Status ParseEdns(const Rr& rr, Edns* edns) {
  if (!rr.owner.IsRoot()) return InvalidArgument("OPT owner is not the root");
  edns->udp_size = rr.klass;
  edns->extended_rcode = static_cast<uint8_t>(rr.ttl >> 24);
  edns->version = static_cast<uint8_t>(rr.ttl >> 16);
  edns->dnssec_ok = (rr.ttl & kEdnsDoBit) != 0;
  Reader options(rr.rdata);
  while (!options.empty()) {
    EdnsOption option;
    option.code = options.U16();
    uint16_t length = options.U16();
    auto data = options.Bytes(length);
    if (!options.ok()) return InvalidArgument("truncated EDNS option");
    option.data.assign(data.begin(), data.end());
    edns->options.push_back(std::move(option));
  }
  return Ok();
}

}  // namespace

Result<Message> ParseMessage(std::span<const uint8_t> wire) {
  Reader reader(wire);
  Message message;
  message.header = ReadHeader(reader);
  if (!reader.ok()) return InvalidArgument("short header");
  // Each question needs at least 5 bytes, each RR at least 11: cap counts by what remains.
  if (message.header.qdcount > reader.remaining() / 5) return InvalidArgument("bad QDCOUNT");
  size_t rr_total = size_t{message.header.ancount} + message.header.nscount + message.header.arcount;
  if (rr_total > reader.remaining() / 11) return InvalidArgument("bad record counts");

  for (uint16_t i = 0; i < message.header.qdcount; ++i) {
    Question question;
    if (!ReadName(reader, &question.name)) return InvalidArgument("bad question name");
    question.type = static_cast<RrType>(reader.U16());
    question.klass = reader.U16();
    if (!reader.ok()) return InvalidArgument("truncated question");
    message.questions.push_back(std::move(question));
  }
  auto read_section = [&](uint16_t count, std::vector<Rr>* out, bool additional) -> Status {
    for (uint16_t i = 0; i < count; ++i) {
      size_t start = reader.offset();
      ASSIGN_OR_RETURN(Rr rr, ReadRr(reader));
      if (rr.type == RrType::kOpt) {
        if (!additional) return InvalidArgument("OPT outside the additional section");
        if (message.edns) return InvalidArgument("more than one OPT record");
        Edns edns;
        RETURN_IF_ERROR(ParseEdns(rr, &edns));
        message.edns = std::move(edns);
        continue;
      }
      if (rr.type == RrType::kTsig) {
        if (!additional || i + 1 != count) return InvalidArgument("TSIG is not the last record");
        message.tsig_offset = start;
      }
      out->push_back(std::move(rr));
    }
    return Ok();
  };
  RETURN_IF_ERROR(read_section(message.header.ancount, &message.answers, false));
  RETURN_IF_ERROR(read_section(message.header.nscount, &message.authority, false));
  RETURN_IF_ERROR(read_section(message.header.arcount, &message.additional, true));
  if (!reader.empty()) return InvalidArgument("trailing bytes after the message");
  return message;
}

}  // namespace tether::dns
