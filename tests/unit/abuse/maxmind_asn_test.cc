// MaxMindAsnLookup (abuse/maxmind_asn.h) on a small MaxMind DB written here by hand, after
// the "MaxMind DB File Format Specification" 2.0: a 24-bit-record search tree over IPv4,
// 16 zero bytes, the data section, then the metadata after "\xAB\xCD\xEFMaxMind.com".
#include "abuse/maxmind_asn.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace tether::abuse {
namespace {

using Bytes = std::string;

Bytes Uint(uint8_t type, uint64_t value, int size) {  // type 5 (uint16) or 6 (uint32)
  Bytes out(1, static_cast<char>(type << 5 | size));
  for (int i = size - 1; i >= 0; --i) out += static_cast<char>(value >> (8 * i));
  return out;
}
Bytes Text(const std::string& text) { return static_cast<char>(2 << 5 | text.size()) + text; }

struct Prefix {
  uint32_t network;
  int length;
  uint32_t asn;
};

// The tree's records: a node index, kNoData, or kData + the index of the data entry.
constexpr uint32_t kNoData = 0xffffffff, kData = 0x80000000;

Bytes Database(const std::vector<Prefix>& prefixes) {
  std::vector<std::array<uint32_t, 2>> nodes{{kNoData, kNoData}};
  Bytes data;
  std::vector<uint32_t> offsets;
  for (size_t p = 0; p < prefixes.size(); ++p) {
    offsets.push_back(static_cast<uint32_t>(data.size()));
    data += static_cast<char>(7 << 5 | 1) + Text("autonomous_system_number") +
            Uint(6, prefixes[p].asn, 4);
    size_t node = 0;
    for (int bit = 0; bit < prefixes[p].length; ++bit) {
      size_t side = prefixes[p].network >> (31 - bit) & 1;
      if (bit == prefixes[p].length - 1) {
        nodes[node][side] = kData + static_cast<uint32_t>(p);
      } else if (nodes[node][side] == kNoData) {
        nodes[node][side] = static_cast<uint32_t>(nodes.size());
        nodes.push_back({kNoData, kNoData});
        node = nodes.size() - 1;
      } else {
        node = nodes[node][side];
      }
    }
  }
  auto count = static_cast<uint32_t>(nodes.size());
  Bytes file;
  for (const auto& node : nodes) {
    for (uint32_t record : node) {
      uint32_t value = record == kNoData ? count
                       : record >= kData ? count + 16 + offsets[record - kData]
                                         : record;
      file +=
          {static_cast<char>(value >> 16), static_cast<char>(value >> 8), static_cast<char>(value)};
    }
  }
  file += Bytes(16, '\0') + data + "\xAB\xCD\xEFMaxMind.com";
  file += static_cast<char>(7 << 5 | 9);  // the metadata map, 9 entries
  file += Text("binary_format_major_version") + Uint(5, 2, 1);
  file += Text("binary_format_minor_version") + Uint(5, 0, 0);
  file += Text("build_epoch") + Bytes{'\x01', '\x02', '\x01'};  // uint64 (extended type 9)
  file += Text("database_type") + Text("Tether-Test-ASN");
  file += Text("description") + static_cast<char>(7 << 5);  // an empty map
  file += Text("ip_version") + Uint(5, 4, 1);
  file += Text("languages") + Bytes{'\x00', '\x04'};  // an empty array (extended type 11)
  file += Text("node_count") + Uint(6, count, 4);
  file += Text("record_size") + Uint(5, 24, 1);
  return file;
}

class MaxMindAsnLookupTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!MaxMindAsnLookup::Available()) GTEST_SKIP() << "built without libmaxminddb";
    path_ = testing::TempDir() + "/tether-asn-" + std::to_string(getpid()) + ".mmdb";
    std::ofstream(path_, std::ios::binary)
        << Database({{0xC0000200, 24, 64500}, {0xC6336400, 24, 64501}, {0x0A000000, 8, 64502}});
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

IpAddress Address(const char* text) { return boost::asio::ip::make_address(text); }

TEST_F(MaxMindAsnLookupTest, FindsTheAsnOfAnAddress) {
  auto lookup = MaxMindAsnLookup::Open(path_);
  ASSERT_TRUE(lookup.has_value()) << lookup.error().message;
  EXPECT_EQ((*lookup)->Lookup(Address("192.0.2.77")), 64500u);
  EXPECT_EQ((*lookup)->Lookup(Address("198.51.100.1")), 64501u);
  EXPECT_EQ((*lookup)->Lookup(Address("10.200.3.4")), 64502u);
}

TEST_F(MaxMindAsnLookupTest, UnknownAddressHasNoAsn) {
  auto lookup = MaxMindAsnLookup::Open(path_);
  ASSERT_TRUE(lookup.has_value()) << lookup.error().message;
  EXPECT_EQ((*lookup)->Lookup(Address("203.0.113.1")), std::nullopt);
  EXPECT_EQ((*lookup)->Lookup(Address("2001:db8::1")), std::nullopt);  // an IPv4 database
}

TEST(MaxMindAsnLookupOpenTest, MissingFileIsAnError) {
  auto lookup = MaxMindAsnLookup::Open("/nonexistent/asn.mmdb");
  EXPECT_FALSE(lookup.has_value());
}

}  // namespace
}  // namespace tether::abuse
