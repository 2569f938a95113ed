package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"haochaping/upward"
)

// `haochaping upward status` counts the records; `upward resend` refuses an id that is not a
// refused record, and a word that is not an id.
func TestUpwardCommand(t *testing.T) {
	t.Parallel()
	c, _ := newCLI(t, true)
	out, err := c.run("upward", "status")
	if err != nil || !strings.Contains(out, "pending 0 (failing 0)  acknowledged 0  refused 0") {
		t.Fatalf("upward status: %v\n%s", err, out)
	}
	if out, err := c.run("upward", "resend", "12345"); err == nil || !strings.Contains(out, "is not refused") {
		t.Fatalf("resend of no record: %v\n%s", err, out)
	}
	if out, err := c.run("upward", "resend", "twelve"); err == nil || !strings.Contains(out, "not a record id") {
		t.Fatalf("resend of a word: %v\n%s", err, out)
	}
	if out, err := c.run("upward", "resend", "--refused"); err != nil || !strings.Contains(out, "0 refused records") {
		t.Fatalf("resend --refused: %v\n%s", err, out)
	}
}

// `haochaping upward simulate` serves the provincial platform simulator on its own: it refuses
// to start outside demo mode; in demo mode it answers messages, goes down on its control route
// and comes back, and stops on SIGTERM.
func TestUpwardSimulateCommand(t *testing.T) {
	t.Parallel()
	plain, _ := newCLI(t, false)
	plain.env = append(plain.env, "HAOCHAPING_UPWARD_PROFILE=shandong")
	if out, err := plain.run("upward", "simulate"); err == nil || !strings.Contains(out, "demo mode only") {
		t.Fatalf("outside demo mode: %v\n%s", err, out)
	}
	c, _ := newCLI(t, true)
	c.env = append(c.env, "HAOCHAPING_UPWARD_PROFILE=shandong")
	addr := c.addr() // a free port: the simulator's, this test runs no server
	cmd := exec.Command(c.bin, "upward", "simulate", "--listen", addr, "--refuse", "0")
	cmd.Env = c.env
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	base := "http://" + addr
	status := func() upward.SimulatorStatus {
		t.Helper()
		var st upward.SimulatorStatus
		deadline := time.Now().Add(20 * time.Second)
		for {
			res, err := http.Get(base + "/_sim/status")
			if err == nil {
				defer res.Body.Close()
				if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
					t.Fatal(err)
				}
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("the simulator did not start: %v\n%s", err, errOut.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if st := status(); st.Services != 0 || st.Evaluations != 0 || st.DownUntil != nil {
		t.Fatalf("a new simulator: %+v", st)
	}
	postTo := func(path, body string) int {
		t.Helper()
		res, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := postTo("/", `{"txnBodyCom":{"appMark":"x","time":"20261126100000","sign":"00","params":"AA=="},"txnCommCom":{}}`); code != 400 {
		t.Errorf("a message without C-Tenancy-Id: %d, want 400", code)
	}
	if code := postTo("/_sim/down?for=30m", ""); code != 200 || status().DownUntil == nil {
		t.Fatalf("down: %d", code)
	}
	if code := postTo("/", "{}"); code != 503 {
		t.Errorf("a message while down: %d, want 503", code)
	}
	if code := postTo("/_sim/down?for=soon", ""); code != 400 {
		t.Errorf("a bad duration: %d, want 400", code)
	}
	if code := postTo("/_sim/up", ""); code != 200 || status().DownUntil != nil {
		t.Fatalf("up: %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v\n%s", err, errOut.String())
	}
}
