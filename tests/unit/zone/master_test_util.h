// Helpers for the master-file tests: reading text into a vector of records, and a
// temporary directory for $INCLUDE and file tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "zone/master_file.h"

namespace tether::zone::testing {

inline dns::Name N(std::string_view text) { return *dns::Name::FromText(text); }

inline MasterFileOptions Options(std::string_view origin = "example.com.") {
  MasterFileOptions options;
  options.origin = N(origin);
  return options;
}

inline Result<std::vector<MasterRecord>> ReadAll(std::string_view text,
                                                 const MasterFileOptions& options = Options()) {
  std::vector<MasterRecord> records;
  Status status = ReadMasterText(text, "zone.db", options, [&](MasterRecord&& record) {
    records.push_back(std::move(record));
    return Ok();
  });
  if (!status) return tl::unexpected(status.error());
  return records;
}

// The error message of reading `text`, or "" if it read without error.
inline std::string ReadError(std::string_view text, const MasterFileOptions& options = Options()) {
  auto records = ReadAll(text, options);
  return records ? std::string() : records.error().message;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tether-master-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `text` to `name` under the directory (creating subdirectories); returns the path.
  std::string Write(const std::string& name, std::string_view text) const {
    std::filesystem::path file = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::string path_;
};

}  // namespace tether::zone::testing
