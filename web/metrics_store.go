package web

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaoqin/kaoqin"
)

// storeCollector reads, at each scrape, what the database says for every instance at once:
// the month's metered calls against the quota, and when the last sync that went well began.
// Several instances report the same values (take the max over them).
type storeCollector struct {
	s                    *Server
	metered, quota, last *prometheus.Desc
}

func newStoreCollector(s *Server) *storeCollector {
	return &storeCollector{s: s,
		metered: prometheus.NewDesc("kaoqin_quota_metered_calls",
			"Metered DingTalk calls spent this calendar month, by every kaoqin on the database (its ledger).", nil, nil),
		quota: prometheus.NewDesc("kaoqin_quota_monthly_calls",
			"The month's budget of metered calls (KAOQIN_DINGTALK_MONTHLY_QUOTA); absent when it is off.", nil, nil),
		last: prometheus.NewDesc("kaoqin_last_sync_ok_timestamp_seconds",
			"When the last sync that finished well began (unix time), from the database.", nil, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.metered
	ch <- c.quota
	ch <- c.last
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.s.quota > 0 { // off (KAOQIN_DINGTALK_MONTHLY_QUOTA=off): no budget, so no series to divide by
		ch <- prometheus.MustNewConstMetric(c.quota, prometheus.GaugeValue, float64(c.s.quota))
	}
	ledger, err := c.s.store.Ledger(ctx, c.s.now().In(c.s.loc).Format("2006-01"))
	if err != nil {
		c.s.log.Warn("metrics: read the ledger", "err", err)
	} else {
		ch <- prometheus.MustNewConstMetric(c.metered, prometheus.GaugeValue, float64(ledger.Metered))
	}
	runs, err := c.s.store.Runs(ctx, 100)
	if err != nil {
		c.s.log.Warn("metrics: read the sync runs", "err", err)
		return
	}
	for _, r := range runs {
		if r.Status == kaoqin.RunOK {
			ch <- prometheus.MustNewConstMetric(c.last, prometheus.GaugeValue, float64(r.StartedAt)/1000)
			return
		}
	}
}

// watchStore adds the database's figures to the server's metrics (once per registry: servers
// sharing their metrics report them once).
func (s *Server) watchStore() error {
	err := s.metrics.reg.Register(newStoreCollector(s))
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		return nil
	}
	return err
}
