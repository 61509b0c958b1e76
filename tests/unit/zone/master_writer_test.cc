// WriteMasterFile: order and form, a round trip through the reader, and acceptance by
// named-checkzone and kzonecheck.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

#include "master_test_util.h"
#include "zone/master_file.h"
#include "zone/master_reader.h"

namespace tether::zone {
namespace {

using testing::N;
using testing::Options;
using testing::TempDir;

constexpr std::string_view kZone =
    "$TTL 300\n"
    "@ SOA ns.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300\n"
    "@ NS ns\n"
    "@ NS ns.example.net.\n"
    "@ MX 10 mail\n"
    "ns A 192.0.2.53\n"
    "mail 60 A 192.0.2.25\n"
    "mail AAAA 2001:db8::25\n"
    "www CNAME mail\n"
    "Zz TXT \"hello \\\"world\\\"\" \"a;b\" \\255\n"
    "b.a TXT x\n"
    "a A 192.0.2.1\n"
    "*.wild A 192.0.2.2\n"
    "d DNAME example.net.\n"
    "h TYPE65280 \\# 3 010203\n"
    "sub NS ns.sub\n"
    "ns.sub A 192.0.2.54\n";

std::shared_ptr<Zone> MakeZone(std::string_view text) {
  auto updates = LoadZoneUpdatesFromText(text, "zone.db", Options());
  EXPECT_TRUE(updates) << updates.error().message;
  if (!updates) return nullptr;
  auto zone = std::make_shared<Zone>(N("example.com."));
  EXPECT_TRUE(zone->Apply(std::move(*updates)));
  return zone;
}

std::string Write(Zone& zone) {
  std::ostringstream out;
  EXPECT_TRUE(WriteMasterFile(zone, out));
  return out.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(MasterWriterTest, OriginThenSoaThenCanonicalOrder) {
  auto zone = MakeZone(kZone);
  ASSERT_NE(zone, nullptr);
  std::vector<std::string> lines = SplitLines(Write(*zone));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "$ORIGIN example.com.");
  EXPECT_TRUE(lines[1].starts_with("example.com.\t300\tIN\tSOA\tns.example.com. ")) << lines[1];
  std::vector<std::string> owners;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string owner = lines[i].substr(0, lines[i].find('\t'));
    if (owners.empty() || owners.back() != owner) owners.push_back(owner);
  }
  EXPECT_EQ(owners, (std::vector<std::string>{
                        "example.com.", "a.example.com.", "b.a.example.com.", "d.example.com.",
                        "h.example.com.", "mail.example.com.", "ns.example.com.",
                        "sub.example.com.", "ns.sub.example.com.", "*.wild.example.com.",
                        "www.example.com.", "zz.example.com."}));
}

TEST(MasterWriterTest, OneRecordPerLineWithTtlClassAndType) {
  auto zone = MakeZone(kZone);
  ASSERT_NE(zone, nullptr);
  std::string text = Write(*zone);
  EXPECT_NE(text.find("mail.example.com.\t60\tIN\tA\t192.0.2.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mail.example.com.\t300\tIN\tAAAA\t2001:db8::25\n"), std::string::npos);
}

TEST(MasterWriterTest, RoundTripGivesTheSameRecords) {
  auto zone = MakeZone(kZone);
  ASSERT_NE(zone, nullptr);
  std::string text = Write(*zone);
  auto again = LoadZoneUpdatesFromText(text, "written.db", Options());
  ASSERT_TRUE(again) << again.error().message << "\n" << text;
  auto original = LoadZoneUpdatesFromText(kZone, "zone.db", Options());
  ASSERT_TRUE(original);
  auto by_name = [](std::vector<NameUpdate> updates) {
    std::sort(updates.begin(), updates.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return updates;
  };
  std::vector<NameUpdate> a = by_name(std::move(*original));
  std::vector<NameUpdate> b = by_name(std::move(*again));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].rrsets, b[i].rrsets) << a[i].name.ToText();
  }
  // And writing the reloaded zone gives the same text.
  auto reloaded = MakeZone(text);
  ASSERT_NE(reloaded, nullptr);
  EXPECT_EQ(Write(*reloaded), text);
}

TEST(MasterWriterTest, EmptyZoneWritesOnlyTheOrigin) {
  Zone zone(N("example.com."));
  EXPECT_EQ(Write(zone), "$ORIGIN example.com.\n");
}

TEST(MasterWriterTest, FailedStreamIsError) {
  auto zone = MakeZone(kZone);
  ASSERT_NE(zone, nullptr);
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_FALSE(WriteMasterFile(*zone, out));
}

// Runs `command`; returns its exit status, or -1 if the tool is not installed.
int RunTool(const std::string& tool, const std::string& arguments) {
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) != 0) return -1;
  int status = std::system((tool + " " + arguments).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

std::string WriteZoneFile(const TempDir& dir) {
  auto zone = MakeZone(kZone);
  if (zone == nullptr) return "";
  return dir.Write("written.db", Write(*zone));
}

TEST(MasterWriterTest, NamedCheckzoneAcceptsTheOutput) {
  TempDir dir;
  std::string path = WriteZoneFile(dir);
  ASSERT_FALSE(path.empty());
  int status = RunTool("named-checkzone", "-q example.com " + path);
  if (status < 0) GTEST_SKIP() << "named-checkzone is not installed";
  EXPECT_EQ(status, 0) << "named-checkzone example.com " << path;
}

TEST(MasterWriterTest, KzonecheckAcceptsTheOutput) {
  TempDir dir;
  std::string path = WriteZoneFile(dir);
  ASSERT_FALSE(path.empty());
  int status = RunTool("kzonecheck", "-o example.com " + path + " >/dev/null");
  if (status < 0) GTEST_SKIP() << "kzonecheck is not installed";
  EXPECT_EQ(status, 0) << "kzonecheck -o example.com " << path;
}

}  // namespace
}  // namespace tether::zone
