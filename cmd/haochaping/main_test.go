package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

var builtBinary string

// TestMain builds the binary once for all the tests of this package.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "haochaping-bin")
	if err != nil {
		panic(err)
	}
	builtBinary = filepath.Join(dir, "haochaping")
	if out, err := exec.Command("go", "build", "-o", builtBinary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type cli struct {
	t   *testing.T
	bin string
	env []string
}

func newCLI(t *testing.T, demo bool) (*cli, *testenv.Env) {
	env := testenv.New(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	_ = ln.Close()
	vars := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + env.Cfg.DatabaseURL, "REDIS_URL=" + env.Cfg.RedisURL,
		"HAOCHAPING_DATA_KEY=" + base64.StdEncoding.EncodeToString(env.Cfg.DataKey),
		"HAOCHAPING_ADDR=" + addr,
	}
	if demo {
		vars = append(vars, "HAOCHAPING_DEMO=1")
	}
	return &cli{t: t, bin: builtBinary, env: vars}, env
}

func (c *cli) run(args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.String() + errOut.String(), err
	}
	return out.String(), nil
}

func (c *cli) addr() string {
	for _, v := range c.env {
		if a, ok := strings.CutPrefix(v, "HAOCHAPING_ADDR="); ok {
			return a
		}
	}
	return ""
}

func TestCommands(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, true)
	out, err := c.run("seed")
	if err != nil || !strings.Contains(out, "seeded with demo") {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, err := c.run("seed"); err != nil { // idempotent
		t.Fatalf("second seed: %v\n%s", err, out)
	}
	out, err = c.run("device", "list", "--demo", "--json")
	if err != nil {
		t.Fatalf("device list: %v\n%s", err, out)
	}
	var devices []map[string]any
	if err := json.Unmarshal([]byte(out), &devices); err != nil {
		t.Fatalf("device list is not a JSON array: %v\n%s", err, out)
	}
	channels := map[string]bool{}
	for _, d := range devices {
		if d["id"] == "" || d["secret"] == "" || d["secret"] == nil {
			t.Fatalf("device without id or secret: %v", d)
		}
		channels[d["channel"].(string)] = true
	}
	for _, ch := range []string{"pc", "window", "mobile", "kiosk", "system"} {
		if !channels[ch] {
			t.Errorf("no demo device of channel %s", ch)
		}
	}
	if n := env.Count(`SELECT count(*) FROM devices`); n != len(devices) {
		t.Fatalf("listed %d demo devices, %d in the table", len(devices), n)
	}

	out, err = c.run("device", "add", "--channel", "window", "--window", apptest.CityWindow)
	if err != nil || !strings.Contains(out, "secret:") {
		t.Fatalf("device add: %v\n%s", err, out)
	}
	if out, err := c.run("device", "add", "--channel", "window"); err == nil || !strings.Contains(out, "window_required") {
		t.Fatalf("a pad without a window was registered: %v\n%s", err, out)
	}
	if out, err := c.run("device", "add", "--channel", "window", "--window", "nowhere"); err == nil {
		t.Fatalf("a pad at an unknown window was registered:\n%s", out)
	}
	if out, err := c.run("device", "disable", "demo-pc"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("device disable: %v\n%s", err, out)
	}
}

func TestDemoSecretsNeedDemoMode(t *testing.T) {
	t.Parallel()
	c, _ := newCLI(t, false)
	if out, err := c.run("seed"); err != nil || !strings.Contains(out, "without demo") {
		t.Fatalf("seed without demo: %v\n%s", err, out)
	}
	if out, err := c.run("device", "list", "--demo", "--json"); err == nil {
		t.Fatalf("demo secrets listed outside demo mode:\n%s", out)
	}
	out, err := c.run("device", "list", "--json")
	if err != nil || strings.TrimSpace(out) != "[]" {
		t.Fatalf("devices outside demo mode: %v %s", err, out)
	}
}

func TestServeStopsGracefullyOnSIGTERM(t *testing.T) {
	t.Parallel()
	c, _ := newCLI(t, true)
	if out, err := c.run("seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = c.env
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	base := "http://" + c.addr()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("still running 25 s after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Fatalf("no orderly stop in the log:\n%s", logs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("still answering after exit")
	}
}

func TestJobsCommands(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, true)
	if out, err := c.run("seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := c.run("jobs", "list")
	if err != nil {
		t.Fatalf("jobs list: %v\n%s", err, out)
	}
	for _, name := range []string{"default_evaluations", "rollups", "rectification_measures", "overdue", "ledger_status",
		"upward_report", "rankings", "praise_watch", "outbox_reconcile"} {
		if !strings.Contains(out, name) {
			t.Errorf("jobs list does not show %s:\n%s", name, out)
		}
	}
	out, err = c.run("jobs", "run", "rollups")
	if err != nil || !strings.Contains(out, "rollups: ok") {
		t.Fatalf("jobs run rollups: %v\n%s", err, out)
	}
	if n := env.Count(`SELECT count(*) FROM job_runs WHERE job = 'rollups' AND manual AND outcome = 'ok'`); n != 1 {
		t.Fatalf("recorded runs = %d", n)
	}
	out, err = c.run("jobs", "list", "--json")
	if err != nil || !strings.Contains(out, `"outcome":"ok"`) {
		t.Fatalf("jobs list --json after a run: %v\n%s", err, out)
	}
	if out, err := c.run("jobs", "run", "nonesuch"); err == nil {
		t.Fatalf("ran an unknown job:\n%s", out)
	}
	if out, err := c.run("check"); err != nil {
		t.Fatalf("check on a fresh system: %v\n%s", err, out)
	}
}
