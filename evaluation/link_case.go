package evaluation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// LinkCase is what the page behind an evaluation link shows before the citizen rates: which
// service it is (事项, 单位, 大厅 or 窗口, the date), the reasons of its set, and whether the link
// may still be used. Nothing of the applicant is in it but whether a phone is on record.
type LinkCase struct {
	CaseID     int64
	CaseNo     string
	Stage      Stage
	ItemName   string
	Department string
	Hall       string // empty for a service done online
	Window     string
	ServedAt   time.Time
	Deadline   time.Time // the last instant it may be rated
	Kind       ReasonKind
	Reasons    []Reason
	// HasPhone: the case names the applicant's phone, so a bad review can be called back
	// without asking for one.
	HasPhone bool
	// Rated is the rating in force for this case and stage when the citizen (or anyone) has
	// rated it; a default evaluation does not count, since the citizen may still replace it.
	Rated *Evaluation
	// Defaulted: the rating period ended with no rating, and the default evaluation stands.
	Defaulted bool
	RegionID  int64
	// Token is the case's evaluation link token at this stage: its page shows the rating given
	// and what became of it, whichever channel took the rating.
	Token string
}

// Open reports whether the link can still take a rating.
func (l *LinkCase) Open(now time.Time) bool { return l.Rated == nil && !now.After(l.Deadline) }

// OpenLink reads the case an evaluation link names. A bad token is a 404 invalid_token.
func (s *Service) OpenLink(ctx context.Context, token string) (*LinkCase, error) {
	caseID, stage, err := s.ParseLinkToken(token)
	if err != nil {
		return nil, problem.NotFound("invalid_token", "评价二维码无效，请使用办件回执上的二维码")
	}
	return s.openCase(ctx, caseID, stage)
}

// OpenCase reads a case by its number, at a stage (empty: its current one), as OpenLink does:
// for the portal's page, which names the case rather than carrying a link.
func (s *Service) OpenCase(ctx context.Context, caseNo string, stage Stage) (*LinkCase, error) {
	var id int64
	var current Stage
	err := s.db.Pool.QueryRow(ctx, `SELECT id, stage FROM cases WHERE case_no = $1`, caseNo).Scan(&id, &current)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("case_not_found", "办件不存在：请确认办件编号")
	}
	if err != nil {
		return nil, fmt.Errorf("open case %s: %w", caseNo, err)
	}
	if stage == "" {
		stage = current
	}
	if !stage.Valid() {
		return nil, problem.Invalid("invalid_stage", "stage", "评价环节须为 accept（受理）或 complete（办结）")
	}
	return s.openCase(ctx, id, stage)
}

// openCase reads a case at a stage as a rating page shows it: the link's, or the kiosk's
// (CaseAtKiosk).
func (s *Service) openCase(ctx context.Context, caseID int64, stage Stage) (*LinkCase, error) {
	l := &LinkCase{CaseID: caseID, Stage: stage}
	var channel Channel
	var days string
	var ratedID *int64
	var ratedActive *bool
	err := s.db.Pool.QueryRow(ctx, `
		SELECT c.case_no, c.region_id, i.name, d.name, COALESCE(h.name, ''), COALESCE(w.name, ''),
		       CASE WHEN $2 = 'accept' THEN c.accepted_at ELSE c.completed_at END,
		       c.source_channel, c.applicant_phone_enc IS NOT NULL,
		       COALESCE(region_setting(c.region_id, 'evaluation_window_days'), ''),
		       e.id, e.active
		FROM cases c
		JOIN service_items i ON i.id = c.item_id
		JOIN departments d ON d.id = c.department_id
		LEFT JOIN halls h ON h.id = c.hall_id
		LEFT JOIN windows w ON w.id = c.window_id
		LEFT JOIN evaluations e ON e.case_id = c.id AND e.stage = $2 AND NOT e.superseded
		WHERE c.id = $1`, caseID, string(stage)).Scan(
		&l.CaseNo, &l.RegionID, &l.ItemName, &l.Department, &l.Hall, &l.Window, &l.ServedAt,
		&channel, &l.HasPhone, &days, &ratedID, &ratedActive)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("invalid_token", "评价二维码对应的办件不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("open evaluation link of case %d: %w", caseID, err)
	}
	if l.ServedAt.IsZero() {
		// The link of the completion stage of a case not yet completed.
		return nil, problem.NotFound("case_not_completed", "该办件尚未办结，办结后即可评价")
	}
	n := atoi(days)
	if n <= 0 {
		n = s.settings.RatingDays
	}
	l.Deadline = RatingDeadline(l.ServedAt, n)
	l.Kind = ReasonKindOf(channel)
	set, err := s.Reasons(ctx)
	if err != nil {
		return nil, err
	}
	l.Reasons = set.Of(l.Kind)
	l.Token = s.LinkToken(caseID, stage)
	switch {
	case ratedID != nil && *ratedActive:
		if l.Rated, err = s.Get(ctx, *ratedID); err != nil {
			return nil, err
		}
	case ratedID != nil:
		l.Defaulted = s.Now().After(l.Deadline)
	}
	return l, nil
}

// ReasonNames maps reason codes of the link's set to their names, for showing a rating.
func (l *LinkCase) ReasonNames(codes []string) []string { return namesOf(l.Reasons, codes) }
