package measures

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/bjtime"
	"haochaping/internal/database"
	"haochaping/internal/problem"
)

// The parts of a measure whose rows can be listed.
const (
	PartNumerator   = "numerator"
	PartDenominator = "denominator"
)

// RowsQuery asks for the rows behind one part of one measure: the evaluations or work orders
// its numerator or denominator counts, for the slice and period of Query, a page at a time.
type RowsQuery struct {
	Query
	Measure, Part string
	Page, PerPage int // from 1; PerPage at most MaxPerPage
}

// MaxPerPage bounds a page of rows.
const MaxPerPage = 200

// Named is a department, hall, window or service item as an office recognises it.
type Named struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Row is one evaluation counted by a measure, with its work order when it has one. It carries
// no personal data: not the evaluator's name or phone, masked or not, nor the staff member's.
type Row struct {
	EvaluationID int64     `json:"evaluation_id"`
	RatedAt      time.Time `json:"rated_at"`
	Channel      string    `json:"channel"`
	Level        int       `json:"level"`
	Active       bool      `json:"active"`     // false: a default evaluation (默认评价)
	Superseded   bool      `json:"superseded"` // a default replaced by a later rating made in the window
	RealName     bool      `json:"real_name"`
	CaseNo       *string   `json:"case_no"`
	Stage        *string   `json:"stage"`
	TicketNo     *string   `json:"ticket_no"`
	Department   Named     `json:"department"`
	Hall         *Named    `json:"hall"`
	Window       *Named    `json:"window"`
	Item         *Named    `json:"item"`
	Report       *Report   `json:"report"`
	WorkOrder    *OrderRow `json:"work_order"`
}

// Report is an evaluation's upward report (上报省平台).
type Report struct {
	At     time.Time `json:"at"`
	Timely bool      `json:"timely"`
}

// OrderRow is where a bad review's work order stands.
type OrderRow struct {
	ID            int64      `json:"id"`
	Number        string     `json:"number"`
	State         string     `json:"state"`
	Department    Named      `json:"department"` // the responsible unit now (after a reassignment, the new one)
	ReceivedAt    time.Time  `json:"received_at"`
	CalledBackAt  *time.Time `json:"called_back_at"`
	RectifiedAt   *time.Time `json:"rectified_at"`
	FedBackAt     *time.Time `json:"fed_back_at"`
	RectifyDue    time.Time  `json:"rectify_due"`
	AppealOutcome *string    `json:"appeal_outcome"`
}

// RowsPage is a page of the rows behind a figure, with their total, which equals the figure.
type RowsPage struct {
	Measure string `json:"measure"`
	Name    string `json:"name"`
	Part    string `json:"part"`
	Kind    string `json:"kind"` // evaluations or work_orders: what the figure counts
	Total   int64  `json:"total"`
	Page    int    `json:"page"`
	PerPage int    `json:"per_page"`
	Items   []Row  `json:"items"`
}

// Rows lists the evaluations or work orders that one part of a measure counts, newest first.
// Its total is the figure of Overview for the same Query: the SQL below reads the raw tables
// and mirrors each rule of the rollups (rollup.go, rectification.go) and of measures.
//
// The evaluation measures (主动评价率, 及时上报率) list what the rollups have counted so far: the
// rows of the transactions below the rollup's watermark, as the rollup job counts them; so the
// list and the figure agree between two runs too. The rectification measures list the work
// orders as they stand now, as rollup_rectification's recount does; the figure follows at the
// next recount of their day.
func (s *Service) Rows(ctx context.Context, q RowsQuery) (RowsPage, error) {
	def, ok := rowMeasures[q.Measure]
	if !ok {
		return RowsPage{}, problem.Invalid("invalid_measure", "measure",
			"measure 须为 active_rate、realname_rectification_rate、callback_rate、ontime_rate 或 timely_report_rate")
	}
	cond := def.denominator
	if q.Part == PartNumerator {
		cond = def.numerator
	} else if q.Part != PartDenominator {
		return RowsPage{}, problem.Invalid("invalid_part", "part", "part 须为 numerator 或 denominator")
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = 50
	}
	out := RowsPage{Measure: q.Measure, Name: def.name, Part: q.Part, Kind: def.kind, Page: q.Page, PerPage: q.PerPage, Items: []Row{}}
	// The rows are filtered as the rollups are, by Query.where on the rollups' own dimensions
	// (day, region_id, department_id, hall_id, channel), which the base computes as the
	// rollups do.
	where, args := q.where()
	from := fmt.Sprintf(`FROM (%s) r WHERE %s AND (%s)`, def.base, where, cond)
	// One snapshot for the count and the page (and the watermark both read); read-only and
	// REPEATABLE READ, which a hot standby runs too (it refuses SERIALIZABLE).
	err := s.read(ctx, func(db database.Querier) error {
		out.Total, out.Items = 0, []Row{}
		return pgx.BeginTxFunc(ctx, db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			return rowsPage(ctx, tx, q, from, args, &out)
		})
	})
	if err != nil {
		return RowsPage{}, err
	}
	return out, nil
}

// rowsPage counts the rows of the measure's part and reads the page asked for, in tx.
func rowsPage(ctx context.Context, tx pgx.Tx, q RowsQuery, from string, args []any, out *RowsPage) error {
	if err := tx.QueryRow(ctx, `SELECT count(*) `+from, args...).Scan(&out.Total); err != nil {
		return fmt.Errorf("count rows of %s: %w", q.Measure, err)
	}
	if int64(q.Page-1)*int64(q.PerPage) >= out.Total {
		return nil
	}
	n := len(args)
	rows, err := tx.Query(ctx, `SELECT r.id `+from+` ORDER BY r.rated_at DESC, r.id DESC
		LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), append(args, q.PerPage, (q.Page-1)*q.PerPage)...)
	if err != nil {
		return fmt.Errorf("rows of %s: %w", q.Measure, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("rows of %s: %w", q.Measure, err)
	}
	out.Items, err = describeRows(ctx, tx, ids)
	return err
}

// rowMeasure is how the rows of a measure are found: base lists the evaluations it can count
// with the rollup's dimensions (day, region_id, department_id, hall_id, channel) and the flags
// the parts test; numerator and denominator are conditions on those.
type rowMeasure struct {
	name, kind             string
	base                   string
	numerator, denominator string
}

// rolledUp is the watermark of the evaluations' rollup: every transaction below it is counted.
const rolledUp = `(SELECT COALESCE(max(watermark), 0) FROM rollup_state WHERE name = 'evaluations')`

// evaluationBase mirrors rollUpSQL (rollup_units). Dimensions: the Beijing day rated and the
// evaluation's region, department, hall (0 for none) and channel. counted: the rollup has added
// the evaluation (its transaction is below the watermark) and has not taken it out again as a
// default superseded by a later rating (its supersession's transaction below the watermark too) —
// 总评价量, "a superseded default not counted". upheld: its bad review's appeal was upheld
// (申诉成立), which takes it out of the rates (measures: rated = total − upheld), counted under the
// department rated (rectification.go). timely: reported upward in time, by a report the rollup
// has counted — as the rollup counts it, whatever became of the evaluation since (rep/tim rows).
var evaluationBase = `
SELECT e.id, e.rated_at, ` + dayOf("e.rated_at") + ` AS day, e.region_id, e.department_id,
       COALESCE(e.hall_id, 0) AS hall_id, e.channel, e.active,
       e.txid < ` + rolledUp + ` AND NOT EXISTS (SELECT 1 FROM evaluation_supersessions s
           WHERE s.default_id = e.id AND s.txid < ` + rolledUp + `) AS counted,
       e.bad AND EXISTS (SELECT 1 FROM work_orders w WHERE w.evaluation_id = e.id AND w.appeal_outcome = 'upheld') AS upheld,
       EXISTS (SELECT 1 FROM upward_reports u WHERE u.evaluation_id = e.id AND u.timely AND u.txid < ` + rolledUp + `) AS timely
FROM evaluations e
WHERE e.rated_at >= $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
  AND e.rated_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`

// orderBase mirrors recountRectificationSQL (rollup_rectification): every bad review, with its
// work order if dispatched. Dimensions: the Beijing day rated; the evaluation's region, hall and
// channel; the work order's department (after a reassignment, the new unit), else the
// evaluation's. upheld: 申诉成立, out of every rectification measure.
var orderBase = `
SELECT e.id, e.rated_at, ` + dayOf("e.rated_at") + ` AS day, e.region_id,
       COALESCE(w.department_id, e.department_id) AS department_id, COALESCE(e.hall_id, 0) AS hall_id, e.channel,
       e.real_name, w.appeal_outcome IS NOT DISTINCT FROM 'upheld' AS upheld, w.called_back_at, w.rectified_at,
       w.fed_back_at, w.rectify_due
FROM evaluations e LEFT JOIN work_orders w ON w.evaluation_id = e.id
WHERE e.bad
  AND e.rated_at >= $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
  AND e.rated_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`

var rowMeasures = map[string]rowMeasure{
	// 主动评价率 = (active − upheld active) / (total − upheld).
	"active_rate": {name: "主动评价率", kind: "evaluations", base: evaluationBase,
		numerator: "r.counted AND r.active AND NOT r.upheld", denominator: "r.counted AND NOT r.upheld"},
	// 及时上报率 = reported timely / total; upheld appeals stay in (every rating reported).
	"timely_report_rate": {name: "及时上报率", kind: "evaluations", base: evaluationBase,
		numerator: "r.timely", denominator: "r.counted"},
	// 回访率 = bad reviews called back / bad reviews, upheld appeals out.
	"callback_rate": {name: "回访率", kind: "work_orders", base: orderBase,
		numerator: "NOT r.upheld AND r.called_back_at IS NOT NULL", denominator: "NOT r.upheld"},
	// 实名差评整改率 = real-name bad reviews rectified or explained and fed back / real-name bad reviews.
	"realname_rectification_rate": {name: "实名差评整改率", kind: "work_orders", base: orderBase,
		numerator:   "NOT r.upheld AND r.real_name AND r.rectified_at IS NOT NULL AND r.fed_back_at IS NOT NULL",
		denominator: "NOT r.upheld AND r.real_name"},
	// 按时整改率 = rectified by the deadline / rectified.
	"ontime_rate": {name: "按时整改率", kind: "work_orders", base: orderBase,
		numerator:   "NOT r.upheld AND r.rectified_at IS NOT NULL AND r.rectified_at <= r.rectify_due",
		denominator: "NOT r.upheld AND r.rectified_at IS NOT NULL"},
}

// RowMeasures are the measures whose rows can be listed.
func RowMeasures() []string {
	return []string{"active_rate", "realname_rectification_rate", "callback_rate", "ontime_rate", "timely_report_rate"}
}

// describeRows reads what an office needs to recognise each evaluation, in the order of ids.
func describeRows(ctx context.Context, tx pgx.Tx, ids []int64) ([]Row, error) {
	rows, err := tx.Query(ctx, `
		SELECT e.id, e.rated_at, e.channel, e.level, e.active, e.superseded, e.real_name, c.case_no, e.stage, e.ticket_no,
		       d.code, d.name, h.code, h.name, wi.code, wi.name, i.code, i.name, u.reported_at, u.timely,
		       w.id, w.number, w.state, wd.code, wd.name, w.received_at, w.called_back_at, w.rectified_at, w.fed_back_at,
		       w.rectify_due, w.appeal_outcome
		FROM unnest($1::bigint[]) WITH ORDINALITY AS x (id, n)
		JOIN evaluations e ON e.id = x.id
		JOIN departments d ON d.id = e.department_id
		LEFT JOIN cases c ON c.id = e.case_id
		LEFT JOIN halls h ON h.id = e.hall_id
		LEFT JOIN windows wi ON wi.id = e.window_id
		LEFT JOIN service_items i ON i.id = e.item_id
		LEFT JOIN upward_reports u ON u.evaluation_id = e.id
		LEFT JOIN work_orders w ON w.evaluation_id = e.id
		LEFT JOIN departments wd ON wd.id = w.department_id
		ORDER BY x.n`, ids)
	if err != nil {
		return nil, fmt.Errorf("describe rows: %w", err)
	}
	defer rows.Close()
	out := make([]Row, 0, len(ids))
	for rows.Next() {
		var r Row
		var hall, window, item named
		var reportedAt *time.Time
		var timely *bool
		var woID *int64
		var woNumber, woState, woDeptCode, woDeptName *string
		var o OrderRow
		var received, due *time.Time
		if err := rows.Scan(&r.EvaluationID, &r.RatedAt, &r.Channel, &r.Level, &r.Active, &r.Superseded, &r.RealName,
			&r.CaseNo, &r.Stage, &r.TicketNo, &r.Department.Code, &r.Department.Name, &hall.code, &hall.name,
			&window.code, &window.name, &item.code, &item.name, &reportedAt, &timely,
			&woID, &woNumber, &woState, &woDeptCode, &woDeptName, &received, &o.CalledBackAt, &o.RectifiedAt, &o.FedBackAt,
			&due, &o.AppealOutcome); err != nil {
			return nil, fmt.Errorf("describe rows: %w", err)
		}
		r.Hall, r.Window, r.Item = hall.ptr(), window.ptr(), item.ptr()
		r.RatedAt = r.RatedAt.In(bjtime.Location) // read as an office reads them, in Beijing time
		if reportedAt != nil {
			r.Report = &Report{At: reportedAt.In(bjtime.Location), Timely: *timely}
		}
		if woID != nil {
			o.ID, o.Number, o.State = *woID, *woNumber, *woState
			o.Department = Named{Code: *woDeptCode, Name: *woDeptName}
			o.ReceivedAt, o.RectifyDue = received.In(bjtime.Location), due.In(bjtime.Location)
			for _, t := range []**time.Time{&o.CalledBackAt, &o.RectifiedAt, &o.FedBackAt} {
				if *t != nil {
					bj := (*t).In(bjtime.Location)
					*t = &bj
				}
			}
			r.WorkOrder = &o
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// named scans an optional code and name.
type named struct{ code, name *string }

func (n named) ptr() *Named {
	if n.code == nil {
		return nil
	}
	return &Named{Code: *n.code, Name: *n.name}
}
