package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file holds every difference between SQLite and PostgreSQL that the entity files would
// otherwise have to know about: placeholders, lists of values, bulk upserts, booleans and error
// codes. Everything else (ON CONFLICT ... DO UPDATE, RETURNING, row values) both engines spell
// the same way, so the entity files keep one SQL string per statement.
//
// Entity SQL uses "?" placeholders; on PostgreSQL they are rewritten to $1, $2, ....

// dialect is one engine's way of saying things.
type dialect struct {
	pg bool
}

// Column types of bulk statements, as PostgreSQL names them. SQLite stores booleans as 0/1.
const (
	tBigint  = "bigint"
	tText    = "text"
	tBoolean = "boolean"
)

func (d dialect) gooseDialect() goose.Dialect {
	if d.pg {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

var rebound sync.Map // query -> query with $n placeholders

// rebind rewrites "?" placeholders as $1, $2, ... for PostgreSQL. Entity SQL never has a "?"
// inside a string literal.
func (d dialect) rebind(q string) string {
	if !d.pg || !strings.Contains(q, "?") {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	r := b.String()
	// Entity SQL is a small, fixed set of texts (filters combine a few conditions), so the
	// cache stays small.
	rebound.Store(q, r)
	return r
}

// in returns a subquery yielding the values of one list parameter of type typ, for
// "col IN "+d.in(tText) with the argument d.list(values). The number of values is not limited
// by the engines' caps on placeholders: SQLite gets the list as one JSON array, PostgreSQL as
// one array parameter.
func (d dialect) in(typ string) string {
	if d.pg {
		return "(SELECT unnest(?::" + typ + "[]))"
	}
	return "(SELECT value FROM json_each(?))"
}

// list encodes a []string or []int64 as the argument of d.in.
func (d dialect) list(values any) any {
	if d.pg {
		switch v := values.(type) { // a nil slice would be a NULL array
		case []string:
			if v == nil {
				return []string{}
			}
		case []int64:
			if v == nil {
				return []int64{}
			}
		}
		return values
	}
	switch v := values.(type) {
	case []string:
		if v == nil {
			v = []string{} // json_each('null') would yield one row, a NULL
		}
		b, _ := json.Marshal(v)
		return string(b)
	case []int64:
		if v == nil {
			v = []int64{}
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	panic(fmt.Sprintf("store: dialect.list of %T", values))
}

// rowsIn returns a subquery yielding the rows of one composite-key list, for
// "(a, b) NOT IN "+d.rowsIn(cols), with the arguments d.rowsArgs(cols, rows).
func (d dialect) rowsIn(cols []column) string {
	var b strings.Builder
	if d.pg {
		b.WriteString("(SELECT * FROM unnest(")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("?::" + c.typ + "[]")
		}
		b.WriteString("))")
		return b.String()
	}
	b.WriteString("(SELECT ")
	for i := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "value->>%d", i)
	}
	b.WriteString(" FROM json_each(?))")
	return b.String()
}

func (d dialect) rowsArgs(cols []column, rows [][]any) []any {
	if d.pg {
		return pgArrays(cols, rows)
	}
	if rows == nil {
		rows = [][]any{}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		panic(fmt.Sprintf("store: dialect.rowsArgs: %v", err))
	}
	return []any{string(b)}
}

// column is one column a bulk statement writes, with its PostgreSQL type.
type column struct {
	name, typ string
}

// table describes a bulk insert or upsert.
type table struct {
	name string
	cols []column
	// key is the ON CONFLICT target; nil for a plain insert.
	key []string
	// set is the DO UPDATE clause; "" sets every other column from excluded, and only where
	// one of them differs, so that saving the same rows twice writes nothing.
	set string
}

func (t table) colNames() string {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func (t table) onConflict() string {
	if len(t.key) == 0 {
		return ""
	}
	set := t.set
	if set == "" {
		var assign, old, new []string
		for _, c := range t.cols {
			if contains(t.key, c.name) {
				continue
			}
			assign = append(assign, c.name+" = excluded."+c.name)
			old = append(old, t.name+"."+c.name)
			new = append(new, "excluded."+c.name)
		}
		if len(assign) == 0 {
			return " ON CONFLICT (" + strings.Join(t.key, ", ") + ") DO NOTHING"
		}
		set = "SET " + strings.Join(assign, ", ") +
			" WHERE (" + strings.Join(old, ", ") + ") <> (" + strings.Join(new, ", ") + ")"
	}
	return " ON CONFLICT (" + strings.Join(t.key, ", ") + ") DO UPDATE " + set
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// upsert writes rows (values in t.cols order, int64 / string / bool) in as few statements as
// the engine allows and returns how many rows were inserted or changed. Rows must not repeat a
// key: PostgreSQL refuses to update one row twice in a statement.
//
// PostgreSQL gets one INSERT ... SELECT FROM unnest(arrays), a single round trip whatever the
// number of rows. SQLite runs in process, so round trips cost nothing there, but compiling a
// statement does: it gets statements of sqliteChunk rows, then single rows, both prepared once
// when the DB is opened (see prepareBulk).
func (d dialect) upsert(ctx context.Context, c conn, t table, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	if d.pg {
		res, err := c.exec(ctx, t.pgInsert(), pgArrays(t.cols, rows)...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	var total int64
	args := make([]any, 0, sqliteChunk*len(t.cols))
	for start := 0; start < len(rows); {
		per := sqliteChunk
		if len(rows)-start < sqliteChunk {
			per = 1
		}
		args = args[:0]
		for _, r := range rows[start : start+per] {
			args = append(args, r...)
		}
		res, err := c.execPrepared(ctx, t.sqliteInsert(per), args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		start += per
	}
	return total, nil
}

// sqliteChunk is the rows of one multi-row INSERT on SQLite: past a hundred or so rows a
// statement gets no faster. It keeps the widest table well under SQLite's cap of 32,766
// placeholders.
const sqliteChunk = 100

// bulkTables are the tables written by upsert, whose statements prepareBulk prepares.
var bulkTables = []table{
	checksTable, punchesTable, schedulesTable, leavesTable, coverageTable,
	departmentsTable, employeesTable, membershipsTable,
}

// pgInsert is t's upsert on PostgreSQL: every row in one statement, as one array per column.
func (t table) pgInsert() string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + t.colNames() + ") SELECT * FROM unnest(")
	for i, col := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("?::" + col.typ + "[]")
	}
	b.WriteString(")" + t.onConflict())
	return b.String()
}

// sqliteInsert is t's upsert of n rows on SQLite, as multi-row VALUES.
func (t table) sqliteInsert(n int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	return "INSERT INTO " + t.name + " (" + t.colNames() + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + t.onConflict()
}

// prepareBulk prepares the SQLite statements of upsert on the writer connection. It must run
// outside any transaction: the writer is a single connection, which a transaction holds.
func prepareBulk(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	stmts := map[string]*sql.Stmt{}
	for _, t := range bulkTables {
		for _, n := range []int{1, sqliteChunk} {
			q := t.sqliteInsert(n)
			st, err := db.PrepareContext(ctx, q)
			if err != nil {
				closeStmts(stmts)
				return nil, fmt.Errorf("prepare %s: %w", t.name, err)
			}
			stmts[q] = st
		}
	}
	return stmts, nil
}

func closeStmts(stmts map[string]*sql.Stmt) {
	for _, st := range stmts {
		st.Close()
	}
}

// pgArrays turns rows into one typed array per column, the arguments of unnest.
func pgArrays(cols []column, rows [][]any) []any {
	out := make([]any, len(cols))
	for j, c := range cols {
		switch c.typ {
		case tBigint:
			a := make([]int64, len(rows))
			for i, r := range rows {
				a[i] = r[j].(int64)
			}
			out[j] = a
		case tText:
			a := make([]string, len(rows))
			for i, r := range rows {
				a[i] = r[j].(string)
			}
			out[j] = a
		case tBoolean:
			a := make([]bool, len(rows))
			for i, r := range rows {
				a[i] = r[j].(bool)
			}
			out[j] = a
		default:
			panic("store: no array type for " + c.typ)
		}
	}
	return out
}

// lockTx serialises transactions that read, decide and then write (SaveOrg) between processes
// sharing a PostgreSQL database. On SQLite the single writer connection already does.
func (d dialect) lockTx(ctx context.Context, c conn, name string) error {
	if !d.pg {
		return nil
	}
	_, err := c.exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('kaoqin:' || current_schema() || ':' || ?, 0))", name)
	return err
}

// isUniqueViolation reports whether err is a uniqueness constraint failing.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isRetryable reports whether PostgreSQL aborted a transaction that would succeed if run
// again: a deadlock between concurrent batches or a serialization failure.
func isRetryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs entity SQL on a database, transaction or connection in the engine's dialect.
type conn struct {
	q querier
	d dialect
	// tx and stmts, in a SQLite write transaction: the statements prepareBulk prepared, which
	// the transaction runs without compiling them again.
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// execPrepared runs query as prepared by prepareBulk if it was, and as text otherwise.
func (c conn) execPrepared(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmts[query]; st != nil && c.tx != nil {
		return c.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return c.exec(ctx, query, args...)
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.d.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.d.rebind(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.d.rebind(query), args...)
}

// upsert is c.d.upsert on c.
func (c conn) upsert(ctx context.Context, t table, rows [][]any) (int64, error) {
	return c.d.upsert(ctx, c, t, rows)
}

// execN runs a statement and returns the rows it affected.
func (c conn) execN(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// queryMany is queryAll for reads of many rows: SELECT cols FROM from ORDER BY order, and at
// most limit rows if limit > 0 (see collect for how the rows are gathered).
func queryMany[T any](ctx context.Context, c conn, scan func(*sql.Rows, *T) error, cols, from, order string, limit int, args ...any) ([]T, error) {
	size, order, err := c.manySize(ctx, from, order, limit, args)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(ctx, "SELECT "+cols+" FROM "+from+" ORDER BY "+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, err := collect(size, func(t *T) (bool, error) {
		if !rows.Next() {
			return false, nil
		}
		return true, scan(rows, t)
	})
	if err != nil {
		return nil, err
	}
	return out, rows.Err()
}

// readMany is queryMany for the reports' reads of a whole day or month of a large company,
// on a connection of the readers: the driver hands each row's values straight to convert,
// without database/sql's locks and conversions, which cost a quarter of such a read.
func readMany[T any](ctx context.Context, db *DB, convert func(*values, *T) error, cols, from, order string, args ...any) ([]T, error) {
	c := db.reader()
	size, order, err := c.manySize(ctx, from, order, 0, args)
	if err != nil {
		return nil, err
	}
	sc, err := db.ro.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	var out []T
	query := c.d.rebind("SELECT " + cols + " FROM " + from + " ORDER BY " + order)
	err = sc.Raw(func(dc any) error {
		if pc, ok := dc.(*stdlib.Conn); ok {
			out, err = readPostgres(ctx, pc.Conn(), size, convert, query, args)
			return err
		}
		rows, err := rawQuery(ctx, dc, query, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		v := newValues(cols)
		out, err = collect(size, func(t *T) (bool, error) {
			switch err := rows.Next(v.v); err {
			case nil:
				v.next = 0
				return true, convert(v, t)
			case io.EOF:
				return false, nil
			default:
				return false, err
			}
		})
		return err
	})
	return out, err
}

// readPostgres is readMany on PostgreSQL, through pgx itself: each row's values as they came
// over the wire (binary integers, text as bytes), which values decodes without a string or an
// interface allocated per value. pgx's database/sql driver would allocate both, and the
// garbage they make cost more than the read.
func readPostgres[T any](ctx context.Context, pc *pgx.Conn, size int, convert func(*values, *T) error, query string, args []any) ([]T, error) {
	rows, err := pc.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	v := &values{}
	for _, f := range rows.FieldDescriptions() {
		v.wire = append(v.wire, wireType{oid: f.DataTypeOID, binary: f.Format == pgx.BinaryFormatCode})
	}
	out, err := collect(size, func(t *T) (bool, error) {
		if !rows.Next() {
			return false, nil
		}
		v.raw, v.next = rows.RawValues(), 0
		return true, convert(v, t)
	})
	if err != nil {
		return nil, err
	}
	return out, rows.Err()
}

// rawQuery runs query with args on dc, a driver's connection, converting the arguments the way
// database/sql does: through the connection's own checker, or the default converter.
func rawQuery(ctx context.Context, dc any, query string, args []any) (driver.Rows, error) {
	named := make([]driver.NamedValue, len(args))
	checker, _ := dc.(driver.NamedValueChecker)
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		err := driver.ErrSkip
		if checker != nil {
			err = checker.CheckNamedValue(&named[i])
		}
		if err == driver.ErrSkip {
			named[i].Value, err = driver.DefaultParameterConverter.ConvertValue(a)
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
	}
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return nil, fmt.Errorf("store: the %T driver cannot query", dc)
	}
	return q.QueryContext(ctx, query, named)
}

// manySize returns how many rows queryMany and readMany make room for at first, and order
// with the limit. The checks of a day of 100,000 people are 40 MB, which a slice grown row by
// row would copy again and again: SQLite counts the rows first (counting an index range costs
// it a fraction of the read); PostgreSQL, where counting costs a quarter of the read, starts
// small (collect). A row added or removed between the count and the read only makes the count
// a poor guess.
func (c conn) manySize(ctx context.Context, from, order string, limit int, args []any) (int, string, error) {
	switch {
	case limit > 0:
		return limit, order + " LIMIT " + strconv.Itoa(limit), nil
	case c.d.pg:
		return 256, order, nil
	}
	var n int
	err := c.queryRow(ctx, "SELECT count(*) FROM "+from, args...).Scan(&n)
	return n, order, err
}

// collect gathers the rows next reads (until it returns false) into blocks, the first of size
// rows and the next ones of growing size, and copies them once into one slice at the end if
// there was more than one.
func collect[T any](size int, next func(*T) (bool, error)) ([]T, error) {
	var full [][]T // the blocks filled before block
	n, block := 0, make([]T, 0, size)
	var row, zero T // (row is read, then appended: a block is not grown for the end of the rows)
	for {
		row = zero
		ok, err := next(&row)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if len(block) == cap(block) {
			if len(block) > 0 {
				full, n = append(full, block), n+len(block)
			}
			block = make([]T, 0, min(max(2*cap(block), 256), 1<<16))
		}
		block = append(block, row)
	}
	if full == nil {
		return block, nil
	}
	out := make([]T, 0, n+len(block))
	for _, b := range full {
		out = append(out, b...)
	}
	return append(out, block...), nil
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, c conn, scan func(*sql.Rows, *T) error, query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// values are a row's columns as the driver hands them over (readMany), converted by hand, one
// column after the other: database/sql would set each integer through reflection and copy each
// text into sql.RawBytes, and a day of 100,000 people is millions of values. A column of a type
// it does not expect fails the row (err, which the caller returns once it has converted it).
type values struct {
	v    []driver.Value
	next int
	err  error
	// On PostgreSQL (readPostgres), the row as it came over the wire instead: raw[i] is nil for
	// NULL, and wire[i] says how column i is encoded.
	raw  [][]byte
	wire []wireType
}

// wireType is how PostgreSQL sends a column: its type, in binary or as text.
type wireType struct {
	oid    uint32
	binary bool
}

// newValues makes the values of the columns cols lists (comma separated).
func newValues(cols string) *values {
	return &values{v: make([]driver.Value, strings.Count(cols, ",")+1)}
}

// column returns the next column as the driver handed it over.
func (r *values) column() any {
	r.next++
	return r.v[r.next-1]
}

// int converts the next column, an integer: both drivers hand over int64 (PostgreSQL's a
// boolean as bool).
func (r *values) int() int64 {
	if r.raw != nil {
		return r.wireInt()
	}
	c := r.column()
	switch x := c.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case bool:
		if x {
			return 1
		}
		return 0
	case nil:
		return 0
	}
	r.fail("an integer", c)
	return 0
}

// wireInt is int on PostgreSQL's wire: integers of each size and booleans, in binary or as
// text. (Decoded here, not handed over as an any: boxing each would allocate.)
func (r *values) wireInt() int64 {
	r.next++
	b, w := r.raw[r.next-1], r.wire[r.next-1]
	switch {
	case b == nil:
		return 0
	case w.oid == pgtype.BoolOID && w.binary && len(b) == 1:
		return int64(b[0])
	case w.oid == pgtype.BoolOID && !w.binary:
		if string(b) == "t" {
			return 1
		}
		return 0
	case (w.oid == pgtype.Int8OID || w.oid == pgtype.Int4OID || w.oid == pgtype.Int2OID) && w.binary:
		switch len(b) {
		case 8:
			return int64(binary.BigEndian.Uint64(b))
		case 4:
			return int64(int32(binary.BigEndian.Uint32(b)))
		case 2:
			return int64(int16(binary.BigEndian.Uint16(b)))
		}
	case w.oid == pgtype.Int8OID || w.oid == pgtype.Int4OID || w.oid == pgtype.Int2OID:
		if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return n
		}
	}
	r.fail("an integer", w)
	return 0
}

// wireText returns the next column on PostgreSQL's wire, a text (nil for NULL), or fails.
func (r *values) wireText(want string) []byte {
	r.next++
	b, w := r.raw[r.next-1], r.wire[r.next-1]
	if b != nil && w.oid != pgtype.TextOID && w.oid != pgtype.VarcharOID && w.oid != pgtype.UnknownOID {
		r.fail(want, w)
		return nil
	}
	return b
}

// bool converts the next column, a boolean (SQLite keeps 0 or 1).
func (r *values) bool() bool { return r.int() != 0 }

// text converts the next column, a text, into one string per distinct value with in.
func (r *values) text(in interner) string {
	if r.raw != nil {
		return in.getBytes(r.wireText("text"))
	}
	c := r.column()
	switch x := c.(type) {
	case string:
		return in.get(x)
	case []byte:
		return in.getBytes(x)
	case nil:
		return ""
	}
	r.fail("text", c)
	return ""
}

// day converts the next column, a work date, unless the rows are of one day: dayColumns left
// the column out.
func (r *values) day(day string, in interner) string {
	if day != "" {
		return day
	}
	return r.text(in)
}

// user converts the next column, a userid the rows are sorted by, into one string per run.
func (r *values) user(users *run) string {
	if r.raw != nil {
		return users.getBytes(r.wireText("a userid"))
	}
	c := r.column()
	switch x := c.(type) {
	case string:
		return users.get(x)
	case []byte:
		return users.getBytes(x)
	}
	r.fail("a userid", c)
	return ""
}

func (r *values) fail(want string, got any) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: want %s, have %T", r.next, want, got)
	}
}
