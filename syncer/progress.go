package syncer

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
)

// Progress is where a running sync stands, for a progress line or a log line.
type Progress struct {
	Phase         string        `json:"phase"`  // "org", "attendance" or "done"
	Window        string        `json:"window"` // the days of the chunk finished last, e.g. "2026-11-01..2026-11-07"
	ChunksDone    int64         `json:"chunks_done"`
	ChunksSkipped int64         `json:"chunks_skipped"` // done by an earlier run (checkpoints)
	ChunksTotal   int64         `json:"chunks_total"`
	Calls         int64         `json:"calls"`
	Metered       int64         `json:"metered"`
	Rows          int64         `json:"rows"`
	Elapsed       time.Duration `json:"elapsed_ns"`
	ETA           time.Duration `json:"eta_ns"` // time left, estimated; 0 when unknown
}

// saveEvery is how often a running sync saves its figures in its run record.
const saveEvery = 2 * time.Second

// tracker keeps the record and the figures of one run, saves them as the run goes, and tells
// the Progress callback.
type tracker struct {
	s       *Syncer
	base    Figures   // the books when the run started
	started time.Time // real time, for durations

	mu        sync.Mutex
	run       kaoqin.SyncRun
	phaseName string
	window    string
	total     int64
	fetched   int64 // chunks fetched by this run
	pullStart time.Time

	pmu     sync.Mutex // one Progress call at a time
	stop    chan struct{}
	stopped chan struct{}
}

func (s *Syncer) newTracker(_ context.Context, kind, from, to string) *tracker {
	return &tracker{
		s: s, base: s.books.Figures(), started: time.Now(),
		run: kaoqin.SyncRun{
			Kind: kind, From: from, To: to, StartedAt: s.now().UnixMilli(), Status: kaoqin.RunRunning,
			CallsBy: map[string]int64{},
		},
	}
}

// create inserts the run record and starts saving it every few seconds.
func (t *tracker) create(ctx context.Context) error {
	if err := t.s.store.CreateRun(ctx, &t.run); err != nil {
		return err
	}
	t.stop, t.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(t.stopped)
		tick := time.NewTicker(saveEvery)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tick.C:
				t.save(context.WithoutCancel(ctx))
				t.emit()
			}
		}
	}()
	return nil
}

// finish records how the run ended.
func (t *tracker) finish(err error) {
	if t.stop != nil {
		close(t.stop)
		<-t.stopped
	}
	t.mu.Lock()
	t.run.FinishedAt = t.s.now().UnixMilli()
	switch {
	case err == nil:
		t.run.Status = kaoqin.RunOK
	case errors.Is(err, context.Canceled):
		t.run.Status, t.run.Error = kaoqin.RunInterrupted, "interrupted"
	default:
		t.run.Status, t.run.Error = kaoqin.RunFailed, errorText(err)
	}
	t.phaseName = "done"
	t.mu.Unlock()
	t.save(context.Background())
	t.emit()
}

// errorText is what a run record says of its error: the user's message of a kaoqin.Error,
// the whole text of any other.
func errorText(err error) string {
	var e *kaoqin.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// snapshot returns the run record with its current figures.
func (t *tracker) snapshot() kaoqin.SyncRun {
	f := t.s.books.Figures().Sub(t.base)
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.run
	r.Calls, r.Metered, r.Throttled, r.Retried, r.CallsBy = f.Calls, f.Metered, f.Throttled, f.Retried, f.CallsBy
	return r
}

func (t *tracker) save(ctx context.Context) {
	r := t.snapshot()
	if r.ID == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := t.s.store.UpdateRun(ctx, &r); err != nil {
		t.s.log.Warn("syncer: cannot save the run's figures", "run", r.ID, "err", err)
	}
}

func (t *tracker) phase(name, window string) {
	t.mu.Lock()
	t.phaseName, t.window = name, window
	if name == "attendance" && t.pullStart.IsZero() {
		t.pullStart = time.Now()
	}
	t.mu.Unlock()
	t.emit()
}

func (t *tracker) addRows(n int64) {
	t.mu.Lock()
	t.run.Rows += n
	t.mu.Unlock()
}

// planned sets the chunks of the run: total, of which skipped were done by earlier runs.
func (t *tracker) planned(total, skipped int64) {
	t.mu.Lock()
	t.total, t.run.ChunksSkipped = total, skipped
	t.mu.Unlock()
}

// chunkDone counts one chunk fetched and saved.
func (t *tracker) chunkDone(window string, rows int64) {
	t.mu.Lock()
	t.run.ChunksDone++
	t.fetched++
	t.run.Rows += rows
	t.window = window
	t.mu.Unlock()
	t.emit()
}

// emit tells the Progress callback where the run stands.
func (t *tracker) emit() {
	if t.s.progress == nil {
		return
	}
	f := t.s.books.Figures().Sub(t.base)
	t.mu.Lock()
	p := Progress{
		Phase: t.phaseName, Window: t.window, ChunksDone: t.run.ChunksDone, ChunksSkipped: t.run.ChunksSkipped,
		ChunksTotal: t.total, Calls: f.Calls, Metered: f.Metered, Rows: t.run.Rows, Elapsed: time.Since(t.started),
	}
	if left := t.total - t.run.ChunksDone - t.run.ChunksSkipped; t.fetched > 0 && left > 0 && !t.pullStart.IsZero() {
		p.ETA = time.Duration(float64(time.Since(t.pullStart)) / float64(t.fetched) * float64(left))
	}
	t.mu.Unlock()
	t.pmu.Lock()
	defer t.pmu.Unlock()
	t.s.progress(p)
}
