package syncer_test

import (
	"context"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/syncer"
)

// The range most tests sync: ten days that ended before testNow, a weekend and the month's
// holiday week included.
const (
	rangeFrom = "2026-11-09"
	rangeTo   = "2026-11-18"
)

func TestRun_cleanSyncMirrorsTheCompany(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			o := envOptions{}
			if engine == "postgres" {
				o.dsn = postgresDSN(t)
			}
			e := newEnv(t, o)
			sum := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
			assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)

			if sum.Run.Status != kaoqin.RunOK || sum.Run.ChunksSkipped != 0 || sum.Run.ChunksDone != sum.ChunksTotal {
				t.Errorf("run %+v, chunks total %d", sum.Run, sum.ChunksTotal)
			}
			// The books agree with the simulator: every metered call counted, none missed.
			c := e.sim.Counters()
			if got, want := sum.Run.Metered, c.Total().Metered; got != want {
				t.Errorf("metered calls: books %d, simulator %d", got, want)
			}
			if got, want := sum.Run.CallsBy[syncer.PathResults], c[syncer.PathResults].Calls; got != want {
				t.Errorf("%s calls: books %d, simulator %d", syncer.PathResults, got, want)
			}
			l, err := e.db.Ledger(context.Background(), "2026-11")
			must(t, err)
			if l.Metered != sum.Run.Metered || l.Calls != sum.Run.Calls {
				t.Errorf("ledger %+v, run %+v", l, sum.Run)
			}

			// Again: every chunk is closed and checkpointed, so nothing metered is called
			// and nothing changes.
			before := e.sim.Counters().Total().Metered
			again := e.sync(syncer.Request{From: rangeFrom, To: rangeTo})
			if again.Run.Metered != 0 || e.sim.Counters().Total().Metered != before {
				t.Errorf("a rerun of closed days made %d metered calls", again.Run.Metered)
			}
			if again.CheckRows != 0 || again.LeaveRows != 0 || again.Run.ChunksSkipped != again.ChunksTotal {
				t.Errorf("rerun: %+v", again)
			}
			assertMirrors(t, e.sim, e.db, rangeFrom, rangeTo, true)
		})
	}
}
