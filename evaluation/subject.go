package evaluation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/internal/refcache"
)

// subject is what a submission rates, resolved from the database: the case or window visit,
// the units answerable for it ("谁办理、谁负责"), the reason set of the service, and the
// evaluations it may repeat or replace.
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
	reasonKind ReasonKind // the service's: in the hall 现场, online 网上
	ratingDays int
	graceDays  int // how many days after its rating an offline record may still arrive

	repeat           int64 // the evaluation made under the same idempotency key, if any
	repeatUnread     bool  // repeat and rated were not read (a window visit): the insert finds them
	rated            int64 // the evaluation of this case and stage (or ticket) in force, if any
	ratedDefault     bool  // … and it is a default evaluation, which an active rating may replace
	placeRefusal     error // the device may not rate this subject (a kiosk of another hall, …)
	applicantNameEnc []byte

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

// ReasonKindOf is the reason set of a service by where it was delivered: a case handled at a
// window or a kiosk, or a window visit, is 现场; one handled on the portal or the app is 网上.
func ReasonKindOf(caseChannel Channel) ReasonKind {
	if caseChannel == PC || caseChannel == Mobile {
		return Online
	}
	return Offline
}

// The device's place and what it may rate there. A pad ($4: its window) rates the cases of its
// window, and names staff of its window — or of its hall, where the region's pad_scope is
// "hall". A kiosk ($5: its hall) rates the cases of its hall — or of the hall's region and the
// regions below, where kiosk_scope is "region". Backends (portal, app) are bound to no place.
const placeSQL = `
LEFT JOIN windows pw ON pw.id = NULLIF($4::bigint, 0)
LEFT JOIN halls ph ON ph.id = COALESCE(pw.hall_id, NULLIF($5::bigint, 0))
LEFT JOIN staff ps ON ps.staff_no = NULLIF($6::text, '') AND ps.active
CROSS JOIN LATERAL (
    SELECT COALESCE(region_setting(ph.region_id, 'pad_scope'), 'window') AS pad_scope,
           COALESCE(region_setting(ph.region_id, 'kiosk_scope'), 'hall') AS kiosk_scope
) place`

// staffAtPlaceSQL: the pad's staff_no names a staff member of its place ($4, via pw).
const staffAtPlaceSQL = `(ps.window_id = pw.id
    OR (place.pad_scope = 'hall' AND ps.window_id IN (SELECT hw.id FROM windows hw WHERE hw.hall_id = pw.hall_id)))`

const resolveCaseSQL = `
SELECT c.id, c.case_no, c.stage, c.accepted_at, c.completed_at,
       c.region_id, c.department_id, c.hall_id, c.window_id, c.staff_id, c.item_id, c.source_channel,
       c.applicant_name_enc, c.applicant_name_masked, c.applicant_phone_enc, c.applicant_phone_masked,
       c.applicant_phone_index, c.applicant_id_index,
       COALESCE(region_setting(c.region_id, 'evaluation_window_days'), ''),
       COALESCE(region_setting(c.region_id, 'offline_grace_days'), ''),
       (SELECT e.id FROM evaluations e WHERE e.idem_key = $3),
       rated.id, rated.active,
       CASE WHEN pw.id IS NOT NULL THEN c.window_id = pw.id
                 OR ((c.window_id IS NULL OR place.pad_scope = 'hall') AND c.hall_id = pw.hall_id)
            WHEN ph.id IS NOT NULL THEN c.hall_id = ph.id
                 OR (place.kiosk_scope = 'region' AND c.region_id IN (SELECT region_descendants(ph.region_id)))
            ELSE true END,
       ps.id, COALESCE(` + staffAtPlaceSQL + `, false)
FROM cases c
LEFT JOIN LATERAL (
    SELECT e.id, e.active FROM evaluations e
    WHERE e.case_id = c.id AND e.stage = COALESCE(NULLIF($2, ''), c.stage) AND NOT e.superseded
) rated ON true` + placeSQL + `
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
	var caseChannel Channel
	var days, grace string
	var repeat, rated, padStaff *int64
	var ratedActive *bool
	var placeOK, staffOK bool
	err := s.db.Pool.QueryRow(ctx, resolveCaseSQL+where, arg, string(sub.Stage), sub.Key,
		sub.WindowID, sub.HallID, sub.StaffNo).Scan(
		&id, &subj.caseNo, &caseStage, &acceptedAt, &completedAt,
		&subj.regionID, &subj.deptID, &subj.hallID, &subj.windowID, &subj.staffID, &subj.itemID, &caseChannel,
		&subj.applicantNameEnc, &subj.applicantNameMasked, &subj.applicantPhoneEnc, &subj.applicantPhoneMasked,
		&subj.applicantPhoneIndex, &subj.applicantIDIndex, &days, &grace,
		&repeat, &rated, &ratedActive, &placeOK, &padStaff, &staffOK)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid("case_not_found", "case_no", "办件不存在：请确认办件编号，或稍后再评价")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve case: %w", err)
	}
	subj.caseID, subj.ratingDays, subj.graceDays = &id, atoi(days), atoi(grace)
	subj.repeat, subj.rated = deref(repeat), deref(rated)
	subj.ratedDefault = ratedActive != nil && !*ratedActive
	subj.reasonKind = ReasonKindOf(caseChannel)
	subj.ticketNo = sub.TicketNo
	switch {
	case !placeOK && sub.WindowID != 0:
		subj.placeRefusal = problem.Invalid("case_not_at_window", "case_no", "该办件不是在本窗口办理的，评价器不能评价")
	case !placeOK:
		subj.placeRefusal = problem.Invalid("case_not_in_hall", "case_no", "该办件不是在本大厅办理的，自助终端不能评价")
	}
	if err := s.padStaff(sub, &subj, padStaff, staffOK); err != nil {
		subj.placeRefusal = err
	}
	subj.stage = sub.Stage
	if subj.stage == "" {
		subj.stage = caseStage
	}
	switch subj.stage {
	case Accept:
		subj.servedAt = acceptedAt
	case Complete:
		if completedAt == nil {
			if subj.repeat != 0 || subj.rated != 0 {
				return &subj, nil
			}
			return nil, problem.Invalid("case_not_completed", "stage", "办件尚未办结，暂不能对办结环节评价")
		}
		subj.servedAt = *completedAt
	}
	return &subj, nil
}

// padStaff checks the staff member a pad names: of its window (or hall), active. The case's own
// handler stays the one answerable; a pad's staff member stands in when the case names nobody.
func (s *Service) padStaff(sub *Submission, subj *subject, staffID *int64, atPlace bool) error {
	if sub.StaffNo == "" {
		return nil
	}
	switch {
	case staffID == nil:
		return problem.Invalid("staff_not_found", "staff_no", "工作人员编号不存在或已停用")
	case !atPlace:
		return problem.Invalid("staff_not_at_window", "staff_no", "该工作人员不在本评价器所在的窗口，不能对其评价")
	}
	if subj.staffID == nil {
		subj.staffID = staffID
	}
	return nil
}

// ticketPlace is what the rating of a window visit needs to know of the pad's window and the
// staff member it names: reference data, kept in memory (internal/refcache).
type ticketPlace struct {
	hallID, deptID, regionID int64
	ratingDays               string // the region's evaluation_window_days, if set
	padStaff                 *int64
	staffOK                  bool
}

// The place's parameters renumbered: $1 the window, $2 no hall, $3 the staff number.
var ticketPlaceSQL = strings.NewReplacer("$4", "$1", "$5", "$2", "$6", "$3").Replace(`
SELECT pw.hall_id, pw.department_id, ph.region_id,
       COALESCE(region_setting(ph.region_id, 'evaluation_window_days'), ''),
       ps.id, COALESCE(` + staffAtPlaceSQL + `, false)
FROM (SELECT 1) one` + placeSQL + `
WHERE pw.id IS NOT NULL`)

type ticketPlaceKey struct {
	windowID int64
	staffNo  string
}

// resolveTicket resolves a window visit from reference data alone: no evaluation is read. A
// repeat (the same key, or the same ticket at the window on the day) is found by the insert's
// unique keys in the group commit — or, for a submission refused before it, by ticketRepeat.
func (s *Service) resolveTicket(ctx context.Context, sub *Submission) (*subject, error) {
	subj := subject{ticketNo: sub.TicketNo, servedAt: sub.ServedAt, reasonKind: Offline, repeatUnread: true}
	windowID := sub.WindowID
	// The key outlives the request: its staff number is cloned, whatever buffer it came from.
	place, err := s.ticketPlaces.Get(ctx, ticketPlaceKey{windowID, strings.Clone(sub.StaffNo)}, func(ctx context.Context) (ticketPlace, error) {
		var p ticketPlace
		err := s.db.Pool.QueryRow(ctx, ticketPlaceSQL, windowID, int64(0), sub.StaffNo).Scan(
			&p.hallID, &p.deptID, &p.regionID, &p.ratingDays, &p.padStaff, &p.staffOK)
		if errors.Is(err, pgx.ErrNoRows) {
			return p, refcache.ErrNotFound
		}
		return p, err
	})
	if errors.Is(err, refcache.ErrNotFound) {
		return nil, problem.Invalid("window_not_found", "window", "评价器登记的窗口不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("resolve window visit: %w", err)
	}
	hallID := place.hallID
	subj.windowID, subj.hallID = &windowID, &hallID
	subj.deptID, subj.regionID, subj.ratingDays = place.deptID, place.regionID, atoi(place.ratingDays)
	subj.placeRefusal = s.padStaff(sub, &subj, place.padStaff, place.staffOK)
	return &subj, nil
}

// ticketRepeat finds the evaluation a window visit's submission repeats, if any.
func (s *Service) ticketRepeat(ctx context.Context, sub *Submission) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `
		SELECT id FROM evaluations WHERE idem_key = $1
		UNION ALL
		SELECT id FROM evaluations WHERE window_id = $2 AND service_day = $3 AND ticket_no = $4
		LIMIT 1`, sub.Key, sub.WindowID, bjtime.Day(sub.ServedAt), sub.TicketNo).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find the evaluation ticket %s repeats: %w", sub.TicketNo, err)
	}
	return id, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
