#include "base/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace tether {

Result<Cidr> Cidr::Parse(std::string_view text) {
  std::string_view address = text;
  int prefix = -1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
      return InvalidArgument("bad prefix length in '{}'", text);
    }
  }
  Cidr cidr;
  std::string host(address);
  if (inet_pton(AF_INET, host.c_str(), cidr.bytes_) == 1) {
    cidr.family_ = AF_INET;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return InvalidArgument("prefix longer than 32 in '{}'", text);
  } else if (inet_pton(AF_INET6, host.c_str(), cidr.bytes_) == 1) {
    cidr.family_ = AF_INET6;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return InvalidArgument("prefix longer than 128 in '{}'", text);
  } else {
    return InvalidArgument("bad address in '{}' (expected ADDRESS[/PREFIX])", text);
  }
  cidr.prefix_ = prefix;
  // Clear host bits so that equal networks compare equal.
  for (int bit = prefix; bit < (cidr.family_ == AF_INET ? 32 : 128); ++bit) {
    cidr.bytes_[bit / 8] = static_cast<uint8_t>(cidr.bytes_[bit / 8] & ~(0x80 >> (bit % 8)));
  }
  return cidr;
}

bool Cidr::Contains(const sockaddr* address) const {
  const uint8_t* bytes = nullptr;
  uint8_t mapped[4];
  if (address->sa_family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
    if (family_ != AF_INET) return false;
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (family_ == AF_INET && IN6_IS_ADDR_V4MAPPED(v6)) {
      std::memcpy(mapped, v6->s6_addr + 12, 4);
      bytes = mapped;
    } else if (family_ == AF_INET6) {
      bytes = v6->s6_addr;
    } else {
      return false;
    }
  } else {
    return false;
  }
  int full = prefix_ / 8;
  if (std::memcmp(bytes, bytes_, static_cast<size_t>(full)) != 0) return false;
  int rest = prefix_ % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (bytes_[full] & mask);
}

std::string Cidr::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family_, bytes_, text, sizeof(text));
  return std::string(text) + "/" + std::to_string(prefix_);
}

}  // namespace tether
