package main

import (
	"crypto/rand"
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"
)

// `haochaping keys status` counts the sealed values by key; with a new key and the old one as
// previous, `keys rotate` moves them all (progress per table), and a second run has nothing to do.
func TestKeysCommands(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, true)
	if out, err := c.run("seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := c.run("keys", "status")
	if err != nil || !strings.Contains(out, "devices") || !strings.Contains(out, "(current)") {
		t.Fatalf("keys status: %v\n%s", err, out)
	}
	newKey := make([]byte, 32)
	_, _ = rand.Read(newKey)
	old := base64.StdEncoding.EncodeToString(env.Cfg.DataKey)
	for i, v := range c.env {
		if strings.HasPrefix(v, "HAOCHAPING_DATA_KEY=") {
			c.env[i] = "HAOCHAPING_DATA_KEY=" + base64.StdEncoding.EncodeToString(newKey)
		}
	}
	c.env = append(c.env, "HAOCHAPING_DATA_KEY_PREVIOUS="+old)
	if out, err = c.run("keys", "status"); err != nil || strings.Contains(out, "(current)") {
		t.Fatalf("keys status under the new key, before the rotation: %v\n%s", err, out)
	}
	if out, err = c.runAll("keys", "rotate", "--batch", "3"); err != nil || !strings.Contains(out, "keys rotate: devices 3/") ||
		!strings.Contains(out, "HAOCHAPING_DATA_KEY_PREVIOUS may now be removed") {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	if out, err = c.run("keys", "status"); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if !strings.Contains(line, "(current)") {
			t.Errorf("after the rotation: %q", line)
		}
	}
	if out, err = c.runAll("keys", "rotate"); err != nil || !strings.Contains(out, "keys rotate: devices 0/0") {
		t.Fatalf("keys rotate again: %v\n%s", err, out)
	}
}

// runAll is run with stderr (the progress) and stdout together.
func (c *cli) runAll(args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
