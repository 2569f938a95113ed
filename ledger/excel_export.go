package ledger

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/pii"
	"haochaping/internal/problem"
)

// ExportFilter selects the rows of an exported ledger.
type ExportFilter struct {
	// Department: the unit the sheet is for (its entries, its reports); 0: the actor's own
	// department for a unit login, else every unit in the actor's scope.
	Department int64
	// Status: entries in this status (work and problem ledgers, and the 突出问题 of the
	// rectification ledger); empty: any.
	Status Status
	// From, To: Beijing days, both included; zero: open. Work and problem ledgers: the entry's
	// due date; the rectification ledger: the day of the rating.
	From, To time.Time
}

// Export writes a ledger as an Excel workbook (.xlsx) to w, as the actor may see it, and
// returns how many data rows it wrote: tasks or problems; for the rectification ledger, bad
// reviews plus the recurring problems of its 突出问题 sheet.
//
// The work (Annex 1) and problem (Annex 2) ledgers keep the plan's layout: the title, a
// "部门：" line naming the unit with its code (or 全部), and the plan's exact headings; a unit
// fills in 进展情况/需协调问题 (work) or 具体措施/工作进展 (problems) and the office imports the
// sheet back (Import). A sheet for one unit shows that unit's latest report; a sheet for every
// unit lists each unit's latest report as "单位名：内容" lines. The entry status goes to a
// second sheet, 状态, so that the ledger sheet keeps the plan's columns. 联系人及联系方式 is left
// empty: a unit, not a person.
func (s *Service) Export(ctx context.Context, actor *access.User, kind Kind, f ExportFilter, w io.Writer) (int, error) {
	if f.Status != "" && !f.Status.Valid() {
		return 0, problem.Invalid("invalid_status", "status", "状态须为 未开始、推进中、已完成、逾期 或 持续推进")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return 0, problem.Invalid("invalid_period", "to", "结束日期不能早于开始日期")
	}
	if kind != Work && kind != Problems && kind != Rectification {
		return 0, problem.Invalid("invalid_kind", "kind", "台账须为 work（工作台账）、problem（问题整改台账）或 rectification（差评整改台账）")
	}
	unit, err := s.exportUnit(ctx, actor, f.Department)
	if err != nil {
		return 0, err
	}
	x := excelize.NewFile()
	defer x.Close()
	st, err := newStyles(x)
	if err != nil {
		return 0, err
	}
	var n int
	var title string
	switch kind {
	case Work, Problems:
		n, title, err = s.exportPlanLedger(ctx, x, st, actor, kind, unit, f)
	case Rectification:
		n, err = s.exportRectification(ctx, x, st, actor, unit, f)
		title = rectificationTitle
	}
	if err != nil {
		return 0, err
	}
	x.SetActiveSheet(0)
	// No person in the file's properties either (the library would sign it with its own name).
	if err := x.SetDocProps(&excelize.DocProperties{Title: title, Creator: "好差评系统", LastModifiedBy: "好差评系统",
		Created: s.now().UTC().Format(time.RFC3339), Modified: s.now().UTC().Format(time.RFC3339), Language: "zh-CN"}); err != nil {
		return 0, err
	}
	if err := x.Write(w); err != nil {
		return 0, fmt.Errorf("write workbook: %w", err)
	}
	return n, nil
}

// exportUnit is the unit a sheet is for: the filter's, else a unit login's own; nil: every
// unit in scope.
func (s *Service) exportUnit(ctx context.Context, actor *access.User, dept int64) (*unitRef, error) {
	if dept == 0 && actor.Scope.Kind == access.ScopeDepartment {
		dept = actor.Scope.ID
	}
	if dept == 0 {
		return nil, nil
	}
	return s.visibleUnit(ctx, actor, dept)
}

func unitCell(unit *unitRef) string {
	if unit == nil {
		return unitPrefix + allUnits
	}
	return unitLabel(unit.Name, unit.Code)
}

// exportPlanLedger writes the work or problem ledger and its 状态 sheet.
func (s *Service) exportPlanLedger(ctx context.Context, x *excelize.File, st *styles, actor *access.User, kind Kind,
	unit *unitRef, f ExportFilter) (int, string, error) {
	ls, err := layouts()
	if err != nil {
		return 0, "", err
	}
	l := ls[kind]
	filter := Filter{Kind: kind, Status: f.Status, DueFrom: f.From, DueTo: f.To}
	if unit != nil {
		filter.Department = unit.ID
	}
	entries, err := s.Entries(ctx, actor, filter)
	if err != nil {
		return 0, "", err
	}
	reports, err := s.latestReports(ctx, actor, entries, unit)
	if err != nil {
		return 0, "", err
	}
	rows := make([][]any, 0, len(entries))
	status := make([][]any, 0, len(entries))
	for _, e := range entries {
		r := make([]any, len(l.columns))
		for i := range r {
			r[i] = ""
		}
		set := func(col string, v any) { r[l.col(col)] = v }
		units := reports[e.ID]
		switch kind {
		case Work:
			set(colFocus, e.Focus)
			set(colLevel1, e.Level1)
			set(colLevel2, e.Level2)
			set(colLevel3, e.Level3)
			set(colAssessment, e.Assessment)
			set(colNo, e.No)
			set(colTarget, e.Title)
			set(colUnits, strings.Join(e.UnitNames, "、"))
			set(colProgress, reportText(units, unit, func(r *Report) string { return r.Progress }))
			set(colIssues, reportText(units, unit, func(r *Report) string { return r.Issues }))
			set(colRemarks, e.Remarks)
		case Problems:
			set(colProblemNo, e.No)
			set(colProblem, e.Title)
			set(colRequire, e.Requirement)
			set(colLeads, strings.Join(e.LeadNames, "、"))
			set(colResponsib, strings.Join(e.UnitNames, "，"))
			set(colContact, "") // a unit, not a person
			set(colMeasures, reportText(units, unit, func(r *Report) string { return r.Measures }))
			set(colWorkProg, reportText(units, unit, func(r *Report) string { return r.Progress }))
			set(colRemarks, e.Remarks)
		}
		rows = append(rows, r)
		due := ""
		if e.Due != nil {
			due = *e.Due
		}
		texts := make([]string, len(e.Deadlines))
		for i, d := range e.Deadlines {
			texts[i] = d.Text
		}
		status = append(status, []any{e.No, e.StatusName, due, strings.Join(texts, "；")})
	}
	if err := x.SetSheetName("Sheet1", l.sheet); err != nil {
		return 0, "", err
	}
	main := &table{f: x, st: st, sheet: l.sheet, title: l.title, unit: unitCell(unit), columns: l.columns, widths: l.widths,
		center: map[int]bool{l.no: true}, rows: rows}
	if err := main.write(); err != nil {
		return 0, "", err
	}
	if _, err := x.NewSheet(sheetStatus); err != nil {
		return 0, "", err
	}
	second := &table{f: x, st: st, sheet: sheetStatus, columns: []string{l.columns[l.no], "状态", "截止日期", "期限要求"},
		widths: []float64{10, 12, 14, 60}, center: map[int]bool{0: true, 1: true, 2: true}, rows: status}
	if err := second.write(); err != nil {
		return 0, "", err
	}
	return len(rows), l.title, nil
}

// latestReports returns, per entry, the units (of the actor's scope; only unit when set) that
// have reported on it, with their latest reports, in the order of the entry detail.
func (s *Service) latestReports(ctx context.Context, actor *access.User, entries []*Entry, unit *unitRef) (map[int64][]Unit, error) {
	out := map[int64][]Unit{}
	if len(entries) == 0 {
		return out, nil
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	var dept int64
	if unit != nil {
		dept = unit.ID
	}
	pred, arg := unitVisible(actor, "a.department_id", 2)
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT a.entry_id, a.department_id, d.code, d.name, a.lead, `+reportColumns+`
		FROM ledger_assignments a JOIN departments d ON d.id = a.department_id
		JOIN LATERAL (SELECT * FROM ledger_reports r WHERE r.entry_id = a.entry_id AND r.department_id = a.department_id
		              ORDER BY r.id DESC LIMIT 1) r ON true
		JOIN ledger_rounds rd ON rd.id = r.round_id
		WHERE a.entry_id = ANY($1) AND `+pred+` AND ($3::bigint = 0 OR a.department_id = $3)
		ORDER BY a.entry_id, a.lead DESC, d.code`, ids, arg, dept)
	if err != nil {
		return nil, fmt.Errorf("ledger reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var entryID int64
		var u Unit
		rep, err := scanReport(rows, &entryID, &u.DepartmentID, &u.Code, &u.Name, &u.Lead)
		if err != nil {
			return nil, fmt.Errorf("ledger reports: %w", err)
		}
		u.Latest = rep
		out[entryID] = append(out[entryID], u)
	}
	return out, rows.Err()
}

// reportText is what a cell shows of the latest reports: for one unit, its text; for every
// unit, "单位名：内容" lines of those that wrote something.
func reportText(units []Unit, unit *unitRef, field func(*Report) string) string {
	if unit != nil {
		for _, u := range units {
			if u.DepartmentID == unit.ID && u.Latest != nil {
				return field(u.Latest)
			}
		}
		return ""
	}
	var lines []string
	for _, u := range units {
		if u.Latest == nil {
			continue
		}
		if t := strings.TrimSpace(field(u.Latest)); t != "" {
			lines = append(lines, u.Name+"："+t)
		}
	}
	return strings.Join(lines, "\n")
}

var (
	levelNames    = map[int]string{5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
	decisionNames = map[string]string{"now": "立行立改", "deadline": "限期整改", "explain": "解释说明", "appeal": "申诉"}
	verdictNames  = map[string]string{"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
	methodNames   = map[string]string{"phone": "电话", "sms": "短信", "visit": "上门", "in_person": "当面", "online": "网上", "system": "系统"}
)

func nameOr(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

func bjMinute(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(bjtime.Location).Format("2006-01-02 15:04")
}

func stateName(r RectificationRow) string {
	if r.StateName != "" {
		return r.StateName
	}
	return r.State
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// exportRectification writes the 差评整改台账: every bad review of the actor's scope with its
// record, and the recurring problems accepted into it (突出问题).
func (s *Service) exportRectification(ctx context.Context, x *excelize.File, st *styles, actor *access.User, unit *unitRef, f ExportFilter) (int, error) {
	// A unit login's own sheet holds every order it sees (its unit's and those its staff handle
	// for other units, 一窗受理); a unit asked for by name, the orders that unit answers for.
	rf := RectificationFilter{From: f.From, To: f.To, Department: f.Department}
	list, err := s.RectificationRows(ctx, actor, rf)
	if err != nil {
		return 0, err
	}
	rows := make([][]any, 0, len(list))
	for i, r := range list {
		satisfaction := ""
		if name := verdictNames[r.Verdict]; name != "" {
			satisfaction = name + "（评价人评价）"
		} else if r.Satisfaction != nil {
			satisfaction = strconv.Itoa(int(*r.Satisfaction)) + " " + levelNames[int(*r.Satisfaction)]
		}
		due := r.Due
		rows = append(rows, []any{i + 1, r.Number, bjMinute(&r.RatedAt), evaluation.Channel(r.Channel).Name(), r.Department,
			r.Window, r.Staff, r.Item, r.CaseNo, fmt.Sprintf("%d %s", r.Level, levelNames[r.Level]), r.Reasons,
			pii.MaskNumbersInText(r.Comment), r.Evaluator, yesNo(r.RealName), stateName(r),
			nameOr(decisionNames, r.Decision), bjMinute(r.CalledBackAt), nameOr(methodNames, r.CallbackMethod),
			pii.MaskNumbersInText(r.Facts), pii.MaskNumbersInText(r.Measures), bjMinute(r.RectifiedAt), bjMinute(r.FedBackAt), satisfaction,
			bjMinute(r.ClosedAt), bjMinute(&due), yesNo(r.Overdue)})
	}
	if err := x.SetSheetName("Sheet1", sheetRectification); err != nil {
		return 0, err
	}
	period := ""
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := "", ""
		if !f.From.IsZero() {
			from = f.From.Format("2006-01-02")
		}
		if !f.To.IsZero() {
			to = f.To.Format("2006-01-02")
		}
		period = "　评价时间：" + strings.TrimSpace(from+" 至 "+to)
	}
	main := &table{f: x, st: st, sheet: sheetRectification, title: rectificationTitle, unit: unitCell(unit) + period,
		columns: rectificationColumns, widths: rectificationWidths,
		center: map[int]bool{0: true, 2: true, 9: true, 13: true, 14: true, 15: true, 16: true, 17: true, 20: true, 21: true,
			22: true, 23: true, 24: true, 25: true}, rows: rows}
	if err := main.write(); err != nil {
		return 0, err
	}

	filter := Filter{Kind: Rectification, Status: f.Status}
	if unit != nil {
		filter.Department = unit.ID
	}
	entries, err := s.Entries(ctx, actor, filter)
	if err != nil {
		return 0, err
	}
	reports, err := s.latestReports(ctx, actor, entries, unit)
	if err != nil {
		return 0, err
	}
	recurring := make([][]any, 0, len(entries))
	for _, e := range entries {
		due := ""
		if e.Due != nil {
			due = *e.Due
		}
		recurring = append(recurring, []any{e.No, e.Title, strings.Join(e.UnitNames, "、"), due, e.StatusName,
			reportText(reports[e.ID], unit, func(r *Report) string { return r.Progress })})
	}
	if _, err := x.NewSheet(sheetRecurring); err != nil {
		return 0, err
	}
	second := &table{f: x, st: st, sheet: sheetRecurring, columns: recurringHeadings, widths: recurringHeadingWidths,
		center: map[int]bool{0: true, 3: true, 4: true}, rows: recurring}
	if err := second.write(); err != nil {
		return 0, err
	}
	return len(rows) + len(recurring), nil
}
