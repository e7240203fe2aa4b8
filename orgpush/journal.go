package orgpush

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// Journal is the record of pushes: one JSON object a line, appended as each step starts and
// ends, so that an operator can audit what a push did and a later push can say what an
// interrupted one did. Lines are written straight to the file (no buffer): a push killed
// at any point leaves every line it wrote. Mobile numbers appear masked, as everywhere.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	run  string
	now  func() time.Time
}

// Entry is one line of the journal.
type Entry struct {
	Time  time.Time `json:"time"`
	Run   string    `json:"run"`   // which push
	Event string    `json:"event"` // start, step or end

	// start
	File          string `json:"file,omitempty"`
	Planned       int    `json:"planned,omitempty"` // steps in the plan
	DeleteMissing bool   `json:"delete_missing,omitempty"`
	AllowRecreate bool   `json:"allow_recreate,omitempty"`

	// step
	N          int      `json:"n,omitempty"`
	Op         Op       `json:"op,omitempty"`
	Text       string   `json:"text,omitempty"`
	Status     string   `json:"status,omitempty"` // step: started, ok, failed, skipped, interrupted; end: done, failed, interrupted
	Errcode    int      `json:"errcode,omitempty"`
	Message    string   `json:"message,omitempty"`
	DingTalkID int64    `json:"dingtalk_id,omitempty"` // the department created
	Adopted    bool     `json:"adopted,omitempty"`     // the create found its department or person already there
	Kinds      []string `json:"kinds,omitempty"`       // what the step counts as in a summary

	// end
	Counts map[string]int `json:"counts,omitempty"`
}

// Step statuses in the journal.
const (
	statusStarted     = "started"
	statusOK          = "ok"
	statusFailed      = "failed"
	statusSkipped     = "skipped"
	statusInterrupted = "interrupted"
	statusDone        = "done"
)

// OpenJournal opens (creating it if needed) the journal at path for a new push.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the journal (choose another with --journal): %w", err)
	}
	var b [3]byte
	rand.Read(b[:])
	return &Journal{f: f, path: path, now: time.Now, run: fmt.Sprintf("%s-%x", time.Now().Format("20060102T150405"), b)}, nil
}

// Path returns where the journal is.
func (j *Journal) Path() string { return j.path }

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }

func (j *Journal) write(e Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Time, e.Run = j.now(), j.run
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write the journal %s: %w", j.path, err)
	}
	return nil
}

// start records the beginning of a push.
func (j *Journal) start(p *Plan) error {
	return j.write(Entry{Event: "start", File: p.File, Planned: len(p.Steps), DeleteMissing: p.Options.DeleteMissing, AllowRecreate: p.Options.AllowRecreate})
}

// Attempt is one push as the journal tells it.
type Attempt struct {
	Run      string
	Started  time.Time
	File     string
	Planned  int
	Status   string         // done, failed, interrupted (also when the journal just stops)
	Counts   map[string]int // what its successful steps did, by kind
	Done     int            // steps that succeeded
	Failed   []Entry        // steps that failed
	InFlight []Entry        // steps under way when it stopped: their answer was lost
}

// ReadJournal reads the pushes recorded at path, oldest first. A journal that does not exist
// holds none. A line cut short by a kill is ignored.
func ReadJournal(path string) ([]*Attempt, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the journal: %w", err)
	}
	defer f.Close()
	var out []*Attempt
	byRun := map[string]*Attempt{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Run == "" {
			continue
		}
		a := byRun[e.Run]
		if a == nil {
			a = &Attempt{Run: e.Run, Started: e.Time, Status: statusInterrupted, Counts: map[string]int{}}
			byRun[e.Run] = a
			out = append(out, a)
		}
		switch e.Event {
		case "start":
			a.File, a.Planned = e.File, e.Planned
		case "step":
			switch e.Status {
			case statusStarted:
				a.InFlight = append(a.InFlight, e)
			case statusOK:
				a.Done++
				for _, k := range e.Kinds {
					a.Counts[k]++
				}
			case statusFailed:
				a.Failed = append(a.Failed, e)
			}
			// A step stopped by an interrupt stays under way: DingTalk may have done it.
			if e.Status != statusStarted && e.Status != statusInterrupted {
				a.InFlight = deleteStep(a.InFlight, e.N)
			}
		case "end":
			a.Status = e.Status
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read the journal: %w", err)
	}
	return out, nil
}

func deleteStep(es []Entry, n int) []Entry {
	out := es[:0]
	for _, e := range es {
		if e.N != n {
			out = append(out, e)
		}
	}
	return out
}

// Unfinished returns the pushes since the last one that ran to its end: the attempts a new
// push resumes.
func Unfinished(attempts []*Attempt) []*Attempt {
	var out []*Attempt
	for _, a := range attempts {
		if a.Status == statusInterrupted {
			out = append(out, a)
		} else {
			out = nil
		}
	}
	return out
}

// nouns are the plurals of the kinds' nouns.
var nouns = map[string]string{"department": "departments", "person": "people", "manager": "managers"}

// countsText writes counts by kind in the summary's order: "2 departments created, 1 person
// removed".
func countsText(counts map[string]int) string {
	var parts []string
	for _, k := range kindOrder {
		if n := counts[k]; n > 0 {
			noun, verb, _ := strings.Cut(k, " ")
			noun = plural(n, noun, nouns[noun])
			parts = append(parts, noun+" "+verb)
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}
