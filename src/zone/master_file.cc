// The master-file reader: directives, record lines and $INCLUDE (RFC 1035 5.1). The lexer
// (master_lexer.h) splits the text; this file gives the fields their meaning.
#include "zone/master_file.h"

#include <fcntl.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <utility>

#include "dns/rdata.h"
#include "zone/master_fields.h"
#include "zone/master_generate.h"
#include "zone/master_lexer.h"
#include "zone/master_reader.h"

namespace tether::zone {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// RFC 2181 8: a TTL with the most significant bit set is treated as zero (BIND does the
// same, with a warning).
uint32_t ClampTtl(uint32_t ttl) { return ttl > 0x7fffffffu ? 0 : ttl; }

// Reads a whole regular file. Character devices and FIFOs are refused: they may never end.
Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open '{}': {}", path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError("cannot read '{}': not a regular file", path);
  }
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (true) {
    if (done == text.size()) text.resize(text.size() + 4096 + text.size() / 2);  // it grew
    ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return IoError("cannot read '{}': {}", path, std::strerror(saved));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(done);
  return text;
}

// The directory part of `path` with its trailing '/', or "" for a bare file name.
std::string DirectoryOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash + 1));
}

// The state of one file being read (the top level or an $INCLUDE).
struct FileState {
  std::string_view source;  // for messages
  std::string directory;    // relative $INCLUDE paths start here ("" = working directory)
  int depth = 0;
  dns::Name origin;
  // RFC 1035 5.1: a record without an owner belongs to the previous one of this file.
  bool have_owner = false;
  dns::Name owner;
  std::string owner_text;  // the text `owner` was parsed from, under the current origin
};

class Reader {
 public:
  Reader(const MasterFileOptions& options, const LocatedSink& sink)
      : options_(options), sink_(sink) {}

  // `included_at`: the $INCLUDE line, or null for the top-level file.
  Status ReadFile(const std::string& path, int depth, const dns::Name& origin,
                  const MasterLocation* included_at);
  Status ReadText(std::string_view text, FileState& file);

 private:
  Status Directive(const MasterEntry& entry, FileState& file);
  Status Include(const MasterEntry& entry, FileState& file);
  Status Generate(const MasterEntry& entry, FileState& file);
  Status Record(const MasterEntry& entry, FileState& file);
  Result<dns::Name> ParseOwner(dns::TextToken token, FileState& file);

  const MasterFileOptions& options_;
  const LocatedSink& sink_;
  // TTL defaults, shared with included files as in BIND: $TTL, else the last explicit TTL
  // (RFC 1035 5.1), else the SOA MINIMUM for an SOA record, else options_.default_ttl.
  std::optional<uint32_t> dollar_ttl_;
  std::optional<uint32_t> last_ttl_;
  // RFC 1035 5.1: an omitted class is the last one stated; IN before any.
  uint16_t last_class_ = 1;
  std::vector<std::string> include_stack_;  // canonical paths of the files being read
};

Status Reader::ReadFile(const std::string& path, int depth, const dns::Name& origin,
                        const MasterLocation* included_at) {
  // Problems opening an included file are reported at its $INCLUDE line.
  auto open_error = [&](std::string reason) -> Status {
    if (included_at == nullptr) return MakeError(ErrorCode::kIo, std::move(reason));
    return LocatedError(included_at->source, included_at->line, reason);
  };
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return open_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  }
  std::string canonical(resolved);
  if (std::find(include_stack_.begin(), include_stack_.end(), canonical) != include_stack_.end()) {
    return open_error(fmt::format("$INCLUDE loop: '{}' is already being read", path));
  }
  Result<std::string> text = ReadWholeFile(path);
  if (!text) return open_error(text.error().message);
  include_stack_.push_back(std::move(canonical));
  FileState file;
  file.source = path;
  file.directory = DirectoryOf(path);
  file.depth = depth;
  file.origin = origin;
  Status status = ReadText(*text, file);
  include_stack_.pop_back();
  return status;
}

Status Reader::ReadText(std::string_view text, FileState& file) {
  MasterLexer lexer(text);
  MasterEntry entry;
  while (true) {
    Result<bool> more = lexer.Next(&entry);
    if (!more) return LocatedError(file.source, lexer.error_line(), more.error().message);
    if (!*more) return Ok();
    const dns::TextToken& first = entry.tokens[0];
    if (!entry.blank_owner && !first.quoted && first.text[0] == '$') {
      RETURN_IF_ERROR(Directive(entry, file));
    } else {
      RETURN_IF_ERROR(Record(entry, file));
    }
  }
}

Status Reader::Directive(const MasterEntry& entry, FileState& file) {
  const std::string_view name = entry.tokens[0].text;
  const size_t args = entry.tokens.size() - 1;
  if (EqualsIgnoreCase(name, "$ORIGIN")) {
    if (args != 1) return LocatedError(file.source, entry.line, "$ORIGIN takes one domain name");
    // A relative $ORIGIN is completed with the current one, as in BIND.
    Result<dns::Name> origin = dns::Name::FromText(entry.tokens[1].text, file.origin);
    if (!origin) {
      return LocatedError(file.source, entry.line, "bad $ORIGIN: " + origin.error().message);
    }
    file.origin = std::move(*origin);
    file.owner_text.clear();  // relative owner text now means another name
    return Ok();
  }
  if (EqualsIgnoreCase(name, "$TTL")) {
    if (args != 1) return LocatedError(file.source, entry.line, "$TTL takes one TTL");
    std::optional<uint32_t> ttl = ParseTtl(entry.tokens[1].text);
    if (!ttl) {
      return LocatedError(file.source, entry.line,
                          fmt::format("bad TTL '{}' in $TTL", entry.tokens[1].text));
    }
    dollar_ttl_ = ClampTtl(*ttl);
    return Ok();
  }
  if (EqualsIgnoreCase(name, "$INCLUDE")) return Include(entry, file);
  if (EqualsIgnoreCase(name, "$GENERATE")) return Generate(entry, file);
  return LocatedError(file.source, entry.line, fmt::format("unknown directive '{}'", name));
}

// RFC 1035 5.1: "$INCLUDE <file-name> [<domain-name>]". The origin given applies to the
// included file only; the including file keeps its own origin and previous owner.
Status Reader::Include(const MasterEntry& entry, FileState& file) {
  const size_t args = entry.tokens.size() - 1;
  if (args < 1 || args > 2) {
    return LocatedError(file.source, entry.line, "$INCLUDE takes a file name and an origin");
  }
  if (file.depth >= options_.max_include_depth) {
    return LocatedError(file.source, entry.line,
                        fmt::format("$INCLUDE nested deeper than {}", options_.max_include_depth));
  }
  std::string_view name = entry.tokens[1].text;
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    return LocatedError(file.source, entry.line, "bad $INCLUDE file name");
  }
  std::string path = name[0] == '/' ? std::string(name) : file.directory + std::string(name);
  dns::Name origin = file.origin;
  if (args == 2) {
    Result<dns::Name> parsed = dns::Name::FromText(entry.tokens[2].text, file.origin);
    if (!parsed) {
      return LocatedError(file.source, entry.line,
                          "bad $INCLUDE origin: " + parsed.error().message);
    }
    origin = std::move(*parsed);
  }
  const MasterLocation at{file.source, entry.line};
  return ReadFile(path, file.depth + 1, origin, &at);
}

Status Reader::Generate(const MasterEntry& entry, FileState& file) {
  Result<GenerateSpec> spec = ParseGenerate(entry.tokens);
  if (!spec) return LocatedError(file.source, entry.line, spec.error().message);
  // Each generated line is read as a record line of this file, at the $GENERATE's line.
  MasterEntry generated;
  return ExpandGenerate(*spec, [&](std::string_view line) -> Status {
    MasterLexer lexer(line);
    Result<bool> more = lexer.Next(&generated);
    if (!more || !*more) {
      return LocatedError(file.source, entry.line,
                          fmt::format("$GENERATE produced a malformed line '{}'", line));
    }
    generated.line = entry.line;
    generated.blank_owner = false;
    return Record(generated, file);
  });
}

Result<dns::Name> Reader::ParseOwner(dns::TextToken token, FileState& file) {
  if (token.quoted) return InvalidArgument("quoted owner name \"{}\"", token.text);
  // Consecutive records usually repeat the owner (or leave it blank); parse it once.
  if (file.have_owner && !file.owner_text.empty() && token.text == file.owner_text) {
    return file.owner;
  }
  Result<dns::Name> owner = dns::Name::FromText(token.text, file.origin);
  if (!owner) return InvalidArgument("bad owner name: {}", owner.error().message);
  file.owner = *owner;
  file.owner_text.assign(token.text);
  file.have_owner = true;
  return owner;
}

// RFC 1035 5.1: "<domain-name> [<TTL>] [<class>] <type> <RDATA>", with TTL and class in
// either order, both optional.
Status Reader::Record(const MasterEntry& entry, FileState& file) {
  const std::span<const dns::TextToken> tokens(entry.tokens);
  size_t i = 0;
  MasterRecord record;
  if (entry.blank_owner) {
    if (!file.have_owner) return LocatedError(file.source, entry.line, "no previous owner name");
    record.owner = file.owner;
  } else {
    Result<dns::Name> owner = ParseOwner(tokens[0], file);
    if (!owner) return LocatedError(file.source, entry.line, owner.error().message);
    record.owner = std::move(*owner);
    i = 1;
  }

  std::optional<uint32_t> ttl;
  std::optional<uint16_t> klass;
  while (i < tokens.size() && !tokens[i].quoted && (!ttl || !klass)) {
    const std::string_view text = tokens[i].text;
    if (!ttl && LooksLikeTtl(text)) {
      ttl = ParseTtl(text);
      if (!ttl) return LocatedError(file.source, entry.line, fmt::format("bad TTL '{}'", text));
      ++i;
      continue;
    }
    if (!klass) {
      klass = ParseClass(text);
      if (klass) {
        ++i;
        continue;
      }
    }
    break;
  }
  if (i >= tokens.size()) return LocatedError(file.source, entry.line, "missing type");
  if (tokens[i].quoted) {
    return LocatedError(file.source, entry.line, fmt::format("bad type \"{}\"", tokens[i].text));
  }
  std::optional<dns::RrType> type = dns::RrTypeFromString(tokens[i].text);
  if (!type) {
    return LocatedError(file.source, entry.line, fmt::format("unknown type '{}'", tokens[i].text));
  }
  if (dns::IsMetaType(*type)) {
    return LocatedError(file.source, entry.line,
                        fmt::format("type {} cannot appear in a zone", tokens[i].text));
  }
  record.type = *type;
  ++i;

  Result<std::vector<uint8_t>> rdata = dns::RdataFromText(*type, tokens.subspan(i), file.origin);
  if (!rdata) return LocatedError(file.source, entry.line, rdata.error().message);
  record.rdata = std::move(*rdata);

  if (ttl) {
    record.ttl = ClampTtl(*ttl);
    last_ttl_ = record.ttl;
  } else if (dollar_ttl_) {
    record.ttl = *dollar_ttl_;
  } else if (last_ttl_) {
    record.ttl = *last_ttl_;
  } else if (record.type == dns::RrType::kSoa && record.rdata.size() >= 4) {
    // BIND: without any TTL yet, the SOA takes its MINIMUM field (the last 32 bits), which
    // then serves as the last TTL.
    const uint8_t* minimum = record.rdata.data() + record.rdata.size() - 4;
    record.ttl =
        ClampTtl(static_cast<uint32_t>(minimum[0]) << 24 | static_cast<uint32_t>(minimum[1]) << 16 |
                 static_cast<uint32_t>(minimum[2]) << 8 | minimum[3]);
    last_ttl_ = record.ttl;
  } else {
    record.ttl = options_.default_ttl;
  }
  if (klass) last_class_ = *klass;
  record.klass = last_class_;
  return sink_(std::move(record), MasterLocation{file.source, entry.line});
}

}  // namespace

Status ReadMasterFileLocated(const std::string& path, const MasterFileOptions& options,
                             const LocatedSink& sink) {
  Reader reader(options, sink);
  return reader.ReadFile(path, 0, options.origin, nullptr);
}

Status ReadMasterTextLocated(std::string_view text, std::string_view source_name,
                             const MasterFileOptions& options, const LocatedSink& sink) {
  Reader reader(options, sink);
  FileState file;
  file.source = source_name;
  file.origin = options.origin;
  return reader.ReadText(text, file);
}

Status ReadMasterFile(const std::string& path, const MasterFileOptions& options,
                      const std::function<Status(MasterRecord&&)>& sink) {
  return ReadMasterFileLocated(path, options, [&](MasterRecord&& record, const MasterLocation&) {
    return sink(std::move(record));
  });
}

Status ReadMasterText(std::string_view text, std::string_view source_name,
                      const MasterFileOptions& options,
                      const std::function<Status(MasterRecord&&)>& sink) {
  return ReadMasterTextLocated(
      text, source_name, options,
      [&](MasterRecord&& record, const MasterLocation&) { return sink(std::move(record)); });
}

}  // namespace tether::zone
