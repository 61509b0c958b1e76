"""A real PostgreSQL server for integration tests (Debian's postgresql-15).

PostgresServer(tmp) makes a fresh cluster in a temporary directory, starts it on 127.0.0.1 on
a free port (its unix socket in that directory) and creates a database; `uri` is what
`tetherd --store` takes. Debian's initdb and pg_ctl refuse to run as root, so as root they
run as the `postgres` user (runuser) on a directory it owns. If the server cannot be started
the test fails (it raises), never skips: CI must not pass with the store untested.
"""

import os
import shutil
import subprocess
import tempfile

import tetherlib as tl

BIN = os.environ.get("TETHER_PG_BIN", "/usr/lib/postgresql/15/bin")


def _as_owner(argv):
    return ["runuser", "-u", "postgres", "--"] + argv if os.geteuid() == 0 else argv


class PostgresServer:
    def __init__(self, database="tether"):
        self.dir = tempfile.mkdtemp(prefix="tether-pg-")
        self.port = None
        self.database = database
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        run = subprocess.run(_as_owner([BIN + "/initdb", "-D", data, "-A", "trust", "-U",
                                        "tether", "-E", "UTF8", "--no-sync"]),
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError("initdb failed:\n%s%s" % (run.stdout, run.stderr))
        self.port = tl.free_port()
        options = "-c listen_addresses=127.0.0.1 -p %d -k %s" % (self.port, self.dir)
        run = subprocess.run(_as_owner([BIN + "/pg_ctl", "-D", data, "-w", "-t", "60", "-l",
                                        os.path.join(self.dir, "server.log"), "-o", options,
                                        "start"]),
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError("pg_ctl start failed:\n%s%s" % (run.stdout, run.stderr))
        self.psql("CREATE DATABASE %s" % database, database="postgres")

    @property
    def uri(self):
        return "postgresql://tether@127.0.0.1:%d/%s" % (self.port, self.database)

    def psql(self, sql, database=None):
        """Runs `sql`; returns its output (unaligned, tuples only)."""
        run = subprocess.run([BIN + "/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                              "tether", "-d", database or self.database, "-v",
                              "ON_ERROR_STOP=1", "-At", "-c", sql],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            raise AssertionError("psql %r: %s" % (sql, run.stderr))
        return run.stdout.strip()

    def close(self):
        data = os.path.join(self.dir, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(_as_owner([BIN + "/pg_ctl", "-D", data, "-m", "immediate", "-w",
                                      "stop"]), capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
