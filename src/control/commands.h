// The `tether` command line, shared by the client (which checks the syntax and prints
// --help without a server) and tetherd (which parses the same argv again and runs it).
// See docs/cli.md. Values; not synchronised.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tether::control {

// Every option of every command, filled in by CLI11.
struct Invocation {
  std::string data_dir = "var/tether";
  bool json = false;

  // The command chosen, e.g. "zone add"; empty if none.
  std::string command;

  // zone ...
  std::string origin;
  std::string import_file;
  std::vector<std::string> ns;
  std::string soa_email;
  std::string serial_policy = "increment";
  std::string check_file;
  bool print = false;
  std::vector<std::string> addresses;
  bool clear = false;

  // key ...
  std::string key_name;
  std::string algorithm = "hmac-sha256";
  std::string secret;  // key add --secret: base64; empty: a random one
  std::string zone;
  std::string grant_name;
  std::string grant_subtree;
  std::string grant_acme;
  std::vector<std::string> types;

  // zone add --service, --rpz
  bool service = false;
  bool rpz = false;
  // zone add --primary (a secondary zone; --key goes to key_name)
  std::vector<std::string> primaries;

  // zone secondary ..., zone allow-transfer
  std::string peer;                        // ADDR[:PORT]
  std::vector<std::string> transfer_keys;  // --key
  bool remove = false;

  // user ..., host ..., token ...
  std::string user;
  std::string password;
  bool password_given = false;  // --password was on the command line (else: standard input)
  std::string role = "user";
  int host_limit = 0;
  std::string fqdn;
  std::vector<std::string> hosts;
  std::vector<std::string> networks;
  std::string expires;
  std::string token_id;

  // host state FQDN [--set watch|frozen|none --reason TEXT]
  std::string set_state;  // empty: only print the state
  std::string reason;

  // takedown ... (also --reason, --ns, --expires above)
  std::string list_file;        // preview FILE: one name per line
  std::string action;           // preview --action
  std::string reference;
  bool force = false;
  bool approve = false;
  std::string takedown_id;      // apply PREVIEW_ID, restore ORDER_ID, export ORDER_ID
  std::string export_dir;       // export DIR: a new or empty directory for the bundle
  std::string as_user;          // --as: the abuse-desk user acting (default: the socket's peer)

  // abuse scan [--all] [--watch]
  bool scan_all = false;
  bool scan_watch = false;
};

// Builds the command tree into `app`, binding options to `invocation`. After a successful
// parse, call FinishParse to fill invocation->command.
void BuildCli(CLI::App& app, Invocation& invocation);
void FinishParse(CLI::App& app, Invocation& invocation);

// Commands that run in the client without a server.
bool IsLocalCommand(const std::string& command);

// Commands that read a password from standard input when --password is not given.
bool ReadsPassword(const std::string& command);

}  // namespace tether::control
