// PgServer: a real PostgreSQL server for the store tests, started by the test process
// itself on a loopback port in a temporary directory, and a fresh schema per test.
//
// Debian's initdb and pg_ctl (/usr/lib/postgresql/15/bin, or TETHER_PG_BIN) refuse to run
// as root, so as root they run as the `postgres` user (runuser) on a directory it owns.
// The server listens on 127.0.0.1 only, its unix socket in the temporary directory, and
// trusts local connections (it is reachable from this machine only, for the test's life).
// A watchdog process stops it and removes the directory if the test process dies without
// doing so. Under ctest, where every test is a process of its own, the tests share one
// server that pg_server.sh started: TETHER_TEST_PG_FILE names the file holding its
// conninfo. TETHER_TEST_PG (a libpq conninfo) picks any running server instead.
//
// If the server cannot be started, Get() fails the calling test (never skips it): CI must
// not pass with the PostgreSQL store untested.
//
// Thread-safety: Get() and NewDatabase() are for the test's main thread.
#pragma once

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace tether::store::testing {

class PgServer {
 public:
  // The process's server, started on first use; nullptr (and the test fails) if it cannot
  // be started.
  static PgServer* Get() {
    static std::unique_ptr<PgServer> server = Start();
    if (server == nullptr) ADD_FAILURE() << "PostgreSQL test server: " << StartError();
    return server.get();
  }

  ~PgServer() {
    if (!dir_.empty()) {
      Run(PgCtl() + " -m immediate -w stop >/dev/null 2>&1");
      std::filesystem::remove_all(dir_);
    }
  }

  // A new, empty schema of its own (cheaper than a database: no copy of a template), as
  // the store finds it through search_path; returns the conninfo that selects it.
  std::string NewDatabase() {
    const std::string name = "tether_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
    std::string error = Exec(base_ + " dbname=postgres", "CREATE SCHEMA " + name);
    EXPECT_EQ(error, "") << "CREATE SCHEMA " << name;
    // application_name tells this test's connections from those of tests running beside it.
    return base_ + " dbname=postgres application_name=" + name + " options='-c search_path=" +
           name + "'";
  }

  // Runs `sql` on a database; returns "" or the error.
  static std::string Exec(const std::string& conninfo, const std::string& sql) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* result = PQexec(conn, sql.c_str());
      const ExecStatusType status = PQresultStatus(result);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(result);
      PQclear(result);
    }
    PQfinish(conn);
    return error;
  }

  // The first column of the first row of `sql` as an integer (-1 if none or on error).
  static int64_t QueryInt(const std::string& conninfo, const std::string& sql) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    int64_t value = -1;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* result = PQexec(conn, sql.c_str());
      if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
        value = std::strtoll(PQgetvalue(result, 0, 0), nullptr, 10);
      } else {
        ADD_FAILURE() << PQresultErrorMessage(result) << " in " << sql;
      }
      PQclear(result);
    } else {
      ADD_FAILURE() << PQerrorMessage(conn);
    }
    PQfinish(conn);
    return value;
  }

 private:
  static std::string& StartError() {
    static std::string error;
    return error;
  }

  static int Run(const std::string& command) { return std::system(command.c_str()); }

  static std::string Bin() {
    const char* bin = std::getenv("TETHER_PG_BIN");
    return bin != nullptr ? bin : "/usr/lib/postgresql/15/bin";
  }

  // As the postgres user when root (initdb and pg_ctl refuse root).
  std::string AsOwner(const std::string& command) const {
    return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  }

  std::string PgCtl() const { return AsOwner(Bin() + "/pg_ctl -D " + dir_ + "/data"); }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  static std::unique_ptr<PgServer> Start() {
    std::unique_ptr<PgServer> server(new PgServer());
    if (const char* external = std::getenv("TETHER_TEST_PG")) {
      server->base_ = external;
      return server;
    }
    if (const char* file = std::getenv("TETHER_TEST_PG_FILE")) {
      server->base_ = ReadFile(file);
      while (!server->base_.empty() && server->base_.back() == '\n') server->base_.pop_back();
      if (server->base_.empty()) {
        StartError() = std::string("no conninfo in ") + file + " (did pg_server.sh start fail?)";
        return nullptr;
      }
      return server;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "tether-pg-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      StartError() = "cannot make a temporary directory";
      return nullptr;
    }
    server->dir_ = pattern;
    const std::string& dir = server->dir_;
    if (::geteuid() == 0 && Run("chown postgres: " + dir) != 0) {
      StartError() = "cannot chown " + dir + " to postgres";
      return nullptr;
    }
    if (server->Run(server->AsOwner(Bin() + "/initdb -D " + dir + "/data -A trust -U tether " +
                                    "-E UTF8 --no-sync >" + dir + "/initdb.log 2>&1")) != 0) {
      StartError() = "initdb failed: " + ReadFile(dir + "/initdb.log");
      return nullptr;
    }
    // A port free a moment ago may be taken meanwhile: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      const int port = FreePort();
      const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) +
                                  " -k " + dir + " -c fsync=on -c max_connections=100";
      if (Run(server->PgCtl() + " -w -t 60 -l " + dir + "/server.log -o '" + options +
              "' start >/dev/null 2>&1") == 0) {
        server->base_ = "host=127.0.0.1 port=" + std::to_string(port) + " user=tether";
        // Stops the server if this process dies without stopping it.
        Run("setsid sh -c 'while kill -0 " + std::to_string(::getpid()) +
            " 2>/dev/null; do sleep 1; done; " + server->PgCtl() + " -m immediate stop; rm -rf " +
            dir + "' >/dev/null 2>&1 &");
        return server;
      }
    }
    StartError() = "pg_ctl start failed: " + ReadFile(dir + "/server.log");
    return nullptr;
  }

  PgServer() = default;

  std::string dir_;
  std::string base_;  // conninfo without dbname
  int databases_ = 0;
};

}  // namespace tether::store::testing
