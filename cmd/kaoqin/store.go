package main

import (
	"context"

	"github.com/kaoqin/kaoqin/store"
)

// openStore opens the database KAOQIN_DB names (spec/cli.md) and migrates it. Its errors are
// one line for the user (a *kaoqin.Error: EINVALID for an unknown scheme or a bad path,
// ENOTFOUND with store.MustExist when there is no database yet, EUNAVAILABLE when it cannot be
// reached) and never show a PostgreSQL password. Commands that only read pass
// store.MustExist(), so that a mistyped KAOQIN_DB leaves no empty database behind. An upgrade
// of the schema is logged: it can take minutes on a large database.
func (g *Globals) openStore(ctx context.Context, opts ...store.Option) (*store.DB, error) {
	return store.Open(ctx, g.DB, append([]store.Option{store.WithLogger(g.logger())}, opts...)...)
}
