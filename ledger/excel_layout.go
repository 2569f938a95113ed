package ledger

// The layout of the Excel workbooks, shared by the export and the import.
//
// A work or problem ledger sheet is laid out as the plan prints it (Annexes 1 and 2):
//
//	row 1  the title, merged across the table       山东省政务服务能力全面提升工作台账
//	row 2  the unit the sheet is for                部门：市审批服务局（ZZ-SPJ）   or   部门：全部
//	row 3  the heading row, the plan's columns      重点工作 | 一级指标 | … | 备注
//	row 4… one row per task or problem, in ledger order
//
// The plan's block also has "填表人：" and "联系电话：": those name a person, and people's names
// and phone numbers stay out of the project's data, so they are not printed and never read.
// The entry status is not a column of the plan: it goes to a second sheet, "状态".

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"haochaping/access"
	"haochaping/internal/cellsafe"
	"haochaping/internal/problem"
	"haochaping/seeds/plan"
)

// Sheet names of the exported workbooks.
const (
	sheetWork          = "工作台账"
	sheetProblems      = "问题整改台账"
	sheetRectification = "差评整改台账"
	sheetStatus        = "状态"
	sheetRecurring     = "突出问题"

	rectificationTitle = "差评整改台账"
	allUnits           = "全部"
	unitPrefix         = "部门："

	titleRow   = 1
	unitRow    = 2
	headingRow = 3
	firstRow   = 4 // the first data row
)

// The columns of the plan that the exports fill from the system and the import reads.
const (
	colNo         = "任务序号"
	colProblemNo  = "序号"
	colFocus      = "重点工作"
	colLevel1     = "一级指标"
	colLevel2     = "二级指标"
	colLevel3     = "三级指标"
	colAssessment = "评估要点"
	colTarget     = "任务目标"
	colUnits      = "责任单位"
	colProgress   = "进展情况"
	colIssues     = "需协调问题"
	colRemarks    = "备注"
	colProblem    = "存在问题"
	colRequire    = "整改要求"
	colLeads      = "牵头部门"
	colResponsib  = "责任部门"
	colContact    = "联系人及联系方式" // always left empty: a unit, not a person
	colMeasures   = "具体措施"
	colWorkProg   = "工作进展"
)

// sheetLayout is the layout of one kind of ledger sheet.
type sheetLayout struct {
	kind    Kind
	sheet   string
	title   string
	columns []string  // the heading row, exactly
	widths  []float64 // column widths, in characters
	no      int       // index of the number column
	// The columns a unit fills in, the only ones the import reads.
	progress, issues, measures int // -1: not in this ledger
}

func (l *sheetLayout) col(name string) int {
	for i, c := range l.columns {
		if c == name {
			return i
		}
	}
	return -1
}

// layouts are the work and problem ledger layouts, from the plan's seed data: the column
// headings are the plan's, never retyped here.
var layouts = sync.OnceValues(func() (map[Kind]*sheetLayout, error) {
	p, err := plan.Load()
	if err != nil {
		return nil, err
	}
	work := &sheetLayout{kind: Work, sheet: sheetWork, title: p.WorkTitle, columns: p.WorkColumns}
	prob := &sheetLayout{kind: Problems, sheet: sheetProblems, title: p.ProblemTitle, columns: p.ProblemCols}
	work.no, work.progress, work.issues, work.measures = work.col(colNo), work.col(colProgress), work.col(colIssues), -1
	prob.no, prob.progress, prob.issues, prob.measures = prob.col(colProblemNo), prob.col(colWorkProg), -1, prob.col(colMeasures)
	// Every column the exports fill must be in the plan's headings: a renamed column in the
	// seed data is a bug to catch, not a column to leave blank.
	for _, need := range []struct {
		l     *sheetLayout
		names []string
	}{
		{work, []string{colFocus, colLevel1, colLevel2, colLevel3, colAssessment, colNo, colTarget, colUnits, colProgress, colIssues, colRemarks}},
		{prob, []string{colProblemNo, colProblem, colRequire, colLeads, colResponsib, colContact, colMeasures, colWorkProg, colRemarks}},
	} {
		if len(need.l.columns) != len(need.names) {
			return nil, fmt.Errorf("ledger excel: the plan's %s ledger has %d columns, want %d", need.l.kind, len(need.l.columns), len(need.names))
		}
		for _, n := range need.names {
			if need.l.col(n) < 0 {
				return nil, fmt.Errorf("ledger excel: the plan's %s ledger has no column %q", need.l.kind, n)
			}
		}
	}
	widthsByName := map[string]float64{
		colFocus: 12, colLevel1: 14, colLevel2: 14, colLevel3: 12, colAssessment: 40, colNo: 7, colTarget: 60,
		colUnits: 18, colProgress: 40, colIssues: 28, colRemarks: 16,
		colProblemNo: 6, colProblem: 44, colRequire: 56, colLeads: 14, colResponsib: 18, colContact: 14,
		colMeasures: 36, colWorkProg: 36,
	}
	for _, l := range []*sheetLayout{work, prob} {
		for _, c := range l.columns {
			l.widths = append(l.widths, widthsByName[c])
		}
	}
	return map[Kind]*sheetLayout{Work: work, Problems: prob}, nil
})

// rectificationColumns is the heading row of the 差评整改台账.
var rectificationColumns = []string{"序号", "工单编号", "评价时间", "渠道", "承办单位", "窗口", "工作人员", "事项", "办件编号",
	"评价等级", "评价指标", "评价内容", "评价人（脱敏）", "实名", "状态", "处理方式", "回访时间", "回访方式", "核实情况",
	"整改措施", "整改时间", "反馈时间", "满意度", "办结时间", "整改期限", "是否逾期"}

var rectificationWidths = []float64{6, 19, 17, 11, 18, 14, 10, 24, 20, 12, 18, 36, 12, 6, 10, 10, 17, 9, 30, 30, 17, 17, 10, 17, 17, 8}

// recurringHeadings is the heading row of the 突出问题 sheet (the recurring problems accepted
// into the rectification ledger).
var recurringHeadings = []string{"序号", "问题", "责任单位", "整改期限", "状态", "进展情况"}

var recurringHeadingWidths = []float64{6, 50, 18, 12, 10, 50}

// unitLabel is what the "部门：" row says of a unit: its name and, in brackets, its code,
// which the import reads back.
func unitLabel(name, code string) string { return unitPrefix + name + "（" + code + "）" }

// unitLine reads a "部门：" cell: "市审批服务局（ZZ-SPJ）", "市审批服务局 (ZZ-SPJ)" or a name alone.
var unitLine = regexp.MustCompile(`^部门[：:]\s*(.*?)\s*(?:[（(]\s*([0-9A-Za-z_-]{2,32})\s*[）)])?\s*$`)

// normalise removes every space and line break (offices break long headings over two lines
// and pad titles with spaces) for comparing headings and titles.
func normalise(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
}

// unitRef is a department a sheet is for.
type unitRef struct {
	ID         int64
	Code, Name string
}

var errUnitNotFound = problem.NotFound("department_not_found", "单位不存在或不在您的权限范围内")

// UnitByCode returns the department of a code, for the commands and handlers that take a
// unit's code (the export's filter takes its id). 404 department_not_found when there is none.
func (s *Service) UnitByCode(ctx context.Context, code string) (int64, string, error) {
	var id int64
	var name string
	err := s.DB.Pool.QueryRow(ctx, `SELECT id, name FROM departments WHERE code = $1`, strings.TrimSpace(code)).Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", problem.NotFound("department_not_found", "单位编码不存在："+code)
	}
	if err != nil {
		return 0, "", fmt.Errorf("department %s: %w", code, err)
	}
	return id, name, nil
}

// visibleUnit returns the department if it is in the actor's scope.
func (s *Service) visibleUnit(ctx context.Context, actor *access.User, id int64) (*unitRef, error) {
	pred, arg := unitVisible(actor, "d.id", 2)
	u := unitRef{ID: id}
	err := s.DB.Pool.QueryRow(ctx, `SELECT d.code, d.name FROM departments d WHERE d.id = $1 AND `+pred, id, arg).Scan(&u.Code, &u.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUnitNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("department %d: %w", id, err)
	}
	return &u, nil
}

// styles are the cell styles of a workbook.
type styles struct {
	title, unit, heading, text, center int
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
		{Type: "top", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	var st styles
	var err error
	for _, s := range []struct {
		dst   *int
		style *excelize.Style
	}{
		{&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.unit, &excelize.Style{Font: &excelize.Font{Size: 11}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&st.heading, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 11}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.text, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.center, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}}},
	} {
		if *s.dst, err = f.NewStyle(s.style); err != nil {
			return nil, err
		}
	}
	return &st, nil
}

// table writes one sheet of a workbook: an optional title and "部门：" line, a heading row and
// the data rows, styled for reading and printing.
type table struct {
	f       *excelize.File
	st      *styles
	sheet   string
	title   string // empty: no title or unit rows; the heading is row 1
	unit    string // the "部门：" line
	columns []string
	widths  []float64
	center  map[int]bool // columns centred (numbers, dates, short codes)
	rows    [][]any
}

func (t *table) write() error {
	f, sheet := t.f, t.sheet
	last, err := excelize.ColumnNumberToName(len(t.columns))
	if err != nil {
		return err
	}
	heading := 1
	if t.title != "" {
		heading = headingRow
		if err := f.SetCellStr(sheet, "A1", t.title); err != nil {
			return err
		}
		if err := f.MergeCell(sheet, "A1", last+"1"); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, "A1", last+"1", t.st.title); err != nil {
			return err
		}
		if err := f.SetRowHeight(sheet, titleRow, 30); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, "A2", t.unit); err != nil {
			return err
		}
		if err := f.MergeCell(sheet, "A2", last+"2"); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, "A2", last+"2", t.st.unit); err != nil {
			return err
		}
		if err := f.SetRowHeight(sheet, unitRow, 20); err != nil {
			return err
		}
	}
	for i, w := range t.widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	header := make([]any, len(t.columns))
	for i, c := range t.columns {
		header[i] = c
	}
	if err := f.SetSheetRow(sheet, cell(1, heading), &header); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, cell(1, heading), cell(len(t.columns), heading), t.st.heading); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, heading, rowHeight(t.columns, t.widths, 2)); err != nil {
		return err
	}
	for i, r := range t.rows {
		row := heading + 1 + i
		for j, v := range r {
			if s, ok := v.(string); ok {
				r[j] = fitCell(cellsafe.Neutralize(s)) // the quote first: fitCell keeps the start
			}
		}
		if err := f.SetSheetRow(sheet, cell(1, row), &r); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(1, row), cell(len(t.columns), row), t.st.text); err != nil {
			return err
		}
		for c := range t.center {
			if err := f.SetCellStyle(sheet, cell(c+1, row), cell(c+1, row), t.st.center); err != nil {
				return err
			}
		}
		if err := f.SetRowHeight(sheet, row, rowHeight(r, t.widths, 1)); err != nil {
			return err
		}
	}
	// The heading stays in view while scrolling, and is printed on every page.
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: heading, TopLeftCell: cell(1, heading+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: cell(1, heading+1), ActiveCell: cell(1, heading+1), Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	if len(t.rows) > 0 {
		if err := f.AutoFilter(sheet, cell(1, heading)+":"+cell(len(t.columns), heading+len(t.rows)), nil); err != nil {
			return err
		}
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, heading, heading), Scope: sheet}); err != nil {
		return err
	}
	landscape, a4, one, any0, fit := "landscape", 9, 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &any0}); err != nil {
		return err
	}
	return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// cell names a cell by column (from 1) and row.
func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// maxCellUnits is what a cell can hold: 32767 UTF-16 units. Longer text (every unit's
// progress on one task) is cut with a note rather than silently.
const maxCellUnits = excelize.TotalCellChars

const cutNote = "……（内容过长，已截断，完整内容请在系统中查看）"

func fitCell(s string) string {
	if len(utf16.Encode([]rune(s))) <= maxCellUnits {
		return s
	}
	limit := maxCellUnits - len(utf16.Encode([]rune(cutNote)))
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > limit {
			return s[:i] + cutNote
		}
	}
	return s
}

// rowHeight estimates the height, in points, that shows a row's wrapped text whole: Excel
// does not grow rows to fit text it did not lay out itself. A CJK character is about two
// character widths of the default font.
func rowHeight(values any, widths []float64, minLines int) float64 {
	var cells []string
	switch v := values.(type) {
	case []string:
		cells = v
	case []any:
		for _, x := range v {
			s, _ := x.(string)
			cells = append(cells, s)
		}
	}
	lines := minLines
	for i, s := range cells {
		if i >= len(widths) || s == "" {
			continue
		}
		perLine := widths[i] - 1
		if perLine < 2 {
			perLine = 2
		}
		n := 0
		for _, line := range strings.Split(s, "\n") {
			w := 0.0
			for _, r := range line {
				if r < utf8.RuneSelf {
					w++
				} else {
					w += 2
				}
			}
			k := int(w/perLine) + 1
			if w > 0 && w/perLine == float64(int(w/perLine)) {
				k--
			}
			n += k
		}
		lines = max(lines, n)
	}
	return min(float64(excelize.MaxRowHeight), 15*float64(lines)+4)
}
