package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"haochaping/access"
	"haochaping/internal/cellsafe"
	"haochaping/internal/problem"
	"haochaping/internal/validtext"
)

// ImportResult is what an import did.
type ImportResult struct {
	Kind       Kind         `json:"kind"`
	Department string       `json:"department"` // the code of the unit the sheet is for
	RoundID    int64        `json:"round_id"`
	Applied    int          `json:"applied"`   // rows reported
	Skipped    int          `json:"skipped"`   // rows with nothing filled in, or unchanged
	Unchanged  int          `json:"unchanged"` // of Skipped: the unit's latest report as it stands
	Refused    []RefusedRow `json:"refused"`
}

// RefusedRow is a row of the sheet that was not applied, and why.
type RefusedRow struct {
	Row    int    `json:"row"`    // the Excel row number
	No     string `json:"no"`     // its 任务序号 / 序号 as written
	Code   string `json:"code"`   // the problem code
	Reason string `json:"reason"` // for people
}

// MaxImportBytes is the largest workbook Import reads: the plan's ledgers filled in by a unit
// are well under 1 MB.
const MaxImportBytes = 4 << 20

// Import reads a filled-in work or problem ledger — a sheet as Export writes it, for one
// unit — and records each filled-in row as that unit's report in the open round (Report,
// with source).
//
// The layout is checked first, and a sheet that does not match is refused whole, with nothing
// applied (422 wrong_layout, naming what is wrong): a title or heading row of neither ledger;
// a heading missing, renamed, added or out of order; no "部门：" line naming a unit; a unit
// unknown. The actor must be able to report for the unit, and a round must be open; otherwise
// the error is returned and nothing is applied either. Every row is then checked before any
// is applied, so that a wrong sheet cannot be half-applied.
//
// Only the columns a unit fills in are read: work — 进展情况 and 需协调问题; problems — 具体措施
// and 工作进展. The plan's own columns (任务目标, 责任单位, …) are not compared with the ledger:
// offices reformat that text, and a row is known by its number alone. 联系人及联系方式 is never
// read. A row is:
//   - skipped when its filled-in columns are empty, or are exactly the unit's latest report
//     (an exported sheet sent back untouched reports nothing, and importing a file twice
//     reports once);
//   - refused, with its Excel row number, its number and the reason, when its number is not a
//     number, not an entry of this ledger, not one the unit answers for, or repeated, or its
//     text is longer than 4000 characters; the other rows are applied all the same;
//   - otherwise applied; a progress text starting with "已完成" reports the unit's part done.
//
// An error that is not about the file (the round closed meanwhile, the database) stops the
// import: the rows applied before it stay applied, and the result so far is returned with the
// error.
func (s *Service) Import(ctx context.Context, actor *access.User, r io.Reader, source string) (*ImportResult, error) {
	// Who may report (Report's rule, checked here first so that a refusal comes before the
	// file is read): a unit's head for the unit, or the office for a unit of its scope.
	if !MayReport(actor) {
		return nil, errMayNotReport
	}
	if source == "" {
		source = "excel"
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(raw) > MaxImportBytes {
		return nil, &problem.Error{Status: 413, Code: "file_too_large", Message: fmt.Sprintf("文件不得超过 %d MB", MaxImportBytes>>20),
			Fields: map[string]string{"file": "文件过大"}}
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: 16 * MaxImportBytes, UnzipXMLSizeLimit: 8 * MaxImportBytes})
	if err != nil {
		return nil, problem.Invalid("not_a_workbook", "file", "无法读取文件：须为 Excel 工作簿（.xlsx；.xls 请先另存为 .xlsx）")
	}
	defer x.Close()
	sheet, err := findLedgerSheet(x)
	if err != nil {
		return nil, err
	}
	unit, err := s.sheetUnit(ctx, sheet.unitText)
	if err != nil {
		return nil, err
	}
	// The actor reports for the unit: itself, or a unit of an office's scope.
	if actor.Scope.Kind == access.ScopeDepartment && actor.Scope.ID != unit.ID {
		return nil, problem.Forbidden("department_out_of_scope", "不能代其他单位填报："+unit.Name)
	}
	if _, err := s.visibleUnit(ctx, actor, unit.ID); err != nil {
		if errors.Is(err, errUnitNotFound) {
			return nil, problem.Forbidden("department_out_of_scope", "不能代其他单位填报："+unit.Name)
		}
		return nil, err
	}
	round, err := s.CurrentRound(ctx)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Kind: sheet.layout.kind, Department: unit.Code, RoundID: round.ID, Refused: []RefusedRow{}}
	todo, err := s.checkRows(ctx, sheet, unit, res)
	if err != nil {
		return nil, err
	}
	for _, t := range todo {
		_, err := s.Report(ctx, actor, t.in, source)
		if p, ok := problem.As(err); ok && rowProblems[p.Code] {
			res.Refused = append(res.Refused, RefusedRow{Row: t.row, No: t.no, Code: p.Code, Reason: p.Message})
			continue
		}
		if err != nil {
			return res, err
		}
		res.Applied++
	}
	slices.SortStableFunc(res.Refused, func(a, b RefusedRow) int { return a.Row - b.Row })
	return res, nil
}

// rowProblems are the refusals of Report that are about the row, not the import.
var rowProblems = map[string]bool{"not_assigned": true, "text_too_long": true, "report_empty": true}

// ledgerSheet is the sheet of a workbook that holds the ledger.
type ledgerSheet struct {
	name     string
	layout   *sheetLayout
	unitText string // the "部门：" cell
	heading  int    // index in rows
	rows     [][]string
}

func wrongLayout(msg string) error {
	return problem.Invalid("wrong_layout", "file", msg+"。")
}

// headingHint closes a message about the heading row.
const headingHint = "。请使用系统导出的台账填写，不要增删、改名或调换列"

// headerScan is how many rows from the top may hold the title, the "部门：" line and the
// heading row.
const headerScan = 15

// findLedgerSheet finds the ledger in a workbook — the first sheet whose top rows carry a
// ledger's title or heading row — and checks its layout.
func findLedgerSheet(x *excelize.File) (*ledgerSheet, error) {
	ls, err := layouts()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, l := range ls {
		for _, c := range l.columns {
			known[c] = true
		}
	}
	for _, name := range x.GetSheetList() {
		rows, err := x.GetRows(name)
		if err != nil {
			return nil, problem.Invalid("not_a_workbook", "file", "无法读取工作表“"+name+"”")
		}
		for _, row := range rows { // the texts as they were before export neutralised them
			for j, c := range row {
				row[j] = cellsafe.Restore(c)
			}
		}
		var titleKind Kind
		title, heading := -1, -1
		for i := 0; i < len(rows) && i < headerScan && heading < 0; i++ {
			text := normalise(strings.Join(rows[i], ""))
			if text == "" {
				continue
			}
			cells := 0
			for _, c := range rows[i] {
				if strings.TrimSpace(c) != "" {
					cells++
				}
			}
			if title < 0 && cells == 1 { // a title is one cell, merged across the table
				switch {
				case strings.Contains(text, rectificationTitle):
					return nil, wrongLayout("这是差评整改台账：它由系统生成，不能导入；可导入的是工作台账和问题整改台账")
				case strings.Contains(text, "问题整改台账") || text == normalise(ls[Problems].title):
					titleKind, title = Problems, i
					continue
				case strings.Contains(text, "工作台账") || text == normalise(ls[Work].title):
					titleKind, title = Work, i
					continue
				}
			}
			n := 0
			for _, c := range rows[i] {
				if known[normalise(c)] {
					n++
				}
			}
			if n >= 3 {
				heading = i
			}
		}
		if title < 0 && heading < 0 {
			continue
		}
		if heading < 0 {
			return nil, wrongLayout(fmt.Sprintf("工作表“%s”找不到表头行（应为：%s）", name, strings.Join(ls[titleKind].columns, "、")))
		}
		kind := headingKind(rows[heading], ls)
		if kind == "" {
			kind = titleKind
		}
		if kind == "" {
			return nil, wrongLayout(fmt.Sprintf("工作表“%s”第 %d 行的表头既不是工作台账的，也不是问题整改台账的", name, heading+1))
		}
		if titleKind != "" && kind != titleKind {
			return nil, wrongLayout(fmt.Sprintf("工作表“%s”的标题是%s，表头却是%s的", name, kindName(titleKind), kindName(kind)))
		}
		l := ls[kind]
		if msg := compareHeadings(rows[heading], l.columns); msg != "" {
			return nil, wrongLayout(fmt.Sprintf("%s表头（工作表“%s”第 %d 行）与台账不一致：%s%s", kindName(kind), name, heading+1, msg, headingHint))
		}
		sheet := &ledgerSheet{name: name, layout: l, heading: heading, rows: rows}
		for i := max(title, 0); i < heading; i++ {
			for _, c := range rows[i] {
				if c = strings.TrimSpace(c); c != "" {
					if t := normalise(c); strings.HasPrefix(t, "部门：") || strings.HasPrefix(t, "部门:") {
						sheet.unitText = c
					}
					break
				}
			}
		}
		if sheet.unitText == "" {
			return nil, wrongLayout(fmt.Sprintf("工作表“%s”表头上方没有“部门：”行：请写明填报单位，如“部门：市审批服务局（ZZ-SPJ）”", name))
		}
		return sheet, nil
	}
	return nil, wrongLayout("找不到工作台账或问题整改台账：工作表的前几行既没有台账标题，也没有台账的表头行")
}

func kindName(k Kind) string {
	switch k {
	case Work:
		return "工作台账"
	case Problems:
		return "问题整改台账"
	}
	return string(k)
}

// headingKind is the ledger whose headings a row has more of; "" on a tie.
func headingKind(row []string, ls map[Kind]*sheetLayout) Kind {
	count := func(l *sheetLayout) int {
		n := 0
		for _, c := range row {
			if l.col(normalise(c)) >= 0 {
				n++
			}
		}
		return n
	}
	w, p := count(ls[Work]), count(ls[Problems])
	switch {
	case w > p:
		return Work
	case p > w:
		return Problems
	}
	return ""
}

// compareHeadings names what differs between a heading row and the expected headings: missing
// headings, headings not of this ledger, repeated ones, the order. "" when they match.
func compareHeadings(row, want []string) string {
	got := make([]string, len(row))
	for i, c := range row {
		got[i] = normalise(c)
	}
	for len(got) > 0 && got[len(got)-1] == "" {
		got = got[:len(got)-1]
	}
	if len(got) == len(want) {
		same := true
		for i := range want {
			same = same && got[i] == want[i]
		}
		if same {
			return ""
		}
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
	}
	seen := map[string]int{}
	named := map[string]bool{} // expected headings a message already names
	var problems []string
	for i, g := range got {
		col, _ := excelize.ColumnNumberToName(i + 1)
		switch {
		case g == "" && i < len(want):
			problems = append(problems, fmt.Sprintf("第 %s 列表头为空（应为“%s”）", col, want[i]))
			named[want[i]] = true
		case g == "":
		case !wanted[g] && i < len(want):
			problems = append(problems, fmt.Sprintf("第 %s 列“%s”不是本台账的列（应为“%s”）", col, g, want[i]))
			named[want[i]] = true
		case !wanted[g]:
			problems = append(problems, fmt.Sprintf("第 %s 列“%s”是多出的列", col, g))
		}
		if g != "" {
			seen[g]++
			if seen[g] == 2 {
				problems = append(problems, fmt.Sprintf("“%s”出现了不止一次", g))
			}
		}
	}
	var missing []string
	for _, w := range want {
		if seen[w] == 0 && !named[w] {
			missing = append(missing, "“"+w+"”")
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "缺少"+strings.Join(missing, "、"))
	}
	if len(problems) == 0 {
		// The same headings, in another order.
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				col, _ := excelize.ColumnNumberToName(i + 1)
				problems = append(problems, fmt.Sprintf("列的顺序不对：第 %s 列应为“%s”，实为“%s”", col, want[i], got[i]))
				break
			}
		}
	}
	return strings.Join(problems, "；")
}

// sheetUnit reads the unit of the "部门：" line: its code in brackets, else its exact name.
func (s *Service) sheetUnit(ctx context.Context, text string) (*unitRef, error) {
	if !validtext.String(text) { // PostgreSQL would refuse a NUL in the name it looks up
		return nil, wrongLayout("“部门：”行含有控制字符（如 NUL）或无效的 UTF-8 文本")
	}
	m := unitLine.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return nil, wrongLayout("无法识别“部门：”行：“" + text + "”")
	}
	name, code := strings.TrimSpace(m[1]), m[2]
	if code == "" && (name == "" || name == allUnits) {
		return nil, wrongLayout("“部门：”行没有写明填报单位（导入的台账须是一个单位的，如“部门：市审批服务局（ZZ-SPJ）”）")
	}
	u := unitRef{}
	if code != "" {
		err := s.DB.Pool.QueryRow(ctx, `SELECT id, code, name FROM departments WHERE code = $1`, code).Scan(&u.ID, &u.Code, &u.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, wrongLayout("“部门：”行的单位编码不存在：" + code)
		}
		if err != nil {
			return nil, fmt.Errorf("department %s: %w", code, err)
		}
		if name != "" && normalise(name) != normalise(u.Name) {
			return nil, wrongLayout(fmt.Sprintf("“部门：”行的单位名称“%s”与编码 %s（%s）不符", name, code, u.Name))
		}
		return &u, nil
	}
	rows, err := s.DB.Pool.Query(ctx, `SELECT id, code, name FROM departments WHERE name = $1 ORDER BY code LIMIT 2`, name)
	if err != nil {
		return nil, fmt.Errorf("department %s: %w", name, err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unitRef, error) {
		var x unitRef
		return x, r.Scan(&x.ID, &x.Code, &x.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("department %s: %w", name, err)
	}
	switch len(found) {
	case 0:
		return nil, wrongLayout("“部门：”行的单位不存在：" + name)
	case 1:
		return &found[0], nil
	}
	return nil, wrongLayout("“部门：”行的单位名称“" + name + "”不唯一：请在名称后括注单位编码")
}

// pendingRow is a row ready to apply.
type pendingRow struct {
	row int
	no  string
	in  ReportInput
}

// checkRows reads every data row and returns those to apply; skipped and refused rows are
// counted in res. Nothing is applied here.
func (s *Service) checkRows(ctx context.Context, sheet *ledgerSheet, unit *unitRef, res *ImportResult) ([]pendingRow, error) {
	l := sheet.layout
	type entryInfo struct {
		id       int64
		assigned bool
	}
	entries := map[int]entryInfo{}
	rows, err := s.DB.Pool.Query(ctx, `SELECT e.no, e.id,
		EXISTS (SELECT 1 FROM ledger_assignments a WHERE a.entry_id = e.id AND a.department_id = $2)
		FROM ledger_entries e WHERE e.kind = $1`, string(l.kind), unit.ID)
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	for rows.Next() {
		var no int
		var e entryInfo
		if err := rows.Scan(&no, &e.id, &e.assigned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ledger entries: %w", err)
		}
		entries[no] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	// The unit's latest reports, to tell a changed row from one sent back as exported.
	latest := map[int64]*Report{}
	rrows, err := s.DB.Pool.Query(ctx, `
		SELECT DISTINCT ON (r.entry_id) `+reportColumns+`
		FROM ledger_reports r JOIN ledger_rounds rd ON rd.id = r.round_id JOIN ledger_entries e ON e.id = r.entry_id
		WHERE r.department_id = $1 AND e.kind = $2 ORDER BY r.entry_id, r.id DESC`, unit.ID, string(l.kind))
	if err != nil {
		return nil, fmt.Errorf("ledger reports: %w", err)
	}
	for rrows.Next() {
		rep, err := scanReport(rrows)
		if err != nil {
			rrows.Close()
			return nil, fmt.Errorf("ledger reports: %w", err)
		}
		latest[rep.EntryID] = rep
	}
	rrows.Close()
	if err := rrows.Err(); err != nil {
		return nil, fmt.Errorf("ledger reports: %w", err)
	}

	at := func(r []string, i int) string {
		if i < 0 || i >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[i])
	}
	refuse := func(row int, no, code, reason string) {
		res.Refused = append(res.Refused, RefusedRow{Row: row, No: no, Code: code, Reason: reason})
	}
	var todo []pendingRow
	firstRow := map[int]int{} // entry number → the Excel row that reports on it
	for i := sheet.heading + 1; i < len(sheet.rows); i++ {
		r, excelRow := sheet.rows[i], i+1
		noText := at(r, l.no)
		in := ReportInput{DepartmentCode: unit.Code, Progress: at(r, l.progress), Issues: at(r, l.issues), Measures: at(r, l.measures)}
		filled := in.Progress != "" || in.Issues != "" || in.Measures != ""
		if !filled {
			if noText != "" {
				res.Skipped++
			}
			continue
		}
		no, ok := parseNo(noText)
		if !ok {
			if noText == "" {
				refuse(excelRow, noText, "invalid_no", fmt.Sprintf("没有%s：无法确定填报的是哪一项", l.columns[l.no]))
			} else {
				refuse(excelRow, noText, "invalid_no", fmt.Sprintf("%s“%s”不是数字", l.columns[l.no], noText))
			}
			continue
		}
		e, ok := entries[no]
		if !ok {
			refuse(excelRow, noText, "unknown_entry", fmt.Sprintf("%s中没有%s %d", kindName(l.kind), l.columns[l.no], no))
			continue
		}
		if !e.assigned {
			refuse(excelRow, noText, "not_assigned", fmt.Sprintf("%s不是%s %d 的责任单位", unit.Name, l.columns[l.no], no))
			continue
		}
		if prev, dup := firstRow[no]; dup {
			refuse(excelRow, noText, "duplicate_row", fmt.Sprintf("%s %d 已在第 %d 行填报，同一项只能填一行", l.columns[l.no], no, prev))
			continue
		}
		firstRow[no] = excelRow
		if long := tooLong(l, in); long != "" {
			refuse(excelRow, noText, "text_too_long", long+"不得超过 4000 字")
			continue
		}
		if col := notText(l, in); col != "" {
			refuse(excelRow, noText, "invalid_text", col+"含有控制字符（如 NUL）或无效的 UTF-8 文本")
			continue
		}
		in.EntryID = e.id
		in.Completed = strings.HasPrefix(in.Progress, "已完成")
		if prev := latest[e.id]; prev != nil && prev.Progress == in.Progress && (l.issues < 0 || prev.Issues == in.Issues) &&
			(l.measures < 0 || prev.Measures == in.Measures) && (prev.Completed || !in.Completed) {
			res.Skipped++
			res.Unchanged++
			continue
		}
		todo = append(todo, pendingRow{row: excelRow, no: noText, in: in})
	}
	return todo, nil
}

// parseNo reads an entry number as a spreadsheet may hold it: "12", "12.0", " 12 ".
func parseNo(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) && f > 0 && f < 1e6 {
		return int(f), true
	}
	return 0, false
}

// notText names the column whose cell is not text (package validtext): a workbook can carry
// control characters (escaped as _x0000_), which PostgreSQL would refuse to store.
func notText(l *sheetLayout, in ReportInput) string {
	for _, f := range []struct {
		col int
		v   string
	}{{l.progress, in.Progress}, {l.issues, in.Issues}, {l.measures, in.Measures}} {
		if f.col >= 0 && !validtext.String(f.v) {
			return l.columns[f.col]
		}
	}
	return ""
}

// tooLong names the column whose text is longer than a report takes.
func tooLong(l *sheetLayout, in ReportInput) string {
	for _, f := range []struct {
		col int
		v   string
	}{{l.progress, in.Progress}, {l.issues, in.Issues}, {l.measures, in.Measures}} {
		if f.col >= 0 && utf8.RuneCountInString(f.v) > 4000 {
			return l.columns[f.col]
		}
	}
	return ""
}
