/*
 * FILE: benchmarks/sqlite/app.c
 * DESCRIPTION:
 *   Library `app` (the default compartment) of the SQLite benchmark: the
 *   driver of an SQLite (library `sqlite`: sqlite3.c unmodified, memvfs.c,
 *   export.c) that runs in a compartment of its own under pku.yaml and in
 *   the application's under none.yaml.  The source holds no flexos_gate:
 *   the build turns each call into library sqlite into a gate.
 *   What crosses: SQL text, out-parameters (sqlite3 **, sqlite3_stmt **)
 *   and copied-out text live in one flexos_share global (shared memory
 *   under pku.yaml); SQLite's handles are kept as opaque values and
 *   only handed back to SQLite; results come back as integers
 *   (sqlite3_column_int64) or are copied into the shared block by SQLite's
 *   side (export.c).  The application never reads SQLite's memory, and a
 *   gate that returns a pointer into it stops the program.
 *   Every call into SQLite is written SQ(...), which counts it: each is one
 *   gate crossing (a call and its return) when SQLite is isolated, none
 *   otherwise; host.c counts the crossings the other way.
 * USAGE:
 *   sqlite-bench selftest              SQL checks; "sqlite: selftest ok"
 *   sqlite-bench file PATH             the same checks on an on-file
 *                                      database at PATH, which is then
 *                                      opened again and must hold them
 *   sqlite-bench bench [ROWS [ROUNDS [exec|txn|prepared]]]
 *       ROWS INSERTs (default 5000) into a fresh :memory: table, timed
 *       with rdtsc, after one untimed warm-up round, ROUNDS times
 *       (default 5); then SELECT count(*), sum(a) checks the table.
 *         exec      one sqlite3_exec per INSERT, each its own transaction
 *                   (default; 1 gate crossing per INSERT)
 *         txn       the same inside one BEGIN ... COMMIT
 *         prepared  one prepared INSERT, bind + step + reset per row, in
 *                   one transaction (4 crossings per INSERT)
 *   sqlite-bench attack-handle   the application dereferences SQLite's
 *                                connection handle (SQLite's heap): a
 *                                protection-key fault under pku.yaml
 *   sqlite-bench attack-text     the application asks for
 *                                sqlite3_column_text's pointer: the gate
 *                                refuses to return it under pku.yaml
 *   Exit status: 0 ok, 1 a check failed, 2 usage; under pku.yaml the
 *   attacks end with 3 (FLEXOS_EXIT_FAULT) and 4 (FLEXOS_EXIT_UNTRUSTED).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "export.h"
#include "host.h"
#include "sqlite3.h"

/* Calls into library sqlite (app -> sqlite gate crossings when isolated). */
static unsigned long crossings;
#define SQ(call) (crossings++, (call))

/* Everything SQLite reads or writes for the application. */
struct shared_io {
  sqlite3 *db_out;        /* sqlite3_open_v2's out-parameter */
  sqlite3_stmt *stmt_out; /* sqlite3_prepare_v2's out-parameter */
  char sql[1024];         /* SQL text and bound strings SQLite reads */
  char text[512];         /* text SQLite's side copies out (export.c) */
};
/* A flexos_share global: key 15 under pku.yaml, where both sides reach
 * it; a plain global under none.yaml (whose hosted runtime sets up no
 * shared heap, so flexos_malloc_shared would return NULL there). */
static struct shared_io shared_block __attribute__((flexos_share));
static struct shared_io *const io = &shared_block;

/* SQLite's handles: opaque values the application only hands back. */
static sqlite3 *db;
static sqlite3_stmt *stmts[4];

/* Puts SQL text where SQLite can read it; NULL when it does not fit. */
static const char *shared_sql(const char *sql) {
  size_t n = strlen(sql);
  if (n >= sizeof io->sql) {
    printf("sqlite: SQL text of %zu bytes does not fit the shared buffer (%zu)\n",
           n, sizeof io->sql);
    return NULL;
  }
  memcpy(io->sql, sql, n + 1);
  return io->sql;
}

/* Prints SQLite's error message (copied out by SQLite's side). */
static int report(const char *what, int rc) {
  SQ(sqlite_copy_errmsg(db, io->text, (int)sizeof io->text));
  io->text[sizeof io->text - 1] = 0;
  printf("sqlite: %s failed: %s (SQLite code %d)\n", what, io->text, rc);
  return 1;
}

/* The main database: ":memory:", or a file (mode "file"). */
static const char *db_name = ":memory:";

static int db_open(void) {
  if (!shared_sql(db_name))
    return 1;
  io->db_out = NULL;
  int rc = SQ(sqlite3_open_v2(io->sql, &io->db_out,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL));
  db = io->db_out;
  if (rc != SQLITE_OK) {
    if (!db) {
      printf("sqlite: sqlite3_open_v2(\"%s\") failed with code %d "
             "and no handle (out of memory?)\n", db_name, rc);
      return 1;
    }
    return report("sqlite3_open_v2", rc);
  }
  return 0;
}

static int db_close(void) {
  int rc = SQ(sqlite3_close(db));
  if (rc != SQLITE_OK)
    return report("sqlite3_close", rc);
  db = NULL;
  return 0;
}

/* sqlite3_exec without a callback; returns SQLite's code (reported). */
static int exec_rc(const char *sql, int quiet) {
  if (!shared_sql(sql))
    return SQLITE_TOOBIG;
  int rc = SQ(sqlite3_exec(db, io->sql, NULL, NULL, NULL));
  if (rc != SQLITE_OK && !quiet) {
    report("sqlite3_exec", rc);
    printf("sqlite:   SQL: %s\n", sql);
  }
  return rc;
}

static int exec(const char *sql) { return exec_rc(sql, 0) == SQLITE_OK ? 0 : 1; }

/* Prepares sql into stmts[slot]; 0 ok. */
static int prepare(int slot, const char *sql) {
  if (!shared_sql(sql))
    return 1;
  io->stmt_out = NULL;
  int rc = SQ(sqlite3_prepare_v2(db, io->sql, -1, &io->stmt_out, NULL));
  stmts[slot] = io->stmt_out;
  if (rc != SQLITE_OK || !stmts[slot]) {
    report("sqlite3_prepare_v2", rc);
    printf("sqlite:   SQL: %s\n", sql);
    return 1;
  }
  return 0;
}

static void finalize(int slot) {
  SQ(sqlite3_finalize(stmts[slot]));
  stmts[slot] = NULL;
}

/* Runs a query that returns exactly one row of n integers. */
static int query_ints(const char *sql, sqlite3_int64 *out, int n) {
  if (prepare(0, sql))
    return 1;
  int rc = SQ(sqlite3_step(stmts[0]));
  if (rc != SQLITE_ROW) {
    report("sqlite3_step (one row expected)", rc);
    printf("sqlite:   SQL: %s\n", sql);
    finalize(0);
    return 1;
  }
  for (int i = 0; i < n; i++)
    out[i] = SQ(sqlite3_column_int64(stmts[0], i));
  rc = SQ(sqlite3_step(stmts[0]));
  finalize(0);
  if (rc != SQLITE_DONE) {
    printf("sqlite: more than one row (code %d) from: %s\n", rc, sql);
    return 1;
  }
  return 0;
}

static sqlite3_int64 query_int(const char *sql) {
  sqlite3_int64 v = INT64_MIN;
  if (query_ints(sql, &v, 1))
    return INT64_MIN;
  return v;
}

/* Runs a query that returns one text value; copies it into out. */
static int query_text(const char *sql, char *out, size_t cap) {
  out[0] = 0;
  if (prepare(0, sql))
    return 1;
  int rc = SQ(sqlite3_step(stmts[0]));
  if (rc == SQLITE_ROW)
    SQ(sqlite_copy_text(stmts[0], 0, io->text, (int)sizeof io->text));
  finalize(0);
  if (rc != SQLITE_ROW) {
    printf("sqlite: no row (code %d) from: %s\n", rc, sql);
    return 1;
  }
  io->text[sizeof io->text - 1] = 0;
  snprintf(out, cap, "%s", io->text);
  return 0;
}

/* ---- selftest ---- */

static int checks;
#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    checks++;                                                                \
    if (!(cond)) {                                                           \
      printf("sqlite: selftest FAILED (check %d, app.c:%d): ", checks,       \
             __LINE__);                                                      \
      printf(__VA_ARGS__);                                                   \
      printf("\n");                                                          \
      return 1;                                                              \
    }                                                                        \
  } while (0)

#define EMPLOYEES 100

/* The model the SQL results are checked against. */
struct emp {
  int dept, salary, alive;
};
static struct emp model[EMPLOYEES];

static int selftest(void) {
  char text[256];
  sqlite3_int64 v[4];

  if (db_open())
    return 1;
  CHECK(SQ(sqlite3_libversion_number()) >= 3000000, "SQLite 3 expected");

  /* create, insert */
  CHECK(!exec("CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
              "CREATE TABLE emp(id INTEGER PRIMARY KEY, "
              "  dept INTEGER NOT NULL REFERENCES dept(id), "
              "  name TEXT NOT NULL, salary INTEGER NOT NULL);"
              "INSERT INTO dept(id, name) VALUES (1, 'engineering'), "
              "  (2, 'sales'), (3, 'legal');"),
        "create tables");
  if (prepare(1, "INSERT INTO emp(dept, name, salary) VALUES (?1, ?2, ?3)"))
    return 1;
  for (int i = 0; i < EMPLOYEES; i++) {
    model[i] = (struct emp){1 + i % 2, 1000 + 10 * i, 1};
    snprintf(io->sql, sizeof io->sql, "emp-%03d", i); /* read by SQLite */
    int rc = SQ(sqlite3_bind_int(stmts[1], 1, model[i].dept));
    if (rc == SQLITE_OK)
      rc = SQ(sqlite3_bind_text(stmts[1], 2, io->sql, -1, SQLITE_TRANSIENT));
    if (rc == SQLITE_OK)
      rc = SQ(sqlite3_bind_int64(stmts[1], 3, model[i].salary));
    CHECK(rc == SQLITE_OK, "bind row %d: code %d", i, rc);
    rc = SQ(sqlite3_step(stmts[1]));
    CHECK(rc == SQLITE_DONE, "insert row %d: code %d", i, rc);
    SQ(sqlite3_reset(stmts[1]));
  }
  finalize(1);
  CHECK(SQ(sqlite3_last_insert_rowid(db)) == EMPLOYEES, "last rowid");

  /* select with aggregates */
  long long n = 0, sum = 0, lo = INT64_MAX, hi = 0;
  for (int i = 0; i < EMPLOYEES; i++) {
    n++, sum += model[i].salary;
    lo = model[i].salary < lo ? model[i].salary : lo;
    hi = model[i].salary > hi ? model[i].salary : hi;
  }
  CHECK(!query_ints("SELECT count(*), sum(salary), min(salary), max(salary) FROM emp", v, 4),
        "aggregates");
  CHECK(v[0] == n && v[1] == sum && v[2] == lo && v[3] == hi,
        "aggregates: got %lld %lld %lld %lld, expected %lld %lld %lld %lld",
        (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3], n, sum, lo, hi);
  CHECK(query_int("SELECT CAST(round(avg(salary) * 100) AS INTEGER) FROM emp") == sum * 100 / n,
        "avg");

  /* update, delete */
  CHECK(!exec("UPDATE emp SET salary = salary + 100 WHERE dept = 2"), "update");
  int changed = 0;
  for (int i = 0; i < EMPLOYEES; i++)
    if (model[i].dept == 2)
      model[i].salary += 100, changed++;
  CHECK(SQ(sqlite3_changes(db)) == changed, "update changed %d rows", changed);
  CHECK(!exec("DELETE FROM emp WHERE salary < 1200"), "delete");
  int deleted = 0;
  for (int i = 0; i < EMPLOYEES; i++)
    if (model[i].salary < 1200)
      model[i].alive = 0, deleted++;
  CHECK(SQ(sqlite3_changes(db)) == deleted, "delete changed %d rows", deleted);

  /* join, group by: one row per department, names copied out by SQLite */
  static const char *const names[] = {"engineering", "sales", "legal"};
  if (prepare(2, "SELECT d.name, count(e.id), coalesce(sum(e.salary), 0) "
                 "FROM dept d LEFT JOIN emp e ON e.dept = d.id "
                 "GROUP BY d.id ORDER BY d.id"))
    return 1;
  /* SQLite's numbers are kept and compared after the loop, so that no
   * value of SQLite's decides when the loop ends. */
  long long got[3][2];
  for (int d = 1; d <= 4; d++) {
    int rc = SQ(sqlite3_step(stmts[2]));
    if (d == 4) {
      CHECK(rc == SQLITE_DONE, "join: a fourth row (code %d)", rc);
      break;
    }
    CHECK(rc == SQLITE_ROW, "join: row %d missing (code %d)", d, rc);
    SQ(sqlite_copy_text(stmts[2], 0, io->text, (int)sizeof io->text));
    io->text[sizeof io->text - 1] = 0;
    CHECK(!strcmp(io->text, names[d - 1]), "join row %d: name '%s'", d, io->text);
    got[d - 1][0] = SQ(sqlite3_column_int64(stmts[2], 1));
    got[d - 1][1] = SQ(sqlite3_column_int64(stmts[2], 2));
  }
  for (int d = 1; d <= 3; d++) {
    long long cnt = 0, s = 0;
    for (int i = 0; i < EMPLOYEES; i++)
      if (model[i].alive && model[i].dept == d)
        cnt++, s += model[i].salary;
    CHECK(got[d - 1][0] == cnt && got[d - 1][1] == s,
          "join row %d: count %lld, sum %lld; expected %lld, %lld", d, got[d - 1][0],
          got[d - 1][1], cnt, s);
  }
  finalize(2);

  /* an index, and the planner using it */
  CHECK(!exec("CREATE INDEX emp_salary ON emp(salary)"), "create index");
  /* EXPLAIN QUERY PLAN's rows: id, parent, notused, detail. */
  if (prepare(3, "EXPLAIN QUERY PLAN SELECT name FROM emp WHERE salary BETWEEN 1500 AND 1600"))
    return 1;
  CHECK(SQ(sqlite3_step(stmts[3])) == SQLITE_ROW, "query plan row");
  SQ(sqlite_copy_text(stmts[3], 3, io->text, (int)sizeof io->text));
  io->text[sizeof io->text - 1] = 0;
  finalize(3);
  CHECK(strstr(io->text, "INDEX emp_salary") != NULL, "plan does not use the index: '%s'",
        io->text);
  long long in_range = 0;
  for (int i = 0; i < EMPLOYEES; i++)
    if (model[i].alive && model[i].salary >= 1500 && model[i].salary <= 1600)
      in_range++;
  CHECK(query_int("SELECT count(*) FROM emp WHERE salary BETWEEN 1500 AND 1600") == in_range,
        "indexed range count");

  /* constraint violation: the error comes back as a code and a message */
  int rc = exec_rc("INSERT INTO dept(name) VALUES ('sales')", 1);
  CHECK(rc == SQLITE_CONSTRAINT, "duplicate name: code %d", rc);
  SQ(sqlite_copy_errmsg(db, io->text, (int)sizeof io->text));
  io->text[sizeof io->text - 1] = 0;
  CHECK(strstr(io->text, "UNIQUE constraint failed") != NULL, "error message '%s'", io->text);

  /* transaction rollback, and a savepoint rolled back */
  long long alive = 0;
  for (int i = 0; i < EMPLOYEES; i++)
    alive += model[i].alive;
  CHECK(!exec("BEGIN; DELETE FROM emp; UPDATE dept SET name = upper(name);"), "begin");
  CHECK(query_int("SELECT count(*) FROM emp") == 0, "delete inside transaction");
  CHECK(!exec("ROLLBACK"), "rollback");
  CHECK(query_int("SELECT count(*) FROM emp") == alive, "rows back after rollback");
  CHECK(!query_text("SELECT name FROM dept WHERE id = 1", text, sizeof text) &&
            !strcmp(text, "engineering"),
        "name after rollback: '%s'", text);
  CHECK(!exec("SAVEPOINT a; INSERT INTO emp(dept, name, salary) VALUES (3, 'x', 1);"
              "ROLLBACK TO a; RELEASE a;"),
        "savepoint");
  CHECK(query_int("SELECT count(*) FROM emp WHERE dept = 3") == 0, "savepoint rolled back");

  /* text and number functions */
  CHECK(!query_text("SELECT upper(name) || ':' || length(name) FROM dept WHERE id = 2", text,
                    sizeof text) && !strcmp(text, "SALES:5"),
        "text functions: '%s'", text);
  CHECK(!query_text("SELECT printf('%05d|%.2f', 42, 3.14159)", text, sizeof text) &&
            !strcmp(text, "00042|3.14"),
        "printf: '%s'", text);

  /* a recursive CTE, a sort, a temporary table (SQLITE_TEMP_STORE=3) */
  CHECK(!query_ints("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                    "WHERE x < 10000) SELECT count(*), sum(x) FROM c", v, 2) &&
            v[0] == 10000 && v[1] == 50005000,
        "recursive CTE");
  CHECK(!exec("CREATE TEMP TABLE sq AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
              "SELECT x + 1 FROM c WHERE x < 2000) SELECT x, (x * 7919) % 2003 AS k FROM c"),
        "temp table");
  CHECK(!query_text("SELECT group_concat(x) FROM (SELECT x FROM sq ORDER BY k DESC, x LIMIT 3)",
                    text, sizeof text),
        "sort");
  CHECK(strchr(text, ',') != NULL, "sort result '%s'", text);

  /* the VFS: randomness (this compartment), the time (a gate to app) */
  unsigned long host_before = sqlite_host_calls();
  CHECK(!query_ints("SELECT length(randomblob(16)), julianday('now') > 2451545.0, "
                    "CAST(strftime('%Y', 'now') AS INTEGER)", v, 3) &&
            v[0] == 16 && v[1] == 1 && v[2] >= 2024,
        "randomblob, time: %lld %lld %lld", (long long)v[0], (long long)v[1], (long long)v[2]);
#ifndef SQLITE_BENCH_UNIX_VFS
  CHECK(sqlite_host_calls() > host_before, "xCurrentTime did not reach the application");
#else
  (void)host_before; /* SQLite's own unix VFS asks its compartment's libc */
#endif

  /* a database file on the VFS's RAM disk: it outlives DETACH */
  CHECK(!exec("ATTACH DATABASE 'ramdisk.db' AS disk;"
              "CREATE TABLE disk.kv(k INTEGER PRIMARY KEY, v TEXT);"
              "INSERT INTO disk.kv SELECT x, 'v' || x FROM temp.sq WHERE x <= 500;"
              "DETACH DATABASE disk;"
              "ATTACH DATABASE 'ramdisk.db' AS disk;"),
        "attach a RAM-disk file");
  CHECK(!query_ints("SELECT count(*), sum(k) FROM disk.kv", v, 2) && v[0] == 500 &&
            v[1] == 125250,
        "RAM-disk file after re-attach");
  CHECK(!exec("DETACH DATABASE disk"), "detach");

  if (db_close())
    return 1;
  printf("sqlite: selftest: %d checks passed; in all %lu calls app->sqlite, "
         "%lu calls sqlite->app\n", checks, crossings, sqlite_host_calls());
  printf("sqlite: selftest ok\n");
  return 0;
}

/* ---- bench ---- */

enum bench_kind { BENCH_EXEC, BENCH_TXN, BENCH_PREPARED };

static unsigned long long ticks(void) {
  _mm_lfence();
  unsigned long long t = __rdtsc();
  _mm_lfence();
  return t;
}

static int cmp_ull(const void *a, const void *b) {
  unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
  return (x > y) - (x < y);
}

/* One round: a fresh database, `rows` INSERTs timed, the table checked. */
static int bench_round(int rows, enum bench_kind kind, unsigned long long *cycles,
                       unsigned long *calls) {
  if (db_open() || exec("CREATE TABLE tab(a INTEGER, b TEXT)"))
    return 1;
  if (kind == BENCH_PREPARED &&
      prepare(1, "INSERT INTO tab VALUES (?1, 'row ' || ?1)"))
    return 1;
  unsigned long c0 = crossings;
  unsigned long long t0 = ticks();
  int rc = SQLITE_OK;
  if (kind != BENCH_EXEC)
    rc = exec_rc("BEGIN", 0);
  for (int i = 0; i < rows && rc == SQLITE_OK; i++) {
    if (kind == BENCH_PREPARED) {
      rc = SQ(sqlite3_bind_int(stmts[1], 1, i));
      if (rc == SQLITE_OK)
        rc = SQ(sqlite3_step(stmts[1]));
      if (rc == SQLITE_DONE)
        rc = SQ(sqlite3_reset(stmts[1]));
      if (rc == SQLITE_OK)
        rc = SQ(sqlite3_clear_bindings(stmts[1]));
    } else {
      snprintf(io->sql, sizeof io->sql, "INSERT INTO tab VALUES (%d, 'row %d')", i, i);
      rc = SQ(sqlite3_exec(db, io->sql, NULL, NULL, NULL));
    }
  }
  if (rc == SQLITE_OK && kind != BENCH_EXEC)
    rc = exec_rc("COMMIT", 0);
  unsigned long long t1 = ticks();
  *calls = crossings - c0;
  *cycles = t1 - t0;
  if (kind == BENCH_PREPARED)
    finalize(1);
  if (rc != SQLITE_OK)
    return report("INSERT", rc);
  sqlite3_int64 v[2];
  if (query_ints("SELECT count(*), sum(a) FROM tab", v, 2))
    return 1;
  long long want_sum = (long long)rows * (rows - 1) / 2;
  if (v[0] != rows || v[1] != want_sum) {
    printf("sqlite: bench FAILED: count %lld, sum %lld; expected %d, %lld\n",
           (long long)v[0], (long long)v[1], rows, want_sum);
    return 1;
  }
  return db_close();
}

static int bench(int rows, int rounds, enum bench_kind kind, const char *kind_name) {
  unsigned long long *cycles = calloc((size_t)rounds, sizeof *cycles);
  if (!cycles) {
    printf("sqlite: out of memory for %d rounds\n", rounds);
    return 1;
  }
  unsigned long calls = 0;
  unsigned long long warm;
  if (bench_round(rows, kind, &warm, &calls)) /* warm-up, not counted */
    return 1;
  printf("sqlite: warm-up: %d INSERTs (%s) in %llu cycles\n", rows, kind_name, warm);
  for (int r = 0; r < rounds; r++) {
    if (bench_round(rows, kind, &cycles[r], &calls))
      return 1;
    printf("sqlite: round %d: %d INSERTs (%s) in %llu cycles, %llu per INSERT, "
           "%lu calls app->sqlite\n",
           r + 1, rows, kind_name, cycles[r], cycles[r] / (unsigned long long)rows, calls);
  }
  qsort(cycles, (size_t)rounds, sizeof *cycles, cmp_ull);
  unsigned long long median = rounds % 2 ? cycles[rounds / 2]
                                         : (cycles[rounds / 2 - 1] + cycles[rounds / 2]) / 2;
  printf("sqlite: median: %llu cycles for %d INSERTs (%s), %d rounds\n", median, rows,
         kind_name, rounds);
  printf("sqlite: crossings: %.2f calls app->sqlite per INSERT (%lu per round of %d); "
         "in all %lu calls app->sqlite, %lu calls sqlite->app\n",
         (double)calls / rows, calls, rows, crossings, sqlite_host_calls());
  printf("sqlite: bench ok: %d rows, count %d, sum %lld\n", rows, rows,
         (long long)rows * (rows - 1) / 2);
  free(cycles);
  return 0;
}

/* ---- attacks ---- */

static int attack_handle(void) {
  if (db_open())
    return 1;
  printf("sqlite: attack: the application reads SQLite's connection object at %p "
         "(SQLite's heap)\n", (void *)db);
  fflush(stdout);
  volatile const unsigned char *p = (volatile const unsigned char *)db;
  unsigned v = p[0];
  printf("sqlite: attack NOT STOPPED: read byte %#x of SQLite's memory\n", v);
  return 1;
}

static int attack_text(void) {
  if (db_open() || prepare(0, "SELECT 'secret-' || hex(randomblob(8))"))
    return 1;
  if (SQ(sqlite3_step(stmts[0])) != SQLITE_ROW)
    return report("sqlite3_step", SQLITE_ERROR);
  printf("sqlite: attack: the application takes sqlite3_column_text's pointer "
         "(into SQLite's heap)\n");
  fflush(stdout);
  const unsigned char *p = SQ(sqlite3_column_text(stmts[0], 0));
  printf("sqlite: attack: got %p; reading it\n", (const void *)p);
  fflush(stdout);
  printf("sqlite: attack NOT STOPPED: read '%.6s' from SQLite's memory\n", (const char *)p);
  return 1;
}

/* The selftest on the database file `path`, which then opens again with
 * its tables and rows (kept by SQLite's VFS: the image libc's files). */
static int file_test(const char *path) {
  db_name = path;
  if (selftest())
    return 1;
  if (db_open())
    return 1;
  long long depts = query_int("SELECT count(*) FROM dept");
  long long emps = query_int("SELECT count(*) FROM emp");
  long long alive = 0;
  for (int i = 0; i < EMPLOYEES; i++)
    alive += model[i].alive;
  printf("sqlite: file %s reopened: %lld departments, %lld employees\n", path,
         depts, emps);
  if (db_close())
    return 1;
  if (depts != 3 || emps != alive) {
    printf("sqlite: file FAILED: expected 3 departments and %lld employees\n", alive);
    return 1;
  }
  printf("sqlite: file ok\n");
  return 0;
}

static int usage(void) {
  printf("usage: sqlite-bench selftest | file PATH | bench [ROWS [ROUNDS "
         "[exec|txn|prepared]]] | attack-handle | attack-text\n");
  return 2;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *mode = argc > 1 ? argv[1] : "selftest";
  if (!strcmp(mode, "selftest"))
    return argc > 2 ? usage() : selftest();
  if (!strcmp(mode, "file"))
    return argc != 3 ? usage() : file_test(argv[2]);
  if (!strcmp(mode, "attack-handle"))
    return attack_handle();
  if (!strcmp(mode, "attack-text"))
    return attack_text();
  if (strcmp(mode, "bench") || argc > 5)
    return usage();
  long rows = argc > 2 ? strtol(argv[2], NULL, 10) : 5000;
  long rounds = argc > 3 ? strtol(argv[3], NULL, 10) : 5;
  const char *kind = argc > 4 ? argv[4] : "exec";
  if (rows < 1 || rows > 10000000 || rounds < 1 || rounds > 1000) {
    printf("sqlite: ROWS must be 1..10000000 and ROUNDS 1..1000\n");
    return 2;
  }
  if (!strcmp(kind, "exec"))
    return bench((int)rows, (int)rounds, BENCH_EXEC, kind);
  if (!strcmp(kind, "txn"))
    return bench((int)rows, (int)rounds, BENCH_TXN, kind);
  if (!strcmp(kind, "prepared"))
    return bench((int)rows, (int)rounds, BENCH_PREPARED, kind);
  return usage();
}
