package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// idExpression is the expression FerretDB v1.24's SQLite backend puts in the
// WHERE clause of every query, update and delete it pushes down: a filter
// that is exactly {_id: <string|ObjectID>} (see docs/performance.md).
// FerretDB's own unique index is on `_ferretdb_sjson->"_id"`, a different
// expression that SQLite's planner does not match, so without an index on
// this exact expression each of those statements scans the whole table.
const idExpression = `_ferretdb_sjson->'$._id'`

// idIndexSuffix names the expression indexes this package creates.
const idIndexSuffix = "_mercato_id"

// idIndexInterval is how often the indexer looks for new collections.
const idIndexInterval = 200 * time.Millisecond

// idIndexer keeps an expression index on idExpression on every collection
// table of every database FerretDB stores in dir. FerretDB creates tables
// lazily and does not know these indexes, so the indexer polls FerretDB's
// metadata table of each database file and indexes the tables that lack
// one. It opens its own short-lived SQLite connection per file and pass,
// next to FerretDB's; SQLite's WAL mode and busy timeout let both write,
// and a database dropped meanwhile is never re-created (mode=rw).
type idIndexer struct {
	dir    string
	logger *slog.Logger
	mu     sync.Mutex // one pass at a time
}

func newIDIndexer(dir string, logger *slog.Logger) *idIndexer {
	return &idIndexer{dir: dir, logger: logger}
}

// run indexes new collections every idIndexInterval until ctx ends.
func (x *idIndexer) run(ctx context.Context) {
	t := time.NewTicker(idIndexInterval)
	defer t.Stop()
	for {
		if err := x.pass(ctx); err != nil && ctx.Err() == nil {
			x.logger.Warn("embedded store: _id index pass failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass indexes every collection table that exists now and lacks the
// index. It is safe to call concurrently with run.
func (x *idIndexer) pass(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	files, err := filepath.Glob(filepath.Join(x.dir, "*.sqlite"))
	if err != nil {
		return fmt.Errorf("list database files: %w", err)
	}
	var errs []error
	for _, file := range files {
		if err := indexFile(ctx, file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(file), err))
		}
	}
	return errors.Join(errs...)
}

func indexFile(ctx context.Context, file string) error {
	if _, err := os.Stat(file); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tables, err := unindexedTables(ctx, db)
	if err != nil {
		return err
	}
	for _, table := range tables {
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+idIndexSuffix, table, idExpression)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index %s: %w", table, err)
		}
	}
	return nil
}

// unindexedTables lists the tables of FerretDB's collections in db that
// have no _id expression index yet; a database file whose metadata table
// does not exist yet has none.
func unindexedTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM "_ferretdb_collections" c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil
		}
		return nil, fmt.Errorf("read collections: %w", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read collections: %w", err)
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// PlansByID returns SQLite's query plans, read on a fresh connection, of
// the three statements FerretDB runs for a collection addressed by a lone
// _id: its SELECT, its UPDATE and its DELETE (the same SQL FerretDB v1.24
// builds, see idExpression). Each plan is "SEARCH … USING INDEX …" once the
// collection has its expression index. Only the SQLite backend has plans;
// on PostgreSQL it returns an error.
//
// Plans are read here rather than through FerretDB's explain command
// because a connection that FerretDB opened before an index existed keeps
// answering EXPLAIN QUERY PLAN from its cached schema, while its real
// statements re-read the schema and use the index.
func (m *Mongo) PlansByID(ctx context.Context, database, collection string) ([]string, error) {
	if m.indexer == nil {
		return nil, errors.New("plans by _id: only the SQLite backend has them")
	}
	file := filepath.Join(m.indexer.dir, database+".sqlite")
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("plans by _id: %w", err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM "_ferretdb_collections" WHERE name = ?`, collection).Scan(&table); err != nil {
		return nil, fmt.Errorf("plans by _id: collection %s.%s: %w", database, collection, err)
	}
	statements := []string{
		fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, idExpression),
		fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE %s = ?`, table, idExpression),
		fmt.Sprintf(`DELETE FROM %q WHERE %s IN (?)`, table, idExpression),
	}
	plans := make([]string, 0, len(statements))
	for _, stmt := range statements {
		plan, err := queryPlan(ctx, db, stmt)
		if err != nil {
			return nil, fmt.Errorf("plans by _id: %w", err)
		}
		plans = append(plans, plan)
	}
	return plans, nil
}

func queryPlan(ctx context.Context, db *sql.DB, stmt string) (string, error) {
	n := strings.Count(stmt, "?")
	args := make([]any, n)
	for i := range args {
		args[i] = `"x"`
	}
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+stmt, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			return "", err
		}
		details = append(details, detail)
	}
	return strings.Join(details, "; "), rows.Err()
}
