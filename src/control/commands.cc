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
  CLI::Option* service = add->add_flag("--service", inv.service,
                                       "A service zone: users register hosts (third-level names) in it");
  add->add_flag("--rpz", inv.rpz,
                "A response policy zone (RPZ) kept from the takedown orders in force, for resolvers "
                "(NS localhost. unless --ns)")
      ->excludes(service);
  add->add_option("--primary", inv.primaries,
                  "A secondary zone, transferred from these primaries (ADDR[:PORT], port 53 by "
                  "default; repeatable or comma-separated, tried in order); read-only")
      ->delimiter(',')
      ->type_name("ADDR[:PORT]");
  add->add_option("--key", inv.key_name,
                  "With --primary: TSIG key (tether key add) for SOA queries, transfers and the "
                  "primaries' NOTIFYs");
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
  CLI::App* secondary = zone->add_subcommand(
      "secondary", "Secondaries of a zone: NOTIFY targets that may also transfer it");
  secondary->require_subcommand(1);
  CLI::App* secondary_add = secondary->add_subcommand(
      "add", "Send NOTIFY to ADDR[:PORT] (port 53 by default) after each change and let that address "
             "transfer the zone (with --key: only with requests signed by that key; NOTIFY is "
             "signed with it)");
  secondary_add->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  secondary_add->add_option("ADDRESS", inv.peer, "ADDR[:PORT]; IPv6 as [ADDR]:PORT")->required();
  secondary_add->add_option("--key", inv.key_name, "TSIG key (tether key add) for NOTIFY and transfers");
  CLI::App* secondary_list = secondary->add_subcommand("list", "List a zone's secondaries: address, key");
  secondary_list->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  CLI::App* secondary_remove = secondary->add_subcommand("remove", "Stop notifying a secondary and "
                                                                   "withdraw its transfer permission");
  secondary_remove->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  secondary_remove->add_option("ADDRESS", inv.peer, "ADDR[:PORT] as added")->required();
  CLI::App* allow_transfer = zone->add_subcommand(
      "allow-transfer", "Let clients that only pull (no NOTIFY) transfer the zone by AXFR/IXFR: any "
                        "request signed with --key, or any request from --address; prints the list "
                        "(without options: only prints it)");
  allow_transfer->add_option("ORIGIN", inv.origin, "Zone origin")->required();
  allow_transfer->add_option("--key", inv.transfer_keys, "TSIG key name; repeatable or comma-separated")
      ->delimiter(',');
  allow_transfer->add_option("--address", inv.addresses, "Network (CIDR); repeatable or comma-separated")
      ->delimiter(',');
  allow_transfer->add_flag("--remove", inv.remove, "Remove the given keys and networks instead of adding");
  allow_transfer->add_flag("--clear", inv.clear, "Remove every allowed key and network first");
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
  key_add->add_option("--secret", inv.secret,
                      "The key's secret in base64, to share a key made elsewhere (another server's "
                      "for zone transfers); default: a new random secret");
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

  CLI::App* user = app.add_subcommand("user", "User accounts");
  user->require_subcommand(1);
  CLI::App* user_add = user->add_subcommand(
      "add", "Create an account; the password comes from --password or, without it, from the first line "
             "of standard input");
  user_add->add_option("NAME", inv.user, "Account name")->required();
  user_add->add_option("--password", inv.password, "The password (visible to other local users: "
                                                   "prefer standard input)");
  user_add->add_option("--role", inv.role, "user (default), abuse (the abuse desk) or admin")
      ->check(CLI::IsMember({"user", "abuse", "admin"}));
  user_add->add_option("--host-limit", inv.host_limit, "Hosts this account may register (default: [names] host_limit)");
  user->add_subcommand("list", "List the accounts: name, role, hosts, created");
  CLI::App* user_remove = user->add_subcommand("remove", "Delete an account with its hosts, tokens and credentials");
  user_remove->add_option("NAME", inv.user, "Account name")->required();
  CLI::App* passwd = user->add_subcommand("passwd", "Set an account's password (from --password or standard input)");
  passwd->add_option("NAME", inv.user, "Account name")->required();
  passwd->add_option("--password", inv.password, "The new password");

  CLI::App* host = app.add_subcommand("host", "Hosts of service zones");
  host->require_subcommand(1);
  CLI::App* host_add = host->add_subcommand("add", "Register a host (a name in a service zone) for an account");
  host_add->add_option("FQDN", inv.fqdn, "e.g. home.dyn.example.net")->required();
  host_add->add_option("--user", inv.user, "The owner")->required();
  CLI::App* host_list = host->add_subcommand("list", "List hosts: name, owner, state, last update");
  host_list->add_option("--user", inv.user, "Only this account's hosts");
  CLI::App* host_remove = host->add_subcommand("remove", "Delete a host and its records");
  host_remove->add_option("FQDN", inv.fqdn, "Host name")->required();
  CLI::App* host_state = host->add_subcommand(
      "state", "Print a host's lifecycle and abuse state, or set its abuse state (docs/abuse.md)");
  host_state->add_option("FQDN", inv.fqdn, "Host name")->required();
  CLI::Option* reason =
      host_state->add_option("--reason", inv.reason, "Why (required with --set; audited)");
  host_state
      ->add_option("--set", inv.set_state,
                   "watch: log its updates; frozen: keep its records, refuse its updates; none")
      ->check(CLI::IsMember({"none", "watch", "frozen"}))
      ->needs(reason);
  CLI::App* credential = host->add_subcommand("credential", "Per-host update credentials");
  credential->require_subcommand(1);
  CLI::App* credential_add = credential->add_subcommand(
      "add", "Make a username and password that can update only this host (printed once)");
  credential_add->add_option("FQDN", inv.fqdn, "Host name")->required();

  CLI::App* token = app.add_subcommand("token", "API tokens");
  token->require_subcommand(1);
  CLI::App* token_add = token->add_subcommand("add", "Create an API token; prints `id: X` and `token: SECRET` once");
  token_add->add_option("--user", inv.user, "The owner")->required();
  token_add->add_option("--host", inv.hosts, "Hosts it may change (default: all of the owner's)")->delimiter(',');
  token_add->add_option("--types", inv.types, "Record types it may change (default: all)")->delimiter(',');
  token_add->add_option("--networks", inv.networks, "Networks (CIDR) it may be used from (default: any)")
      ->delimiter(',');
  token_add->add_option("--expires", inv.expires, "Expiry: a date (2027-01-31) or relative (+30d, +12h)");
  CLI::App* token_list = token->add_subcommand("list", "List tokens: id, owner, scope, expiry, state");
  token_list->add_option("--user", inv.user, "Only this account's tokens");
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("ID", inv.token_id, "Token id")->required();

  CLI::App* takedown = app.add_subcommand("takedown", "Takedown orders: preview, apply, restore (docs/abuse.md)");
  takedown->require_subcommand(1);
  CLI::App* preview = takedown->add_subcommand(
      "preview", "Dry run of an order for the names in FILE (one per line); prints the report and, last, `preview: ID`");
  preview->add_option("FILE", inv.list_file, "The names, one per line (# starts a comment)")->required();
  preview->add_option("--action", inv.action, "sinkhole, nxdomain, nodata or delegate")
      ->required()
      ->check(CLI::IsMember({"sinkhole", "nxdomain", "nodata", "delegate"}));
  preview->add_option("--ns", inv.ns, "delegate: the name servers that get the names")->delimiter(',');
  preview->add_option("--reason", inv.reason, "Why (audited)");
  preview->add_option("--reference", inv.reference, "e.g. a court case or ticket number (audited)");
  preview->add_option("--expires", inv.expires, "The order lifts itself then: a date (2027-01-31) or +30d");
  preview->add_flag("--force", inv.force, "Also act on apexes, wildcards and names that are no host (recorded)");
  CLI::App* apply = takedown->add_subcommand(
      "apply", "Apply a preview at most 15 minutes old as an order; prints `order: ID` last");
  apply->add_option("PREVIEW_ID", inv.takedown_id, "From `takedown preview`")->required();
  apply->add_flag("--approve", inv.approve, "Approve as the second person (needed above 25 names or 3 accounts)");
  CLI::App* restore = takedown->add_subcommand("restore", "Lift an order: put back exactly the records it replaced");
  restore->add_option("ORDER_ID", inv.takedown_id, "From `takedown apply`")->required();
  restore->add_option("--reason", inv.reason, "Why (audited)");
  takedown->add_subcommand("list", "List previews and orders: id, status, action, names, author, approver, "
                                   "created, expires, reference");
  CLI::App* export_order = takedown->add_subcommand(
      "export", "Legal-hold export: write the order's listed names' records, update log, owning accounts and "
                "the order's audit entries into DIR, with MANIFEST.sha256 (check with `sha256sum -c`); nothing "
                "of any other name; prints `files: N`, `manifest: PATH` and `sha256: HEX` (docs/abuse.md)");
  export_order->add_option("ORDER_ID", inv.takedown_id, "From `takedown apply` or `takedown list`")->required();
  export_order->add_option("DIR", inv.export_dir, "A directory that does not exist or is empty (tetherd writes "
                                                  "it: mode 0700, files 0600)")
      ->required();
  for (CLI::App* verb : {preview, apply, restore, export_order}) {
    verb->add_option("--as", inv.as_user, "The abuse-desk or admin user acting (default: your Unix account)");
  }

  CLI::App* abuse = app.add_subcommand("abuse", "Detection: flag hosts that look like fast flux (docs/detection.md)");
  abuse->require_subcommand(1);
  CLI::App* scan = abuse->add_subcommand(
      "scan", "Score every host's update history; prints name, score, watch, state and reasons, highest first");
  scan->add_flag("--all", inv.scan_all, "List every host, not only those the rules would watch");
  scan->add_flag("--watch", inv.scan_watch,
                 "Put the flagged hosts whose abuse state is none into watch, with the reasons (audited)");
  scan->add_option("--as", inv.as_user, "The abuse-desk or admin user acting (default: your Unix account)");

  CLI::App* audit = app.add_subcommand("audit", "The audit log: who did what to which names, hash-chained");
  audit->require_subcommand(1);
  audit->add_subcommand("list", "List the entries: seq, time, actor, action, names, reason, reference, "
                                "serial before, serial after");
  audit->add_subcommand("verify", "Check the hash chain; prints `ok: N entries` or `broken at seq N: WHY` "
                                  "(exit status 1)");
  FallThrough(app);
}

void FinishParse(CLI::App& app, Invocation& inv) {
  for (CLI::App* noun : app.get_subcommands()) {
    for (CLI::App* verb : noun->get_subcommands()) {
      inv.command = noun->get_name() + " " + verb->get_name();
      for (CLI::App* third : verb->get_subcommands()) inv.command += " " + third->get_name();
      const CLI::Option* password = verb->get_option_no_throw("--password");
      inv.password_given = password != nullptr && password->count() > 0;
      return;
    }
  }
}

bool IsLocalCommand(const std::string& command) { return command == "zone check"; }

bool ReadsPassword(const std::string& command) { return command == "user add" || command == "user passwd"; }

}  // namespace tether::control
