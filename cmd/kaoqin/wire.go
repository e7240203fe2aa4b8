package main

import (
	"log/slog"
	"os"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// logger returns the structured logger every command writes to stderr.
func (g *Globals) logger() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(g.LogLevel)) // kong's enum has checked it
	w := g.stderr
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// dingtalkClient builds the DingTalk client from the settings. hook, if not nil, sees every
// call (the syncer keeps the books with it); extra options come last. The secret goes into the
// client and nowhere else.
func (g *Globals) dingtalkClient(hook func(dingtalk.CallInfo), extra ...dingtalk.Option) (*dingtalk.Client, error) {
	if g.AppKey == "" || g.AppSecret == "" {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "DingTalk credentials missing: set KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET (or try kaoqin demo, which needs none)")
	}
	if g.QPS <= 0 {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_DINGTALK_QPS must be above 0, got %v", g.QPS)
	}
	loc, err := g.Location()
	if err != nil {
		return nil, err
	}
	opts := []dingtalk.Option{
		dingtalk.WithBaseURL(g.BaseURL),
		dingtalk.WithQPS(g.QPS),
		dingtalk.WithLocation(loc),
		dingtalk.WithLogger(g.logger()),
	}
	if hook != nil {
		opts = append(opts, dingtalk.WithCallHook(hook))
	}
	opts = append(opts, extra...)
	c, err := dingtalk.NewClient(g.AppKey, g.AppSecret, opts...)
	if err != nil {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "DingTalk client: %v (check KAOQIN_DINGTALK_BASE_URL)", err)
	}
	return c, nil
}
