package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

func TestLedgerUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"export"},
		{"export", "--kind", "nope", "-o", "x.xlsx"},
		{"export", "--kind", "work"},
		{"export", "-o", "x.xlsx"},
		{"export", "--kind", "work", "-o", "x.csv"},
		{"export", "--kind", "work", "-o", "x.xlsx", "--status", "done"},
		{"export", "--kind", "work", "-o", "x.xlsx", "--from", "2021/09/01"},
		{"export", "--kind", "work", "-o", "x.xlsx", "--from", "2021-09-30", "--to", "2021-09-01"},
		{"export", "--kind", "work", "-o", "x.xlsx", "extra"},
		{"export", "--kind", "work", "-o", "x.xlsx", "--unknown"},
		{"import"},
		{"import", "a.xlsx", "b.xlsx"},
		{"round"},
		{"round", "close"},
		{"round", "open", "--title", "第一轮", "--as", "office"},
		{"round", "open", "--due", "2026-09-17", "--as", "office"},
		{"round", "open", "--title", "第一轮", "--due", "2026-09-17"},
		{"round", "missing", "--round", "x"},
		{"round", "list", "extra"},
	} {
		var out, errOut bytes.Buffer
		err := ledgerCommand(context.Background(), args, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "usage:\n  haochaping ledger export") || out.Len() != 0 {
			t.Errorf("ledger %q: error %v, stderr %q, stdout %q", args, err, errOut.String(), out.String())
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--kind", "nope", "-o", "x.xlsx"}, `unknown --kind "nope"`},
		{[]string{"export", "--kind", "work"}, "-o FILE.xlsx is required"},
	} {
		var errOut bytes.Buffer
		_ = ledgerCommand(context.Background(), c.args, &bytes.Buffer{}, &errOut)
		if !strings.Contains(errOut.String(), c.want) {
			t.Errorf("ledger %q: stderr %q does not say %q", c.args, errOut.String(), c.want)
		}
	}
	// Flags stand before or after the file; statuses by name or code.
	for _, args := range [][]string{{"import", "f.xlsx", "--as", "office"}, {"import", "--as", "office", "f.xlsx"}} {
		c, err := parseLedgerArgs(args, &bytes.Buffer{})
		if err != nil || c.file != "f.xlsx" || c.as != "office" {
			t.Errorf("%q: %+v %v", args, c, err)
		}
	}
	c, err := parseLedgerArgs([]string{"export", "--kind", "problems", "-o", "p.xlsx", "--status", "逾期", "--from", "2021-09-01"}, &bytes.Buffer{})
	if err != nil || c.kind != "problem" || c.status != "overdue" || !c.from.Equal(time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("export flags: %+v %v", c, err)
	}
}

// TestLedgerCommands runs the commands in-process on a test's own schema: a round opened, a
// unit's sheet exported, filled in and imported, the missing reporters listed.
func TestLedgerCommands(t *testing.T) {
	t.Parallel()
	tenv := testenv.New(t)
	apptest.Seed(tenv)
	e := &env{Cfg: tenv.Cfg, Log: tenv.Log, DB: tenv.DB, Keys: tenv.Keys, Redis: tenv.Redis}
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		var errOut bytes.Buffer
		c, err := parseLedgerArgs(args, &errOut)
		if err != nil {
			t.Fatalf("ledger %q: %v\n%s", args, err, errOut.String())
		}
		var out bytes.Buffer
		err = runLedgerIn(ctx, e, c, &out)
		return out.String(), err
	}
	due := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	if out, err := run("round", "open", "--title", "9月17日调度", "--due", due, "--as", "office"); err != nil ||
		!strings.Contains(out, "opened: 9月17日调度, reports due by "+due+" 23:59") {
		t.Fatalf("round open: %q %v", out, err)
	}
	if out, err := run("round", "list"); err != nil || !strings.Contains(out, "9月17日调度") || !strings.Contains(out, "open") {
		t.Fatalf("round list: %q %v", out, err)
	}

	// The office (by default) exports 市审批服务局's sheet.
	file := filepath.Join(dir, "spj.xlsx")
	out, err := run("export", "--kind", "work", "--unit", "ZZ-SPJ", "-o", file)
	if err != nil || !strings.Contains(out, "rows of the work ledger (工作台账) to "+file) {
		t.Fatalf("export: %q %v", out, err)
	}
	n, _ := strconv.Atoi(strings.Fields(out)[1])
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("工作台账")
	if len(rows) != 3+n || rows[1][0] != "部门：市审批服务局（ZZ-SPJ）" {
		t.Fatalf("exported %d rows, the sheet has %d; %q", n, len(rows)-3, rows[1])
	}
	// The unit fills in the first task, and gets the second's number wrong.
	_ = x.SetCellStr("工作台账", "I4", "已完成梳理")
	_ = x.SetCellStr("工作台账", "F5", "abc")
	_ = x.SetCellStr("工作台账", "I5", "推进中")
	if err := x.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	x.Close()
	out, err = run("import", file, "--as", "spj-head")
	if err == nil || !strings.Contains(err.Error(), "1 rows refused") ||
		!strings.Contains(out, fmt.Sprintf("work of ZZ-SPJ, round 1: 1 rows applied, %d skipped (0 unchanged), 1 refused", n-2)) ||
		!strings.Contains(out, "row 5 (No. abc): invalid_no — 任务序号“abc”不是数字") {
		t.Fatalf("import: %q %v", out, err)
	}
	if c := tenv.Count(`SELECT count(*) FROM ledger_reports r JOIN users u ON u.id = r.reported_by
		WHERE u.username = 'spj-head' AND r.source = 'excel' AND r.completed`); c != 1 {
		t.Fatalf("%d reports by spj-head", c)
	}
	// Sent again, nothing new; a layout error is an error.
	if out, err := run("import", file); err == nil || !strings.Contains(out, "0 rows applied") {
		t.Fatalf("import again: %q %v", out, err)
	}
	if _, err := run("import", filepath.Join(dir, "missing.xlsx")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.xlsx")
	_ = os.WriteFile(bad, []byte("not a workbook"), 0o600)
	if _, err := run("import", bad); err == nil || !strings.Contains(err.Error(), "not_a_workbook") {
		t.Fatalf("not a workbook: %v", err)
	}

	out, err = run("round", "missing")
	if err != nil || !strings.Contains(out, "round 1 (9月17日调度)") || !strings.Contains(out, "ZZ-GAJ") ||
		!strings.Contains(out, fmt.Sprintf("1/%d", n+tenv.Count(`SELECT count(*) FROM ledger_assignments a JOIN departments d
			ON d.id = a.department_id JOIN ledger_entries e ON e.id = a.entry_id WHERE d.code = 'ZZ-SPJ' AND e.kind = 'problem'`))) {
		t.Fatalf("round missing: %q %v", out, err)
	}
	if out, err := run("export", "--kind", "problems", "-o", filepath.Join(dir, "p.xlsx"), "--status", "逾期"); err != nil || !strings.Contains(out, "wrote ") {
		t.Fatalf("export problems: %q %v", out, err)
	}
	if out, err := run("export", "--kind", "rectification", "-o", filepath.Join(dir, "r.xlsx"), "--from", "2026-01-01"); err != nil ||
		!strings.Contains(out, "wrote 0 rows of the rectification ledger") {
		t.Fatalf("export rectification: %q %v", out, err)
	}
	if _, err := run("export", "--kind", "work", "--unit", "ZZ-NOPE", "-o", filepath.Join(dir, "n.xlsx")); err == nil ||
		!strings.Contains(err.Error(), "department_not_found") {
		t.Fatalf("unknown unit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "n.xlsx")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed export left a file")
	}
	if _, err := run("export", "--kind", "work", "-o", filepath.Join(dir, "u.xlsx"), "--as", "nobody"); err == nil ||
		!strings.Contains(err.Error(), "user_not_found") {
		t.Fatalf("unknown login: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".ledger-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}
