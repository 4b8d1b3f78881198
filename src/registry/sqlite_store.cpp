// The SQLite store. Schema (user_version 1):
//   instances(service, id, data)  -- data: the instance JSON as the API shows it
//   meta(key, value)              -- key 'index': the registry index
// WAL journal with synchronous=FULL: a change is on disk when apply() returns.
#include <sqlite3.h>

#include <boost/json/serialize.hpp>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "core/log.h"
#include "registry/store.h"

namespace trellis::registry {

namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("registry store: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("registry store: ") + sqlite3_errmsg(db_));
  }
  // Runs a statement that returns no rows, and readies it for the next use.
  void run() {
    int rc = sqlite3_step(stmt_);
    std::string error = rc == SQLITE_DONE ? std::string{} : sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE) throw std::runtime_error("registry store: " + error);
  }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string{};
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& data_dir) {
    std::string path = ":memory:";
    if (!data_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(data_dir, ec);
      if (ec)
        throw std::runtime_error("registry store: cannot create data directory '" + data_dir +
                                 "': " + ec.message());
      path = (std::filesystem::path(data_dir) / "registry.db").string();
    }
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw std::runtime_error("registry store: cannot open '" + path + "': " + msg);
    }
    try {
      exec("PRAGMA busy_timeout = 5000");
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = FULL");
      exec(
          "CREATE TABLE IF NOT EXISTS instances ("
          " service TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,"
          " PRIMARY KEY (service, id)) WITHOUT ROWID");
      exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      exec("PRAGMA user_version = 1");
      upsert_ = std::make_unique<Statement>(
          db_,
          "INSERT INTO instances (service, id, data) VALUES (?1, ?2, ?3)"
          " ON CONFLICT (service, id) DO UPDATE SET data = excluded.data");
      delete_ =
          std::make_unique<Statement>(db_, "DELETE FROM instances WHERE service = ?1 AND id = ?2");
      set_index_ = std::make_unique<Statement>(
          db_,
          "INSERT INTO meta (key, value) VALUES ('index', ?1)"
          " ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)");
    } catch (const std::runtime_error& e) {
      upsert_.reset();
      delete_.reset();
      set_index_.reset();
      sqlite3_close(db_);
      throw std::runtime_error(std::string(e.what()) + " (" + path + ")");
    }
  }

  ~SqliteStore() override {
    upsert_.reset();
    delete_.reset();
    set_index_.reset();
    sqlite3_close(db_);
  }

  StoredState load() override {
    StoredState out;
    {
      Statement q(db_, "SELECT value FROM meta WHERE key = 'index'");
      if (q.step()) out.index = static_cast<std::uint64_t>(q.integer(0));
    }
    Statement q(db_, "SELECT service, id, data FROM instances ORDER BY service, id");
    while (q.step()) {
      std::string service = q.text(0), id = q.text(1);
      try {
        out.instances.push_back(instance_from_json(service, id, q.text(2)));
      } catch (const std::exception& e) {
        core::log(core::LogLevel::warn, "skipping unreadable stored instance",
                  {{"service", service}, {"id", id}, {"error", e.what()}});
      }
    }
    return out;
  }

  void apply(const std::vector<RowSync>& rows, std::uint64_t index) override {
    exec("BEGIN IMMEDIATE");
    try {
      for (const RowSync& row : rows) {
        if (row.instance) {
          upsert_->bind(1, row.key.service);
          upsert_->bind(2, row.key.id);
          upsert_->bind(3, boost::json::serialize(to_json(*row.instance)));
          upsert_->run();
        } else {
          delete_->bind(1, row.key.service);
          delete_->bind(2, row.key.id);
          delete_->run();
        }
      }
      set_index_->bind(1, static_cast<std::int64_t>(index));
      set_index_->run();
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

 private:
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw std::runtime_error("registry store: " + msg);
    }
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> upsert_, delete_, set_index_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& data_dir) {
  return std::make_unique<SqliteStore>(data_dir);
}

}  // namespace trellis::registry
