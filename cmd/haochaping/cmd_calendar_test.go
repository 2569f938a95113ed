package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"haochaping/calendar"
)

func TestCalendarCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantOut    string // exact stdout
		wantErr    bool   // errUsage expected
		wantStderr string // substring of stderr ("" means stderr must be empty)
	}{
		{"workdays over 春节", []string{"workdays", "2026-02-14", "1"}, "2026-02-24\n", false, ""},
		{"workdays onto a worked Saturday", []string{"workdays", "2026-02-13", "1"}, "2026-02-14\n", false, ""},
		{"workdays over 国庆", []string{"workdays", "2026-09-30", "1"}, "2026-10-08\n", false, ""},
		{"workdays 15", []string{"workdays", "2026-09-18", "15"}, "2026-10-15\n", false, ""},
		{"workdays 0", []string{"workdays", "2026-10-03", "0"}, "2026-10-03\n", false, ""},
		{"is-workday worked Saturday", []string{"is-workday", "2026-02-14"}, "yes\n", false, ""},
		{"is-workday holiday", []string{"is-workday", "2026-10-01"}, "no\n", false, ""},
		{"is-workday worked Sunday", []string{"is-workday", "2026-09-20"}, "yes\n", false, ""},
		{"is-workday ordinary Sunday", []string{"is-workday", "2026-11-29"}, "no\n", false, ""},
		{"is-workday uncovered year warns", []string{"is-workday", "2031-01-01"}, "yes\n", false,
			"calendar: the State Council arrangement for 2031 is not known; weekends only"},
		{"workdays into an uncovered year warns", []string{"workdays", "2027-12-30", "3"}, "2028-01-04\n", false,
			"arrangement for 2028 is not known"},
		{"no arguments", nil, "", true, "usage: haochaping calendar"},
		{"unknown action", []string{"holidays"}, "", true, "unknown action"},
		{"bad date", []string{"is-workday", "2026/02/14"}, "", true, "not a date"},
		{"impossible date", []string{"workdays", "2026-02-30", "1"}, "", true, "not a date"},
		{"negative N", []string{"workdays", "2026-02-14", "-1"}, "", true, "number of working days"},
		{"N not a number", []string{"workdays", "2026-02-14", "five"}, "", true, "number of working days"},
		{"missing N", []string{"workdays", "2026-02-14"}, "", true, "usage: haochaping calendar workdays"},
		{"extra argument", []string{"is-workday", "2026-02-14", "x"}, "", true, "usage: haochaping calendar is-workday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := calendarCommand(calendar.Default(), tt.args, &out, &errOut)
			if tt.wantErr != errors.Is(err, errUsage) || (!tt.wantErr && err != nil) {
				t.Fatalf("error = %v, want usage error: %v", err, tt.wantErr)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out.String(), tt.wantOut)
			}
			if tt.wantStderr == "" && errOut.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut.String(), tt.wantStderr)
			}
			if tt.wantErr && strings.Count(errOut.String(), "\n") != 1 {
				t.Errorf("stderr = %q, want one line", errOut.String())
			}
		})
	}
}

// TestCalendarCommandNeedsNoEnvironment runs the command's entry point with the settings the
// other commands require unset.
func TestCalendarCommandNeedsNoEnvironment(t *testing.T) {
	for _, v := range []string{"DATABASE_URL", "REDIS_URL", "HAOCHAPING_DATA_KEY"} {
		t.Setenv(v, "")
	}
	if err := runCalendar(t.Context(), []string{"workdays", "2026-02-14", "x"}); !errors.Is(err, errUsage) {
		t.Errorf("runCalendar with a bad N = %v, want errUsage", err)
	}
	var out bytes.Buffer
	if err := calendarCommand(calendar.Default(), []string{"is-workday", "2026-02-28"}, &out, &out); err != nil || out.String() != "yes\n" {
		t.Errorf("is-workday 2026-02-28 = %q, %v; want yes", out.String(), err)
	}
}
