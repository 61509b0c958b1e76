// tether: the admin command of Tether. This first version works offline on zone files;
// the commands that talk to a running tetherd through its control socket
// (DIR/control.sock) arrive with the update path (see docs/cli.md).
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "dns/name.h"
#include "zone/master_file.h"

namespace {

// Exit status per DESIGN.md: 0 success, 1 failure, 2 usage error.
constexpr int kFailure = 1;
constexpr int kUsage = 2;

int ZoneCheck(const std::string& origin_text, const std::string& file, bool print) {
  auto origin = tether::dns::Name::FromText(origin_text);
  if (!origin) {
    std::fprintf(stderr, "tether: bad origin '%s': %s\n", origin_text.c_str(), origin.error().message.c_str());
    return kUsage;
  }
  auto zone = tether::zone::LoadZoneFile(file, origin->Lowercased());
  if (!zone) {
    std::fprintf(stderr, "tether: %s\n", zone.error().message.c_str());
    return kFailure;
  }
  if (print) {
    auto written = tether::zone::WriteMasterFile(**zone, std::cout);
    if (!written) {
      std::fprintf(stderr, "tether: %s\n", written.error().message.c_str());
      return kFailure;
    }
    return 0;
  }
  std::printf("ok\t%s\t%zu names\n", origin->Lowercased().ToText().c_str(), (*zone)->Stats().nodes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"tether — administer a Tether server", "tether"};
  cli.set_version_flag("--version", "0.1.0");
  cli.require_subcommand(1);
  std::string data_dir = "var/tether";
  cli.add_option("--data-dir", data_dir, "tetherd's data directory (default: ./var/tether)");

  CLI::App* zone = cli.add_subcommand("zone", "Zones");
  zone->require_subcommand(1);
  std::string origin;
  std::string file;
  bool print = false;
  CLI::App* check = zone->add_subcommand(
      "check", "Check a master file offline the way tetherd loads it; prints `ok ORIGIN N names` "
               "or the first error as FILE:LINE: reason");
  check->add_option("ORIGIN", origin, "Zone origin")->required();
  check->add_option("FILE", file, "Master file")->required();
  check->add_flag("--print", print, "Print the zone in canonical master-file form instead");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return code == 0 ? 0 : kUsage;
  }
  if (check->parsed()) return ZoneCheck(origin, file, print);
  return kUsage;
}
