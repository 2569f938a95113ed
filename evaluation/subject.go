package evaluation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// subject is what a submission rates, resolved from the database: the case or window visit,
// the units answerable for it ("谁办理、谁负责"), and the evaluation it may repeat.
type subject struct {
	caseID     *int64
	caseNo     string
	stage      Stage
	ticketNo   string
	servedAt   time.Time
	regionID   int64
	deptID     int64
	hallID     *int64
	windowID   *int64
	staffID    *int64
	itemID     *int64
	ratingDays int
	existing   int64 // the evaluation this submission repeats, if any

	applicantNameEnc     []byte
	applicantNameMasked  string
	applicantPhoneEnc    []byte
	applicantPhoneMasked string
	applicantPhoneIndex  []byte
	applicantIDIndex     []byte
}

func (subj *subject) fill(row *insertRow) {
	row.CaseID, row.caseNo = subj.caseID, subj.caseNo
	if subj.stage != "" {
		st := string(subj.stage)
		row.Stage = &st
	}
	row.TicketNo = ptr(subj.ticketNo)
	row.ServiceDay = bjtime.Day(subj.servedAt)
	row.RegionID, row.DepartmentID = subj.regionID, subj.deptID
	row.HallID, row.WindowID, row.StaffID, row.ItemID = subj.hallID, subj.windowID, subj.staffID, subj.itemID
	row.ServedAt = subj.servedAt.UTC()
}

const resolveCaseSQL = `
SELECT c.id, c.case_no, c.stage, c.accepted_at, c.completed_at,
       c.region_id, c.department_id, c.hall_id, c.window_id, c.staff_id, c.item_id,
       c.applicant_name_enc, c.applicant_name_masked, c.applicant_phone_enc, c.applicant_phone_masked,
       c.applicant_phone_index, c.applicant_id_index,
       COALESCE(region_setting(c.region_id, 'evaluation_window_days'), ''),
       (SELECT e.id FROM evaluations e WHERE e.case_id = c.id AND e.stage = COALESCE(NULLIF($2, ''), c.stage)
        UNION ALL
        SELECT e.id FROM evaluations e WHERE e.idem_key = $3
        LIMIT 1)
FROM cases c
WHERE `

func (s *Service) resolveCase(ctx context.Context, sub *Submission) (*subject, error) {
	where, arg := "c.case_no = $1", any(sub.CaseNo)
	if sub.CaseID != 0 {
		where, arg = "c.id = $1", sub.CaseID
	}
	var subj subject
	var id int64
	var caseStage Stage
	var acceptedAt time.Time
	var completedAt *time.Time
	var days string
	var existing *int64
	err := s.db.Pool.QueryRow(ctx, resolveCaseSQL+where, arg, string(sub.Stage), sub.Key).Scan(
		&id, &subj.caseNo, &caseStage, &acceptedAt, &completedAt,
		&subj.regionID, &subj.deptID, &subj.hallID, &subj.windowID, &subj.staffID, &subj.itemID,
		&subj.applicantNameEnc, &subj.applicantNameMasked, &subj.applicantPhoneEnc, &subj.applicantPhoneMasked,
		&subj.applicantPhoneIndex, &subj.applicantIDIndex, &days, &existing)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid("case_not_found", "case_no", "办件不存在：请确认办件编号，或稍后再评价")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve case: %w", err)
	}
	subj.caseID, subj.existing, subj.ratingDays = &id, deref(existing), atoi(days)
	subj.stage = sub.Stage
	if subj.stage == "" {
		subj.stage = caseStage
	}
	switch subj.stage {
	case Accept:
		subj.servedAt = acceptedAt
	case Complete:
		if completedAt == nil {
			if subj.existing != 0 {
				return &subj, nil
			}
			return nil, problem.Invalid("case_not_completed", "stage", "办件尚未办结，暂不能对办结环节评价")
		}
		subj.servedAt = *completedAt
	}
	return &subj, nil
}

const resolveTicketSQL = `
SELECT w.hall_id, w.department_id, h.region_id,
       (SELECT st.id FROM staff st WHERE st.staff_no = $2 AND st.active),
       COALESCE(region_setting(h.region_id, 'evaluation_window_days'), ''),
       (SELECT e.id FROM evaluations e WHERE e.window_id = w.id AND e.service_day = $3 AND e.ticket_no = $4
        UNION ALL
        SELECT e.id FROM evaluations e WHERE e.idem_key = $5
        LIMIT 1)
FROM windows w JOIN halls h ON h.id = w.hall_id
WHERE w.id = $1`

func (s *Service) resolveTicket(ctx context.Context, sub *Submission) (*subject, error) {
	subj := subject{ticketNo: sub.TicketNo, servedAt: sub.ServedAt}
	windowID, hallID := sub.WindowID, int64(0)
	var days string
	var existing *int64
	err := s.db.Pool.QueryRow(ctx, resolveTicketSQL, windowID, sub.StaffNo, bjtime.Day(sub.ServedAt), sub.TicketNo, sub.Key).Scan(
		&hallID, &subj.deptID, &subj.regionID, &subj.staffID, &days, &existing)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid("window_not_found", "window", "评价器登记的窗口不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve window visit: %w", err)
	}
	subj.windowID, subj.hallID = &windowID, &hallID
	subj.existing, subj.ratingDays = deref(existing), atoi(days)
	if sub.StaffNo != "" && subj.staffID == nil && subj.existing == 0 {
		return nil, problem.Invalid("staff_not_found", "staff_no", "工作人员编号不存在或已停用")
	}
	return &subj, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
