// Package benchkit is what the programs under bench/ share: a fresh database, the DingTalk
// simulator on loopback with a client and a syncer, the lower bound of a pull's calls, memory
// and time measured for real (runtime metrics and /proc), and a load generator for the
// dashboard.
package benchkit

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// Result is what Measure measured of one function.
type Result struct {
	Name string
	// Time is the median wall time of the timed runs, Best the shortest.
	Time, Best time.Duration
	// CPU is the median CPU time (user and system, all threads) of the timed runs: on a machine
	// other work shares, wall time says how long the run waited, CPU time how much it cost.
	CPU time.Duration
	// Alloc is the bytes allocated by one run.
	Alloc uint64
	// Live is the peak of the live heap above what was live before, with the collector running
	// all the time (GOGC=5): what the function really holds.
	Live uint64
	// Heap is the peak of the heap (live objects and garbage not yet collected) during a run at
	// the collector's default pace: what the process's heap rises to.
	Heap uint64
	// RSS is the process's peak resident memory during that run (VmHWM of /proc/self/status,
	// reset before the run); 0 where /proc cannot say.
	RSS uint64
}

// Measure runs f runs times for its time, once more at the default GOGC for its peak heap and
// RSS, and once at GOGC=5 for its peak live heap.
func Measure(name string, runs int, f func()) Result {
	r := Result{Name: name}
	var times, cpus []time.Duration
	for range runs {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu := cpuTime()
		start := time.Now()
		f()
		times = append(times, time.Since(start))
		cpus = append(cpus, cpuTime()-cpu)
		runtime.ReadMemStats(&after)
		r.Alloc = after.TotalAlloc - before.TotalAlloc
	}
	slices.Sort(times)
	slices.Sort(cpus)
	r.Time, r.Best, r.CPU = times[len(times)/2], times[0], cpus[len(cpus)/2]

	// The heap as it rises at the default pace, and the RSS it costs.
	debug.FreeOSMemory()
	resetPeakRSS()
	r.Heap = peak("/memory/classes/heap/objects:bytes", f, false)
	r.RSS = peakRSS()

	// The live heap as the collector marks it: garbage does not count, so this is what f
	// holds, even when what it writes is much larger than what it keeps.
	old := debug.SetGCPercent(5)
	runtime.GC()
	base := read("/gc/heap/live:bytes")
	top := peak("/gc/heap/live:bytes", f, true)
	debug.SetGCPercent(old)
	if top > base {
		r.Live = top - base
	}
	return r
}

// peak runs f while sampling the metric every millisecond and returns its highest value.
// With gcAfter a collection ends the run, so that a peak reached just before it is marked.
func peak(metric string, f func(), gcAfter bool) uint64 {
	var top atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			top.Store(max(top.Load(), read(metric)))
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	if gcAfter {
		runtime.GC()
	}
	close(done)
	<-sampled
	return max(top.Load(), read(metric))
}

func read(metric string) uint64 {
	s := []metrics.Sample{{Name: metric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// cpuTime is the CPU time this process has used so far (user and system, all threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux 4.0 and later).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads the peak RSS of this process since the last reset.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSpace(bytes.TrimSuffix(v, []byte("kB")))), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// Header is the header of Print's lines.
func Header() string {
	return fmt.Sprintf("%-52s %10s %10s %10s %10s %10s %10s %10s", "measure", "median", "best", "CPU", "live peak", "heap peak", "RSS peak", "allocated")
}

func (r Result) String() string {
	return fmt.Sprintf("%-52s %10s %10s %10s %10s %10s %10s %10s", r.Name, r.Time.Round(time.Millisecond), r.Best.Round(time.Millisecond),
		r.CPU.Round(time.Millisecond), MB(r.Live), MB(r.Heap), MB(r.RSS), MB(r.Alloc))
}

// MB writes a byte count in megabytes.
func MB(n uint64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
