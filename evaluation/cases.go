package evaluation

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/problem"
)

// CaseInput is a case (办件) as a business system pushes it.
type CaseInput struct {
	CaseNo         string
	ItemCode       string // 事项编码
	DepartmentCode string // empty: the item's department
	HallCode       string // empty: the window's hall, if any
	WindowCode     string
	StaffNo        string
	Channel        Channel // where the case was handled; empty: window if a window is named, else pc
	Applicant      Applicant
	AcceptedAt     time.Time
	CompletedAt    *time.Time
	Stage          Stage // empty: complete when completed, else accept
}

// Applicant is the person or enterprise a case was handled for.
type Applicant struct {
	Kind string `json:"kind"` // person (default) or enterprise
	Person
}

// CaseResult is the answer for one stored case: its evaluation link for the receipt.
type CaseResult struct {
	ID            int64  `json:"id"`
	CaseNo        string `json:"case_no"`
	Status        string `json:"status"` // created or updated
	Stage         Stage  `json:"stage"`
	EvaluationURL string `json:"evaluation_url"`
	QRCodeURL     string `json:"qr_url"`
}

// CaseOutcome is the answer to one case of a batch.
type CaseOutcome struct {
	Result *CaseResult
	Err    error
}

// MaxCaseBatch bounds the cases of one request.
const MaxCaseBatch = 1000

var caseNoPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{4,64}$`)

// caseRow is a validated case ready to be written.
type caseRow struct {
	in                        *CaseInput
	itemID, regionID, deptID  int64
	hallID, windowID, staffID *int64
	stage                     Stage
}

// UpsertCases validates and stores cases; a case number seen before is updated. Each case is
// accepted or refused on its own, and the accepted ones are written in one transaction.
func (s *Service) UpsertCases(ctx context.Context, inputs []*CaseInput) []CaseOutcome {
	out := make([]CaseOutcome, len(inputs))
	now := s.Now()
	rows := make([]*caseRow, len(inputs))
	b := &pgx.Batch{}
	var pending []int
	for i, in := range inputs {
		if err := validateCase(in, now); err != nil {
			out[i].Err = err
			continue
		}
		pending = append(pending, i)
		b.Queue(lookupCaseRefsSQL, in.ItemCode, in.DepartmentCode, in.HallCode, in.WindowCode, in.StaffNo)
	}
	if len(pending) == 0 {
		return out
	}
	res := s.db.Pool.SendBatch(ctx, b)
	for _, i := range pending {
		row, err := scanCaseRefs(res.QueryRow(), inputs[i])
		rows[i], out[i].Err = row, err
	}
	if err := res.Close(); err != nil {
		for _, i := range pending {
			out[i].Err = fmt.Errorf("look up case references: %w", err)
		}
		return out
	}
	var valid []int
	for _, i := range pending {
		if out[i].Err == nil {
			valid = append(valid, i)
		}
	}
	write := func(idx []int) error {
		return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
			wb := &pgx.Batch{}
			for _, i := range idx {
				s.queueUpsert(wb, rows[i], now)
			}
			wr := tx.SendBatch(ctx, wb)
			defer wr.Close()
			for _, i := range idx {
				var id int64
				var inserted bool
				if err := wr.QueryRow().Scan(&id, &inserted); err != nil {
					return fmt.Errorf("store case %s: %w", inputs[i].CaseNo, err)
				}
				out[i].Result = s.caseResult(id, inputs[i].CaseNo, rows[i].stage, inserted)
			}
			return nil
		})
	}
	if err := write(valid); err != nil && len(valid) > 1 {
		for _, i := range valid { // one case must not cost the others: retry them one by one
			out[i].Result, out[i].Err = nil, write([]int{i})
		}
	} else if err != nil {
		out[valid[0]].Result, out[valid[0]].Err = nil, err
	}
	for _, i := range valid {
		if out[i].Err != nil && database.IsUnavailable(out[i].Err) {
			out[i].Err = &problem.Error{Status: 503, Code: "database_unavailable", Message: "数据库暂时不可用，请稍后重试"}
		}
	}
	return out
}

func (s *Service) caseResult(id int64, caseNo string, stage Stage, inserted bool) *CaseResult {
	token := s.LinkToken(id, stage)
	status := "updated"
	if inserted {
		status = "created"
	}
	return &CaseResult{ID: id, CaseNo: caseNo, Status: status, Stage: stage,
		EvaluationURL: s.EvaluationURL(token), QRCodeURL: s.QRCodeURL(token)}
}

func validateCase(in *CaseInput, now time.Time) error {
	in.CaseNo = strings.TrimSpace(in.CaseNo)
	switch {
	case !caseNoPattern.MatchString(in.CaseNo):
		return problem.Invalid("invalid_case_no", "case_no", "办件编号须为 4 至 64 位字母、数字、下划线或连字符")
	case strings.TrimSpace(in.ItemCode) == "":
		return problem.Invalid("item_required", "item_code", "请提供事项编码")
	case in.Channel != "" && !in.Channel.Valid():
		return problem.Invalid("invalid_channel", "channel", "办理渠道须为 pc、window、mobile 或 kiosk")
	case in.Stage != "" && !in.Stage.Valid():
		return problem.Invalid("invalid_stage", "stage", "办件环节须为 accept（受理）或 complete（办结）")
	case in.AcceptedAt.IsZero():
		return problem.Invalid("accepted_at_required", "accepted_at", "请提供受理时间")
	case in.AcceptedAt.After(now.Add(clockSkew)):
		return problem.Invalid("invalid_time", "accepted_at", "受理时间晚于当前时间")
	case in.CompletedAt != nil && in.CompletedAt.Before(in.AcceptedAt):
		return problem.Invalid("invalid_time", "completed_at", "办结时间早于受理时间")
	case in.CompletedAt != nil && in.CompletedAt.After(now.Add(clockSkew)):
		return problem.Invalid("invalid_time", "completed_at", "办结时间晚于当前时间")
	case in.Stage == Complete && in.CompletedAt == nil:
		return problem.Invalid("completed_at_required", "completed_at", "办结环节须提供办结时间")
	}
	if in.Stage == "" {
		in.Stage = Accept
		if in.CompletedAt != nil {
			in.Stage = Complete
		}
	}
	if in.Channel == "" {
		in.Channel = PC
		if in.WindowCode != "" {
			in.Channel = Window
		}
	}
	a := &in.Applicant
	if a.Kind == "" {
		a.Kind = "person"
	}
	if a.Kind != "person" && a.Kind != "enterprise" {
		return problem.Invalid("invalid_applicant", "applicant.kind", "申请人类型须为 person（个人）或 enterprise（企业）")
	}
	if err := validatePerson(&a.Person, "applicant"); err != nil {
		return err
	}
	if a.Name == "" {
		return problem.Invalid("applicant_required", "applicant.name", "请提供申请人姓名或企业名称")
	}
	return nil
}

const lookupCaseRefsSQL = `
SELECT i.id, i.department_id, d.id, COALESCE(d.region_id, di.region_id),
       h.id, h.region_id, w.id, w.hall_id, wh.region_id, s.id
FROM (SELECT 1) AS one
LEFT JOIN service_items i ON i.code = $1
LEFT JOIN departments di ON di.id = i.department_id
LEFT JOIN departments d ON d.code = NULLIF($2, '')
LEFT JOIN halls h ON h.code = NULLIF($3, '')
LEFT JOIN windows w ON w.code = NULLIF($4, '')
LEFT JOIN halls wh ON wh.id = w.hall_id
LEFT JOIN staff s ON s.staff_no = NULLIF($5, '')`

func scanCaseRefs(r pgx.Row, in *CaseInput) (*caseRow, error) {
	var itemID, itemDept, deptID, deptRegion, hallID, hallRegion, windowID, windowHall, windowRegion, staffID *int64
	if err := r.Scan(&itemID, &itemDept, &deptID, &deptRegion, &hallID, &hallRegion, &windowID, &windowHall, &windowRegion, &staffID); err != nil {
		return nil, fmt.Errorf("look up case references: %w", err)
	}
	switch {
	case itemID == nil:
		return nil, problem.Invalid("item_not_found", "item_code", "事项编码不存在")
	case in.DepartmentCode != "" && deptID == nil:
		return nil, problem.Invalid("department_not_found", "department_code", "部门编码不存在")
	case in.HallCode != "" && hallID == nil:
		return nil, problem.Invalid("hall_not_found", "hall_code", "大厅编码不存在")
	case in.WindowCode != "" && windowID == nil:
		return nil, problem.Invalid("window_not_found", "window_code", "窗口编码不存在")
	case hallID != nil && windowHall != nil && *hallID != *windowHall:
		return nil, problem.Invalid("window_not_in_hall", "window_code", "该窗口不属于所填大厅")
	case in.StaffNo != "" && staffID == nil:
		return nil, problem.Invalid("staff_not_found", "staff_no", "工作人员编号不存在")
	}
	row := &caseRow{in: in, itemID: *itemID, deptID: *itemDept, stage: in.Stage, windowID: windowID, staffID: staffID}
	if deptID != nil {
		row.deptID = *deptID
	}
	row.regionID = *deptRegion
	row.hallID = hallID
	switch {
	case hallID != nil:
		row.regionID = *hallRegion
	case windowID != nil:
		row.hallID, row.regionID = windowHall, *windowRegion
	}
	return row, nil
}

const upsertCaseSQL = `
INSERT INTO cases (case_no, item_id, region_id, department_id, hall_id, window_id, staff_id, source_channel,
                   applicant_kind, applicant_name_enc, applicant_name_masked, applicant_phone_enc,
                   applicant_phone_masked, applicant_phone_index, applicant_id_enc, applicant_id_index,
                   accepted_at, completed_at, stage, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
ON CONFLICT (case_no) DO UPDATE SET
    item_id = EXCLUDED.item_id, region_id = EXCLUDED.region_id, department_id = EXCLUDED.department_id,
    hall_id = EXCLUDED.hall_id, window_id = EXCLUDED.window_id, staff_id = EXCLUDED.staff_id,
    source_channel = EXCLUDED.source_channel, applicant_kind = EXCLUDED.applicant_kind,
    applicant_name_enc = EXCLUDED.applicant_name_enc, applicant_name_masked = EXCLUDED.applicant_name_masked,
    applicant_phone_enc = EXCLUDED.applicant_phone_enc, applicant_phone_masked = EXCLUDED.applicant_phone_masked,
    applicant_phone_index = EXCLUDED.applicant_phone_index, applicant_id_enc = EXCLUDED.applicant_id_enc,
    applicant_id_index = EXCLUDED.applicant_id_index, accepted_at = EXCLUDED.accepted_at,
    completed_at = EXCLUDED.completed_at, stage = EXCLUDED.stage, updated_at = EXCLUDED.updated_at
RETURNING id, (xmax = 0)`

func (s *Service) queueUpsert(b *pgx.Batch, r *caseRow, now time.Time) {
	a := r.in.Applicant
	name := pii.MaskName(a.Name)
	if a.Kind == "enterprise" {
		name = a.Name // an enterprise's name is public; its contact's phone is not
	}
	var completed *time.Time
	if r.in.CompletedAt != nil {
		t := r.in.CompletedAt.UTC()
		completed = &t
	}
	b.Queue(upsertCaseSQL, r.in.CaseNo, r.itemID, r.regionID, r.deptID, r.hallID, r.windowID, r.staffID,
		string(r.in.Channel), a.Kind, s.keys.Seal(a.Name), name, s.keys.Seal(a.Phone),
		pii.MaskPhone(a.Phone), s.keys.PhoneIndex(a.Phone), s.keys.Seal(a.IDNumber),
		s.keys.Index("id", a.IDNumber), r.in.AcceptedAt.UTC(), completed, string(r.stage), now)
}
