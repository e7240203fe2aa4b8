//go:build tools

// Package tools pins the libraries named in design.md while the packages that use them are
// being written, so that "go mod tidy" keeps them. Delete once every one is imported for real.
package tools

import (
	_ "github.com/alexedwards/scs/v2"
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-co-op/gocron/v2"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/xuri/excelize/v2"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
