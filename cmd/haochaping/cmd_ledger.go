package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"haochaping/access"
	"haochaping/app"
	"haochaping/internal/bjtime"
	"haochaping/ledger"
)

const ledgerUsage = `usage:
  haochaping ledger export --kind work|problems|rectification -o FILE.xlsx [--unit DEPT_CODE]
                           [--status 未开始|推进中|已完成|逾期|持续推进] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--as USERNAME]
  haochaping ledger import FILE.xlsx [--as USERNAME]
  haochaping ledger round open --title TITLE --due YYYY-MM-DD --as USERNAME
  haochaping ledger round list
  haochaping ledger round missing [--round ID] [--as USERNAME]

export writes a ledger as an Excel workbook: work (工作台账, Annex 1), problems (问题整改台账,
Annex 2) or rectification (差评整改台账). --unit makes the sheet of one unit, which it fills in
and sends back; --status, --from and --to select rows (work and problems: the due date;
rectification: the day of the rating).
import reads a filled-in work or problem ledger of one unit and records its rows as the unit's
reports in the open round; it exits 1 when the sheet is refused or any row is.
round open starts a reporting round (closing the open one); round missing lists the units
that have not reported on everything in the open round (or --round ID).

The commands act as the city's office (政务服务管理机构: an office_admin of the city's region)
unless --as names a login, whose role and scope then apply; round open records who opened the
round, so it needs --as.`

// ledgerCmd is a parsed ledger command line.
type ledgerCmd struct {
	action   string // export, import, round open, round list, round missing
	as       string
	kind     ledger.Kind
	out      string
	unit     string
	status   ledger.Status
	from, to time.Time
	file     string
	title    string
	due      time.Time
	round    int64
}

func runLedger(ctx context.Context, args []string) error {
	return ledgerCommand(ctx, args, os.Stdout, os.Stderr)
}

func ledgerCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseLedgerArgs(args, stderr)
	if err != nil {
		return err
	}
	e, err := newEnv()
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.OpenMigrated(ctx); err != nil {
		return err
	}
	if err := e.OpenKeys(); err != nil {
		return err
	}
	if err := e.OpenRedis(); err != nil {
		return err
	}
	return runLedgerIn(ctx, e, c, stdout)
}

// parseLedgerArgs reads the command line; every mistake in it is a usage error, found before
// anything is opened.
func parseLedgerArgs(args []string, stderr io.Writer) (*ledgerCmd, error) {
	if len(args) == 0 {
		fmt.Fprintln(stderr, ledgerUsage)
		return nil, errUsage
	}
	c := &ledgerCmd{action: args[0]}
	fs := flag.NewFlagSet("ledger "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.as, "as", "", "act as this login (default: the city's office)")
	var problem string
	switch args[0] {
	case "export":
		problem = c.parseExport(fs, args[1:])
	case "import":
		problem = c.parseImport(fs, args[1:])
	case "round":
		problem = c.parseRound(fs, args[1:])
	default:
		problem = fmt.Sprintf("unknown action %q (export, import, round)", args[0])
	}
	if problem != "" {
		fmt.Fprintf(stderr, "haochaping ledger: %s\n\n%s\n", problem, ledgerUsage)
		return nil, errUsage
	}
	return c, nil
}

// parseExport reads `ledger export`'s flags; it returns what is wrong with them, or "".
func (c *ledgerCmd) parseExport(fs *flag.FlagSet, args []string) string {
	var kind, status, from, to string
	fs.StringVar(&kind, "kind", "", "work, problems or rectification")
	fs.StringVar(&c.out, "o", "", "the .xlsx file to write")
	fs.StringVar(&c.unit, "unit", "", "the unit's department code")
	fs.StringVar(&status, "status", "", "未开始, 推进中, 已完成, 逾期, 持续推进 (or the code)")
	fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD")
	fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD")
	rest, err := parseInterspersed(fs, args)
	switch {
	case err != nil:
		return fmt.Sprintf("export: %v", err)
	case len(rest) > 0:
		return fmt.Sprintf("export: unexpected %q", rest[0])
	}
	switch kind {
	case "work":
		c.kind = ledger.Work
	case "problem", "problems":
		c.kind = ledger.Problems
	case "rectification":
		c.kind = ledger.Rectification
	case "":
		return "export: --kind is required (work, problems or rectification)"
	default:
		return fmt.Sprintf("export: unknown --kind %q (work, problems or rectification)", kind)
	}
	if c.out == "" {
		return "export: -o FILE.xlsx is required"
	}
	if !strings.EqualFold(filepath.Ext(c.out), ".xlsx") {
		return fmt.Sprintf("export: -o %s: the file must end in .xlsx", c.out)
	}
	if status != "" {
		s, ok := ledger.StatusFromName(strings.TrimSpace(status))
		if !ok {
			return fmt.Sprintf("export: unknown --status %q (未开始, 推进中, 已完成, 逾期, 持续推进)", status)
		}
		c.status = s
	}
	if c.from, err = parseDay(from); err != nil {
		return fmt.Sprintf("export: --from %v", err)
	}
	if c.to, err = parseDay(to); err != nil {
		return fmt.Sprintf("export: --to %v", err)
	}
	if !c.from.IsZero() && !c.to.IsZero() && c.to.Before(c.from) {
		return fmt.Sprintf("export: --to %s is before --from %s", to, from)
	}
	return ""
}

// parseImport reads `ledger import FILE`'s flags and its file.
func (c *ledgerCmd) parseImport(fs *flag.FlagSet, args []string) string {
	rest, err := parseInterspersed(fs, args)
	switch {
	case err != nil:
		return fmt.Sprintf("import: %v", err)
	case len(rest) != 1:
		return "import: give one FILE.xlsx"
	}
	c.file = rest[0]
	return ""
}

// parseRound reads `ledger round open|list|missing`'s flags.
func (c *ledgerCmd) parseRound(fs *flag.FlagSet, args []string) string {
	if len(args) == 0 {
		return "round: open, list or missing?"
	}
	c.action = "round " + args[0]
	var due string
	switch args[0] {
	case "open":
		fs.StringVar(&c.title, "title", "", "the round's title, e.g. 9月17日调度")
		fs.StringVar(&due, "due", "", "the last day to report, YYYY-MM-DD")
	case "missing":
		fs.Int64Var(&c.round, "round", 0, "the round (default: the open one)")
	case "list":
	default:
		return fmt.Sprintf("round: unknown action %q (open, list, missing)", args[0])
	}
	rest, err := parseInterspersed(fs, args[1:])
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %v", c.action, err)
	case len(rest) > 0:
		return fmt.Sprintf("%s: unexpected %q", c.action, rest[0])
	case c.round < 0:
		return "round missing: --round must be a round's id"
	case args[0] != "open":
		return ""
	case strings.TrimSpace(c.title) == "":
		return "round open: --title is required"
	case c.as == "":
		return "round open: --as USERNAME is required (an office_admin login: the round records who opened it)"
	}
	day, err := parseDay(due)
	if err != nil || day.IsZero() {
		return "round open: --due YYYY-MM-DD is required"
	}
	// The whole day in Beijing time: reports are due by its end.
	c.due = bjtime.StartOfDay(day).AddDate(0, 0, 1).Add(-time.Second)
	return ""
}

// parseInterspersed parses flags wherever they stand among the arguments ("import FILE --as
// x" as well as "import --as x FILE") and returns the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func parseDay(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return d, nil
}

// runLedgerIn runs a parsed command on an opened environment.
func runLedgerIn(ctx context.Context, e *env, c *ledgerCmd, out io.Writer) error {
	a := app.New(e.Cfg, e.DB, e.Keys, e.Redis, e.Log)
	defer a.Close()
	svc := a.Ledger
	if c.action == "round list" {
		rounds, err := svc.Rounds(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tTITLE\tDUE (Asia/Shanghai)\tOPENED\tCLOSED")
		for _, r := range rounds {
			closed := "open"
			if r.ClosedAt != nil {
				closed = r.ClosedAt.In(bjtime.Location).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.DueAt.In(bjtime.Location).Format("2006-01-02 15:04"),
				r.OpenedAt.In(bjtime.Location).Format("2006-01-02 15:04"), closed)
		}
		return w.Flush()
	}
	actor, err := ledgerActor(ctx, e, a, c.as)
	if err != nil {
		return err
	}
	switch c.action {
	case "export":
		return ledgerExport(ctx, svc, actor, c, out)
	case "import":
		return ledgerImport(ctx, svc, actor, c, out)
	case "round open":
		r, err := svc.OpenRound(ctx, actor, c.title, c.due)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "round %d opened: %s, reports due by %s (Asia/Shanghai); any round still open was closed\n",
			r.ID, r.Title, r.DueAt.In(bjtime.Location).Format("2006-01-02 15:04"))
		return nil
	case "round missing":
		r, missing, err := svc.MissingReporters(ctx, actor, c.round)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "round %d (%s): %d units have not reported on everything\n", r.ID, r.Title, len(missing))
		if len(missing) == 0 {
			return nil
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tUNIT\tREPORTED\tMISSING")
		for _, m := range missing {
			fmt.Fprintf(w, "%s\t%s\t%d/%d\t%s\n", m.Code, m.Name, m.Reported, m.Entries, missingRefs(m.MissingNos))
		}
		return w.Flush()
	}
	return fmt.Errorf("ledger: unknown action %q", c.action)
}

// ledgerActor is who the command acts as: the login named, else the city's office.
func ledgerActor(ctx context.Context, e *env, a *app.App, username string) (*access.User, error) {
	if username != "" {
		u, err := a.Users.Get(ctx, username)
		if err != nil {
			return nil, err
		}
		if !u.Active {
			return nil, fmt.Errorf("login %s is disabled", u.Username)
		}
		if u.Demo && !e.Cfg.Demo {
			return nil, fmt.Errorf("login %s is a demo login, refused outside demo mode", u.Username)
		}
		return u, nil
	}
	rows, err := e.DB.Pool.Query(ctx, `SELECT id, code, name FROM regions WHERE level = 'city' ORDER BY code LIMIT 2`)
	if err != nil {
		return nil, fmt.Errorf("the city: %w", err)
	}
	var scopes []access.Scope
	for rows.Next() {
		s := access.Scope{Kind: access.ScopeRegion}
		if err := rows.Scan(&s.ID, &s.Code, &s.Name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("the city: %w", err)
		}
		scopes = append(scopes, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("the city: %w", err)
	}
	switch len(scopes) {
	case 0:
		return nil, errors.New("no city in the organisation: run `haochaping seed` first, or give --as USERNAME")
	case 1:
	default:
		return nil, errors.New("more than one city in the organisation: give --as USERNAME")
	}
	// A login of no one (ID 0): the reports it records have no reporter.
	return &access.User{Username: "cli", DisplayName: scopes[0].Name + "政务服务管理机构（命令行）", Role: access.OfficeAdmin,
		RoleLabel: access.OfficeAdmin.Label(), Scope: scopes[0], Active: true}, nil
}

func ledgerExport(ctx context.Context, svc *ledger.Service, actor *access.User, c *ledgerCmd, out io.Writer) error {
	f := ledger.ExportFilter{Status: c.status, From: c.from, To: c.to}
	if c.unit != "" {
		id, _, err := svc.UnitByCode(ctx, c.unit)
		if err != nil {
			return err
		}
		f.Department = id
	}
	// Written beside the target and renamed: a failed export leaves no half-written file.
	dir := filepath.Dir(c.out)
	tmp, err := os.CreateTemp(dir, ".ledger-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := svc.Export(ctx, actor, c.kind, f, tmp)
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.out); err != nil {
		return err
	}
	what := map[ledger.Kind]string{ledger.Work: "work ledger (工作台账)", ledger.Problems: "problem ledger (问题整改台账)",
		ledger.Rectification: "rectification ledger (差评整改台账)"}[c.kind]
	fmt.Fprintf(out, "wrote %d rows of the %s to %s\n", n, what, c.out)
	return nil
}

func ledgerImport(ctx context.Context, svc *ledger.Service, actor *access.User, c *ledgerCmd, out io.Writer) error {
	f, err := os.Open(c.file)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := svc.Import(ctx, actor, f, "excel")
	if res != nil {
		fmt.Fprintf(out, "%s of %s, round %d: %d rows applied, %d skipped (%d unchanged), %d refused\n",
			res.Kind, res.Department, res.RoundID, res.Applied, res.Skipped, res.Unchanged, len(res.Refused))
		for _, r := range res.Refused {
			fmt.Fprintf(out, "  row %d (No. %s): %s — %s\n", r.Row, r.No, r.Code, r.Reason)
		}
	}
	if err != nil {
		return err
	}
	if len(res.Refused) > 0 {
		return fmt.Errorf("%d rows refused: correct them in %s and import it again", len(res.Refused), c.file)
	}
	return nil
}

// missingRefs writes the entries a unit has not reported on compactly: "work 1-5, 7; problem 3".
func missingRefs(refs []ledger.EntryRef) string {
	var parts []string
	for i := 0; i < len(refs); {
		kind := refs[i].Kind
		var nos []string
		for i < len(refs) && refs[i].Kind == kind {
			j := i
			for j+1 < len(refs) && refs[j+1].Kind == kind && refs[j+1].No == refs[j].No+1 {
				j++
			}
			if j > i {
				nos = append(nos, strconv.Itoa(refs[i].No)+"-"+strconv.Itoa(refs[j].No))
			} else {
				nos = append(nos, strconv.Itoa(refs[i].No))
			}
			i = j + 1
		}
		parts = append(parts, string(kind)+" "+strings.Join(nos, ", "))
	}
	return strings.Join(parts, "; ")
}
