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
  std::string zone;
  std::string grant_name;
  std::string grant_subtree;
  std::string grant_acme;
  std::vector<std::string> types;
};

// Builds the command tree into `app`, binding options to `invocation`. After a successful
// parse, call FinishParse to fill invocation->command.
void BuildCli(CLI::App& app, Invocation& invocation);
void FinishParse(CLI::App& app, Invocation& invocation);

// Commands that run in the client without a server.
bool IsLocalCommand(const std::string& command);

}  // namespace tether::control
