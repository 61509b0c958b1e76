#include "abuse/maxmind_asn.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#ifdef TETHER_HAVE_MAXMINDDB
#include <maxminddb.h>
#endif

namespace tether::abuse {

#ifdef TETHER_HAVE_MAXMINDDB

struct MaxMindAsnLookup::Db {
  MMDB_s mmdb{};
  bool open = false;  // MMDB_open succeeded: MMDB_close is owed
  ~Db() {
    if (open) MMDB_close(&mmdb);
  }
};

namespace {

// A sockaddr for `address`; `storage` must outlive the returned pointer.
const sockaddr* ToSockaddr(const IpAddress& address, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  if (address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    auto bytes = address.to_v4().to_bytes();
    std::memcpy(&v4->sin_addr, bytes.data(), bytes.size());
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    auto bytes = address.to_v6().to_bytes();
    std::memcpy(&v6->sin6_addr, bytes.data(), bytes.size());
  }
  return reinterpret_cast<const sockaddr*>(&storage);
}

}  // namespace

bool MaxMindAsnLookup::Available() { return true; }

Result<std::unique_ptr<MaxMindAsnLookup>> MaxMindAsnLookup::Open(const std::string& path) {
  auto db = std::make_unique<Db>();
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb);
  if (status != MMDB_SUCCESS) {
    return IoError("cannot open ASN database {}: {}", path, MMDB_strerror(status));
  }
  db->open = true;
  return std::unique_ptr<MaxMindAsnLookup>(new MaxMindAsnLookup(std::move(db)));
}

std::optional<uint32_t> MaxMindAsnLookup::Lookup(const IpAddress& address) const {
  sockaddr_storage storage;
  int error = MMDB_SUCCESS;
  MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(&db_->mmdb, ToSockaddr(address, storage), &error);
  if (error != MMDB_SUCCESS || !result.found_entry) return std::nullopt;
  MMDB_entry_data_s data;
  if (MMDB_get_value(&result.entry, &data, "autonomous_system_number", nullptr) != MMDB_SUCCESS ||
      !data.has_data || data.type != MMDB_DATA_TYPE_UINT32) {
    return std::nullopt;
  }
  return data.uint32;
}

#else  // !TETHER_HAVE_MAXMINDDB

struct MaxMindAsnLookup::Db {};

bool MaxMindAsnLookup::Available() { return false; }

Result<std::unique_ptr<MaxMindAsnLookup>> MaxMindAsnLookup::Open(const std::string& path) {
  return MakeError(ErrorCode::kFailedPrecondition,
                   "cannot open ASN database " + path + ": tether was built without libmaxminddb");
}

std::optional<uint32_t> MaxMindAsnLookup::Lookup(const IpAddress&) const { return std::nullopt; }

#endif

MaxMindAsnLookup::MaxMindAsnLookup(std::unique_ptr<Db> db) : db_(std::move(db)) {}
MaxMindAsnLookup::~MaxMindAsnLookup() = default;

}  // namespace tether::abuse
