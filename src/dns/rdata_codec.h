// Encodings used by RDATA presentation forms: hex (RFC 4648 8), base64 (RFC 4648 4),
// base32hex without padding (RFC 4648 7, RFC 5155 3.3), RRSIG times (RFC 4034 3.2), TTLs
// with BIND-style units, and <character-string> escapes (RFC 1035 5.1). Internal to
// dns/rdata*.cc. Pure functions; thread-safe.
//
// Parse* functions append to `out` and return false on malformed text (leaving `out` in an
// unspecified state); the caller turns that into an error naming the field.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tether::dns::rdata_codec {

// Upper-case hex, as BIND and Knot print DS digests, TLSA data and RFC 3597 data.
void AppendHex(std::span<const uint8_t> bytes, std::string* out);
// Either case; an even number of digits.
bool ParseHex(std::string_view text, std::vector<uint8_t>* out);

void AppendBase64(std::span<const uint8_t> bytes, std::string* out);
// Strict: a multiple of 4 characters, '=' padding only at the end.
bool ParseBase64(std::string_view text, std::vector<uint8_t>* out);

// Upper-case, unpadded (RFC 5155 3.3: the next hashed owner name).
void AppendBase32Hex(std::span<const uint8_t> bytes, std::string* out);
// Either case, unpadded; the unused trailing bits must be zero.
bool ParseBase32Hex(std::string_view text, std::vector<uint8_t>* out);

// RFC 4034 3.2: YYYYMMDDHHmmSS in UTC. The 32-bit value is printed as seconds since 1970
// (1970..2106), as Knot does; BIND instead picks the date nearest to now.
void AppendTime(uint32_t seconds, std::string* out);
// YYYYMMDDHHmmSS (exactly 14 digits; later than 2106 wraps modulo 2^32, RFC 1982) or a
// plain decimal number of seconds.
bool ParseTime(std::string_view text, uint32_t* out);

// Decimal without sign, at most `max`.
bool ParseDecimal(std::string_view text, uint64_t max, uint64_t* out);
// A decimal number of seconds or BIND units ("1h30m", "2w"), at most 2^32-1.
bool ParseTtl(std::string_view text, uint32_t* out);

// Dotted-quad IPv4 and RFC 4291 IPv6 text (inet_pton; an embedded NUL is rejected).
bool ParseIpv4(std::string_view text, uint8_t out[4]);
bool ParseIpv6(std::string_view text, uint8_t out[16]);
// RFC 5952 form for IPv6 (inet_ntop), as dig and kdig print it.
void AppendIpv4(std::span<const uint8_t> bytes, std::string* out);
void AppendIpv6(std::span<const uint8_t> bytes, std::string* out);

// Resolves RFC 1035 5.1 escapes (\X, \DDD) of a raw presentation field into bytes.
bool Unescape(std::string_view text, std::string* out);
// Appends `bytes` as a quoted string: '"' and '\' are backslash-escaped, bytes outside
// 0x20..0x7e become \DDD. This is what BIND and Knot print for TXT, CAA values and URIs.
void AppendQuoted(std::span<const uint8_t> bytes, std::string* out);
// The same without the surrounding quotes (the caller adds them).
void AppendEscaped(std::span<const uint8_t> bytes, std::string* out);

}  // namespace tether::dns::rdata_codec
