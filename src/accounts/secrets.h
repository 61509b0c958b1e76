// Secrets of accounts: Argon2id password hashes (libsodium), random tokens and their
// digests, and constant-time comparison. Thread-safe (libsodium is initialised once).
//
// Account passwords are chosen by people, so they are stored as Argon2id hashes. Tokens
// and per-host update passwords are random (at least 128 bits), so a SHA-256 digest stored
// in their place is enough and checking one costs microseconds, not an Argon2 computation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tether::accounts {

// Initialises libsodium (once; every function here that uses it calls this).
void InitSodium();

// Argon2id cost: 2 passes over 19 MiB (the OWASP recommendation), so a login costs tens
// of milliseconds and memory stays bounded when many arrive at once.
constexpr unsigned long long kPasswordOpsLimit = 2;
constexpr size_t kPasswordMemLimit = size_t{19} << 20;

// An encoded "$argon2id$v=19$m=...,t=...,p=...$salt$hash" string.
Result<std::string> HashPassword(std::string_view password);
// True if `password` matches `hash` (any libsodium-encoded Argon2 hash).
bool VerifyPassword(std::string_view password, const std::string& hash);

// A random secret of `bytes` bytes, encoded URL-safe base64 without padding (usable in a
// URL, an HTTP header and a shell without quoting).
std::string RandomSecret(size_t bytes = 24);

// False if `secret` cannot have come from RandomSecret(bytes) with bytes >= 24: shorter than
// 32 characters, or a character outside URL-safe base64. Every API token's secret is one
// (RandomSecret(24)), so a secret for which this is false is no token, and the request
// path skips the SHA-256 of the token lookup (a microsecond on CPUs without SHA
// instructions, the largest part of a router poll's own work there).
bool MayBeRandomSecret(std::string_view secret);

// SHA-256 of `secret`, as 64 lower-case hex digits.
std::string SecretDigest(std::string_view secret);
constexpr size_t kSecretDigestSize = 64;
// The same written to `out` (kSecretDigestSize characters), without allocating.
void SecretDigestTo(std::string_view secret, char* out);

// Constant-time equality of two strings of the same length (false if lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tether::accounts
