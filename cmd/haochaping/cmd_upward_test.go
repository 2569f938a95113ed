package main

import (
	"strings"
	"testing"
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
