package evaluation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// The counter pad (评价器) is asked to rate by its window's business system: a case, or a
// visit by its ticket. Before the pad shows the rating, the request is checked as the rating
// will be — the same resolution of the case and of the pad's place (subject.go) — so that a
// citizen is never asked to rate what the pad may not rate, or what was rated already.

// DefaultPadPromptSeconds is how long a pad shows a rating nobody touches, for regions
// without a pad_prompt_seconds setting.
const DefaultPadPromptSeconds = 120

// PadSubject is what a pad is asked to rate, with what it shows the citizen: which service
// (事项, 单位, 大厅 and 窗口, the time), who served, and the reasons of the service's set.
type PadSubject struct {
	CaseNo     string
	Stage      Stage // the stage rated: the one named, else the case's current one; "" for a visit
	TicketNo   string
	ServedAt   time.Time
	ItemName   string // empty for a visit without a case
	Department string
	Hall       string
	Window     string
	StaffNo    string // who served: the one named, else the case's handler; empty when unknown
	StaffName  string
	Kind       ReasonKind
	Reasons    []Reason
	Deadline   time.Time // the last instant it may be rated
	RegionID   int64
	// PromptSeconds is how long the pad shows the rating untouched (the region's
	// pad_prompt_seconds, else DefaultPadPromptSeconds).
	PromptSeconds int
}

// PadSubject checks what a pad (sub.WindowID, sub.StaffNo) is asked to rate — sub.CaseNo with
// sub.Stage, else sub.TicketNo served at sub.ServedAt — as Ingest will check the rating, and
// returns what the pad shows. Refusals: invalid_stage, served_at_required, invalid_time,
// case_not_found, case_not_completed, case_not_at_window, window_not_found, staff_not_found,
// staff_not_at_window, rating_period_over (422) and already_rated (409).
func (s *Service) PadSubject(ctx context.Context, sub *Submission) (*PadSubject, error) {
	now := s.Now()
	switch {
	case sub.WindowID == 0:
		return nil, problem.Invalid("window_required", "window", "评价器须登记到一个窗口")
	case sub.Stage != "" && !sub.Stage.Valid():
		return nil, problem.Invalid("invalid_stage", "stage", "评价环节须为 accept（受理）或 complete（办结）")
	case sub.CaseNo == "" && sub.ServedAt.IsZero():
		return nil, problem.Invalid("served_at_required", "served_at", "请提供服务时间")
	case !sub.ServedAt.IsZero() && sub.ServedAt.After(now.Add(clockSkew)):
		return nil, problem.Invalid("invalid_time", "served_at", "服务时间晚于当前时间")
	}
	var subj *subject
	var err error
	if sub.CaseNo != "" {
		subj, err = s.resolveCase(ctx, sub)
	} else {
		subj, err = s.resolveTicket(ctx, sub)
	}
	if err != nil {
		return nil, err
	}
	if subj.placeRefusal != nil {
		return nil, subj.placeRefusal
	}
	if subj.rated != 0 && !subj.ratedDefault {
		// One service, one evaluation: a citizen asked again would rate for nothing.
		return nil, problem.Conflict("already_rated", "本次服务已经评价过：每次服务只评价一次")
	}
	if err := s.checkRatingPeriod(subj, now); err != nil {
		return nil, err
	}
	days := subj.ratingDays
	if days <= 0 {
		days = s.settings.RatingDays
	}
	set, err := s.Reasons(ctx)
	if err != nil {
		return nil, err
	}
	p := &PadSubject{
		CaseNo: subj.caseNo, Stage: subj.stage, TicketNo: sub.TicketNo, ServedAt: subj.servedAt,
		Kind: subj.reasonKind, Reasons: set.Of(subj.reasonKind), Deadline: RatingDeadline(subj.servedAt, days),
		RegionID: subj.regionID,
	}
	if err := s.padNames(ctx, p, sub, subj); err != nil {
		return nil, err
	}
	return p, nil
}

// padNames fills in the names the pad shows. The window is the case's, else the pad's; the
// staff member the one the window's system named, else the case's handler.
func (s *Service) padNames(ctx context.Context, p *PadSubject, sub *Submission, subj *subject) error {
	window := sub.WindowID
	if subj.windowID != nil {
		window = *subj.windowID
	}
	var seconds string
	err := s.db.Pool.QueryRow(ctx, `
		SELECT COALESCE(i.name, ''), d.name, COALESCE(h.name, ''), COALESCE(w.name, ''),
		       COALESCE(st.staff_no, ''), COALESCE(st.name, ''),
		       COALESCE(region_setting(ph.region_id, 'pad_prompt_seconds'), '')
		FROM departments d
		JOIN windows pw ON pw.id = $6
		JOIN halls ph ON ph.id = pw.hall_id
		LEFT JOIN service_items i ON i.id = $2
		LEFT JOIN halls h ON h.id = $3
		LEFT JOIN windows w ON w.id = $4
		LEFT JOIN staff st ON CASE WHEN $5 <> '' THEN st.staff_no = $5 ELSE st.id = $7 END
		WHERE d.id = $1`,
		subj.deptID, subj.itemID, subj.hallID, window, sub.StaffNo, sub.WindowID, subj.staffID).Scan(
		&p.ItemName, &p.Department, &p.Hall, &p.Window, &p.StaffNo, &p.StaffName, &seconds)
	if errors.Is(err, pgx.ErrNoRows) {
		return problem.Invalid("window_not_found", "window", "评价器登记的窗口不存在")
	}
	if err != nil {
		return fmt.Errorf("names of what the pad rates: %w", err)
	}
	if p.PromptSeconds = atoi(seconds); p.PromptSeconds <= 0 {
		p.PromptSeconds = DefaultPadPromptSeconds
	}
	return nil
}

// PadPlace is what a pad shows while nobody rates: its window and hall, and who serves there.
type PadPlace struct {
	Window     string
	Hall       string
	Department string
	Staff      []StaffRef // the active staff of the window, by number
}

// StaffRef names a staff member as a pad shows them: number and name.
type StaffRef struct {
	No   string `json:"no"`
	Name string `json:"name"`
}

// PadPlace reads the place of the pad registered to windowID.
func (s *Service) PadPlace(ctx context.Context, windowID int64) (*PadPlace, error) {
	var p PadPlace
	err := s.db.Pool.QueryRow(ctx, `
		SELECT w.name, h.name, d.name FROM windows w
		JOIN halls h ON h.id = w.hall_id JOIN departments d ON d.id = w.department_id
		WHERE w.id = $1`, windowID).Scan(&p.Window, &p.Hall, &p.Department)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid("window_not_found", "window", "评价器登记的窗口不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("place of window %d: %w", windowID, err)
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT staff_no, name FROM staff WHERE window_id = $1 AND active ORDER BY staff_no`, windowID)
	if err != nil {
		return nil, fmt.Errorf("staff of window %d: %w", windowID, err)
	}
	p.Staff, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StaffRef, error) {
		var s StaffRef
		return s, r.Scan(&s.No, &s.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("staff of window %d: %w", windowID, err)
	}
	return &p, nil
}
