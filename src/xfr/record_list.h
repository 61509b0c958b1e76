// RecordList: the resource records of a zone transfer answer, in the order they are sent,
// packed into one byte buffer (owner in uncompressed wire form, type, TTL, RDLENGTH, RDATA;
// class IN is implied). About 50 bytes per address record, so the AXFR of a zone of a
// million hosts is held in ~50 MB instead of a million small allocations. Values; not
// synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dns/name.h"
#include "dns/rr_type.h"

namespace tether::xfr {

struct RecordView {
  std::span<const uint8_t> owner;  // uncompressed wire name
  dns::RrType type = dns::RrType::kA;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;
};

class RecordList {
 public:
  // REQUIRES: rdata.size() <= 65535.
  void Add(std::span<const uint8_t> owner, dns::RrType type, uint32_t ttl,
           std::span<const uint8_t> rdata);
  void Add(const dns::Name& owner, dns::RrType type, uint32_t ttl,
           std::span<const uint8_t> rdata) {
    Add(owner.wire(), type, ttl, rdata);
  }
  void Append(const RecordList& other);

  size_t count() const { return count_; }
  size_t bytes() const { return data_.size(); }
  bool empty() const { return count_ == 0; }

  // Reads the records in order: `offset` starts at 0 and is advanced past each record.
  // REQUIRES: offset < bytes() and offset is the start of a record.
  RecordView At(size_t* offset) const;

 private:
  std::vector<uint8_t> data_;
  size_t count_ = 0;
};

}  // namespace tether::xfr
