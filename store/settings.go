package store

import (
	"context"
	"database/sql"

	"github.com/kaoqin/kaoqin"
)

// Settings returns every setting the dashboard saved, by key; an empty map when none.
func (db *DB) Settings(ctx context.Context) (settings map[string]string, err error) {
	defer wrap(&err, "settings")
	type kv struct{ key, value string }
	rows, err := queryAll(ctx, db.reader(), func(rows *sql.Rows, x *kv) error {
		return rows.Scan(&x.key, &x.value)
	}, "SELECT key, value FROM settings ORDER BY key")
	if err != nil {
		return nil, err
	}
	settings = make(map[string]string, len(rows))
	for _, x := range rows {
		settings[x.key] = x.value
	}
	return settings, nil
}

// SaveSetting sets key to value.
func (db *DB) SaveSetting(ctx context.Context, key, value string) (err error) {
	defer wrap(&err, "save setting")
	if key == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "A setting needs a key.")
	}
	_, err = db.writer().exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, db.nowMs())
	return err
}
