package store_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
)

func tryLock(t *testing.T, db *store.DB, name string, want bool) func() {
	t.Helper()
	unlock, ok, err := db.TryLock(context.Background(), name)
	must(t, err)
	if ok != want {
		t.Fatalf("TryLock(%q) = %v, want %v", name, ok, want)
	}
	return unlock
}

func TestTryLock(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		a, b := mustOpen(t, dsn), mustOpen(t, dsn) // two instances on one database
		unlock := tryLock(t, a, "scheduler", true)
		tryLock(t, a, "scheduler", false)
		tryLock(t, b, "scheduler", false)
		unlockOther := tryLock(t, b, "reminders", true) // another name is another lock
		unlock()
		unlock() // unlocking twice is harmless
		unlockB := tryLock(t, b, "scheduler", true)
		tryLock(t, a, "scheduler", false)
		unlockB()
		unlockOther()

		// Closing a DB releases what it holds.
		tryLock(t, b, "scheduler", true)
		must(t, b.Close())
		tryLock(t, a, "scheduler", true)

		_, _, err := a.TryLock(context.Background(), "../etc/passwd")
		wantCode(t, err, kaoqin.EINVALID)
	})
}

func TestTryLock_Memory(t *testing.T) {
	db := mustOpen(t, ":memory:")
	unlock := tryLock(t, db, "scheduler", true)
	tryLock(t, db, "scheduler", false)
	unlock()
	tryLock(t, db, "scheduler", true)
}

func wantHeld(t *testing.T, db *store.DB, name string, want bool) {
	t.Helper()
	held, err := db.Held(context.Background(), name)
	must(t, err)
	if held != want {
		t.Fatalf("Held(%q) = %v, want %v", name, held, want)
	}
}

// TestHeld: a lock is held from TryLock to unlock; on PostgreSQL, a lock whose connection died
// (the server restarted, the network cut it) is not held any more, and can be taken again.
func TestHeld(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		a, b := mustOpen(t, dsn), mustOpen(t, dsn)
		wantHeld(t, a, "scheduler", false)
		unlock := tryLock(t, a, "scheduler", true)
		wantHeld(t, a, "scheduler", true)
		wantHeld(t, b, "scheduler", false) // b does not hold it
		unlock()
		wantHeld(t, a, "scheduler", false)
		if !strings.HasPrefix(dsn, "postgres") {
			return
		}
		tryLock(t, a, "scheduler", true)
		// The server ends the session that holds the lock: the lock goes with it. The timeout
		// makes pg_terminate_backend wait for the session to be gone: without it, it only signals
		// the backend, and the lock may still be held when b asks.
		admin, err := sql.Open("pgx", dsn)
		must(t, err)
		defer admin.Close()
		var n int
		must(t, admin.QueryRow(`SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_locks WHERE locktype = 'advisory'
			AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('kaoqin:lock:' || current_schema() || ':scheduler', 0)`).Scan(&n))
		if n != 1 {
			t.Fatalf("terminated %d sessions holding the lock, want 1", n)
		}
		tryLock(t, b, "scheduler", true)
		wantHeld(t, a, "scheduler", false)
		wantHeld(t, b, "scheduler", true)
	})
}

// TestTryLock_ProcessDies checks that the lock of an instance that dies without unlocking is
// released: a child process takes it and is killed.
func TestTryLock_ProcessDies(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn) // migrated before the child opens it
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
		cmd.Env = append(os.Environ(), "KAOQIN_LOCK_HELPER_DSN="+dsn)
		stdin, err := cmd.StdinPipe()
		must(t, err)
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		defer stdin.Close()
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "locked\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper said %q, %v", line, err)
		}
		tryLock(t, db, "scheduler", false)
		must(t, cmd.Process.Kill())
		cmd.Wait()
		// The kernel releases a file lock at once; PostgreSQL notices the dead connection
		// shortly after.
		deadline := time.Now().Add(30 * time.Second)
		for {
			unlock, ok, err := db.TryLock(context.Background(), "scheduler")
			must(t, err)
			if ok {
				unlock()
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the lock of a killed process was never released")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestLockHelperProcess is the child of TestTryLock_ProcessDies: it takes the lock, says so,
// and waits to be killed.
func TestLockHelperProcess(t *testing.T) {
	dsn := os.Getenv("KAOQIN_LOCK_HELPER_DSN")
	if dsn == "" {
		t.Skip("helper process of TestTryLock_ProcessDies")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	_, ok, err := db.TryLock(context.Background(), "scheduler")
	if err != nil || !ok {
		fmt.Println("refused:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n') // until killed
	os.Exit(0)
}
