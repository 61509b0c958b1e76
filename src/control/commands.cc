#include "control/commands.h"

namespace tether::control {

namespace {
// Global options (--data-dir, --json) may also come after the command words.
void FallThrough(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->fallthrough();
    FallThrough(*sub);
  }
}
}  // namespace

void BuildCli(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  app.add_option("--data-dir", inv.data_dir, "tetherd's data directory (default: ./var/tether)");
  app.add_flag("--json", inv.json, "Print lists as JSON instead of tab-separated rows");
  app.footer("Exit status: 0 success, 1 failure, 2 usage error. Lists are comma-separated.");

  CLI::App* zone = app.add_subcommand("zone", "Zones");
  zone->require_subcommand(1);
  CLI::App* add = zone->add_subcommand(
      "add", "Create a dynamic zone: from a master file, or with an SOA and NS records made "
             "from --ns/--soa-email (or the configuration's defaults)");
  add->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  add->add_option("--import", inv.import_file, "Master file to import (millions of records are fine)");
  add->add_option("--ns", inv.ns, "Name servers for the apex NS records")->delimiter(',');
  add->add_option("--soa-email", inv.soa_email, "Contact address for the SOA (hostmaster@example.net)");
  add->add_option("--serial-policy", inv.serial_policy, "How the SOA serial moves: increment or unixtime")
      ->check(CLI::IsMember({"increment", "unixtime"}));
  zone->add_subcommand("list", "List the zones: origin, kind, serial, names");
  CLI::App* exp = zone->add_subcommand("export", "Print a zone as a master file");
  exp->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  CLI::App* remove = zone->add_subcommand("remove", "Delete a dynamic zone and its journal");
  remove->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  CLI::App* allow = zone->add_subcommand(
      "allow-update", "Allow unsigned RFC 2136 updates from these networks (by default only "
                      "TSIG-signed updates are accepted)");
  allow->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  allow->add_option("--address", inv.addresses, "Network (CIDR); repeatable or comma-separated")
      ->delimiter(',');
  allow->add_flag("--clear", inv.clear, "Remove every allowed network first");
  CLI::App* check = zone->add_subcommand(
      "check", "Check a master file offline, as tetherd would load it (no server needed)");
  check->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  check->add_option("FILE", inv.check_file, "Master file")->required();
  check->add_flag("--print", inv.print, "Print the zone in canonical master-file form");

  CLI::App* key = app.add_subcommand("key", "TSIG keys for RFC 2136 updates");
  key->require_subcommand(1);
  CLI::App* key_add = key->add_subcommand(
      "add", "Create a key; prints the secret once, as ALGORITHM:NAME:SECRET and as a BIND key block");
  key_add->add_option("NAME", inv.key_name, "Key name")->required();
  key_add->add_option("--algorithm", inv.algorithm, "hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha1, hmac-md5")
      ->check(CLI::IsMember({"hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224", "hmac-sha1", "hmac-md5"}));
  CLI::App* grant = key->add_subcommand(
      "grant", "Let a key change names of a zone: all but the apex SOA and NS by default, or "
               "exactly one name, a subtree, or the _acme-challenge TXT of a name");
  grant->add_option("NAME", inv.key_name, "Key name")->required();
  grant->add_option("ZONE", inv.zone, "Zone origin")->required();
  auto* name_opt = grant->add_option("--name", inv.grant_name, "Exactly this name");
  auto* subtree_opt = grant->add_option("--subtree", inv.grant_subtree, "This name and every name below it");
  auto* acme_opt = grant->add_option("--acme", inv.grant_acme, "Only _acme-challenge.FQDN, type TXT");
  name_opt->excludes(subtree_opt)->excludes(acme_opt);
  subtree_opt->excludes(acme_opt);
  grant->add_option("--types", inv.types, "Record types the key may change (default: all)")->delimiter(',');
  key->add_subcommand("list", "List the keys and their grants");
  CLI::App* key_remove = key->add_subcommand("remove", "Delete a key");
  key_remove->add_option("NAME", inv.key_name, "Key name")->required();
  FallThrough(app);
}

void FinishParse(CLI::App& app, Invocation& inv) {
  for (CLI::App* noun : app.get_subcommands()) {
    for (CLI::App* verb : noun->get_subcommands()) {
      inv.command = noun->get_name() + " " + verb->get_name();
      return;
    }
  }
}

bool IsLocalCommand(const std::string& command) { return command == "zone check"; }

}  // namespace tether::control
