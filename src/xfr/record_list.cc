#include "xfr/record_list.h"

namespace tether::xfr {

namespace {
void PutU16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
uint16_t GetU16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
}  // namespace

void RecordList::Add(std::span<const uint8_t> owner, dns::RrType type, uint32_t ttl,
                     std::span<const uint8_t> rdata) {
  data_.insert(data_.end(), owner.begin(), owner.end());
  PutU16(data_, dns::ToU16(type));
  PutU16(data_, static_cast<uint16_t>(ttl >> 16));
  PutU16(data_, static_cast<uint16_t>(ttl));
  PutU16(data_, static_cast<uint16_t>(rdata.size()));
  data_.insert(data_.end(), rdata.begin(), rdata.end());
  ++count_;
}

void RecordList::Append(const RecordList& other) {
  data_.insert(data_.end(), other.data_.begin(), other.data_.end());
  count_ += other.count_;
}

RecordView RecordList::At(size_t* offset) const {
  const uint8_t* p = data_.data() + *offset;
  size_t owner_size = 0;
  while (p[owner_size] != 0) owner_size += 1 + p[owner_size];
  ++owner_size;
  RecordView view;
  view.owner = {p, owner_size};
  p += owner_size;
  view.type = static_cast<dns::RrType>(GetU16(p));
  view.ttl = (uint32_t{GetU16(p + 2)} << 16) | GetU16(p + 4);
  const uint16_t rdlength = GetU16(p + 6);
  view.rdata = {p + 8, rdlength};
  *offset += owner_size + 8 + rdlength;
  return view;
}

}  // namespace tether::xfr
