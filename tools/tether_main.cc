// tether: the admin command. It checks the command line itself (so --help and usage errors
// need no server), then hands the command to the running tetherd through the control socket
// DIR/control.sock and prints what comes back. See docs/cli.md.
#include <algorithm>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "control/commands.h"
#include "control/protocol.h"
#include "dns/name.h"
#include "zone/master_file.h"

namespace {

using tether::control::FrameKind;

constexpr int kFailure = 1;
constexpr int kUsage = 2;

int ZoneCheck(const tether::control::Invocation& inv) {
  auto origin = tether::dns::Name::FromText(inv.origin);
  if (!origin) {
    std::fprintf(stderr, "tether: bad origin '%s': %s\n", inv.origin.c_str(), origin.error().message.c_str());
    return kUsage;
  }
  auto zone = tether::zone::LoadZoneFile(inv.check_file, origin->Lowercased());
  if (!zone) {
    std::fprintf(stderr, "tether: %s\n", zone.error().message.c_str());
    return kFailure;
  }
  if (inv.print) {
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

// Connects to the control socket, retrying for a few seconds while tetherd starts.
int Connect(const std::string& path, std::string* error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    *error = "socket path too long";
    return -1;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) return fd;
    int code = errno;
    close(fd);
    if ((code != ENOENT && code != ECONNREFUSED) || std::chrono::steady_clock::now() > deadline) {
      *error = std::strerror(code);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void DrawProgress(uint64_t done, uint64_t total, const std::string& label) {
  if (total == 0) {
    std::fprintf(stderr, "\r%s: %llu", label.c_str(), static_cast<unsigned long long>(done));
  } else {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * done / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r%s [%s] %3llu%% %llu/%llu", label.c_str(), bar.c_str(),
                 static_cast<unsigned long long>(100 * done / total), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
  }
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  tether::control::Invocation inv;
  CLI::App cli{"tether — administer a running tetherd through DIR/control.sock", "tether"};
  cli.set_version_flag("--version", "0.1.0");
  tether::control::BuildCli(cli, inv);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return code == 0 ? 0 : kUsage;
  }
  tether::control::FinishParse(cli, inv);
  if (tether::control::IsLocalCommand(inv.command)) return ZoneCheck(inv);

  // The server runs elsewhere: files named on the command line are sent as absolute paths.
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--import" && i + 1 < args.size()) {
      args[i + 1] = std::filesystem::absolute(args[i + 1]).string();
    } else if (args[i].rfind("--import=", 0) == 0) {
      args[i] = "--import=" + std::filesystem::absolute(args[i].substr(9)).string();
    }
  }
  if (inv.command == "takedown preview") {
    auto verb = std::find(args.begin(), args.end(), "preview");
    auto file = std::find(verb, args.end(), inv.list_file);  // the FILE argument
    if (file != args.end()) *file = std::filesystem::absolute(*file).string();
  }
  if (inv.command == "takedown export") {
    auto verb = std::find(std::find(args.begin(), args.end(), "takedown"), args.end(), "export");
    auto id = std::find(verb, args.end(), inv.takedown_id);
    auto dir = std::find(id == args.end() ? id : id + 1, args.end(), inv.export_dir);  // DIR follows ORDER_ID
    if (dir != args.end()) *dir = std::filesystem::absolute(*dir).string();
  }

  if (tether::control::ReadsPassword(inv.command) && !inv.password_given) {
    // The password comes from the first line of standard input (a prompt on a terminal), so
    // it never shows in the process list; it travels over the 0600 control socket.
    const bool terminal = isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (terminal) {
      std::fprintf(stderr, "password: ");
      tcgetattr(STDIN_FILENO, &saved);
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string password;
    bool read = static_cast<bool>(std::getline(std::cin, password));
    if (terminal) {
      tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      std::fputc('\n', stderr);
    }
    if (!read || password.empty()) {
      std::fprintf(stderr, "tether: no password given (--password or a line on standard input)\n");
      return kUsage;
    }
    args.push_back("--password");
    args.push_back(password);
  }

  std::string path = tether::control::ControlSocketPath(inv.data_dir);
  std::string error;
  int fd = Connect(path, &error);
  if (fd < 0) {
    std::fprintf(stderr, "tether: cannot reach tetherd at %s: %s\n", path.c_str(), error.c_str());
    return kFailure;
  }
  tether::control::Connection connection(fd);
  if (!connection.Send(FrameKind::kRequest, tether::control::EncodeArgv(args))) {
    std::fprintf(stderr, "tether: lost the connection to tetherd\n");
    return kFailure;
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  bool progress_shown = false;
  while (true) {
    auto frame = connection.Receive();
    if (!frame || !*frame) {
      std::fprintf(stderr, "tether: tetherd closed the connection before answering\n");
      return kFailure;
    }
    const auto& payload = (*frame)->payload;
    switch ((*frame)->kind) {
      case FrameKind::kStdout:
        std::fwrite(payload.data(), 1, payload.size(), stdout);
        break;
      case FrameKind::kStderr:
        if (progress_shown) std::fputc('\n', stderr);
        progress_shown = false;
        std::fwrite(payload.data(), 1, payload.size(), stderr);
        break;
      case FrameKind::kProgress: {
        uint64_t done = 0;
        uint64_t total = 0;
        std::string label;
        if (tty && tether::control::DecodeProgress(payload, &done, &total, &label)) {
          DrawProgress(done, total, label);
          progress_shown = true;
        }
        break;
      }
      case FrameKind::kExit:
        if (progress_shown) std::fputc('\n', stderr);
        std::fflush(stdout);
        return payload.empty() ? kFailure : static_cast<uint8_t>(payload[0]);
      default:
        break;
    }
  }
}
