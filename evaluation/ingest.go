package evaluation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/internal/pii"
	"haochaping/internal/problem"
	"haochaping/internal/replay"
)

// insertRow is an evaluation ready to be written.
type insertRow struct {
	Key                  string
	Channel              string
	DeviceID             *string
	CaseID               *int64
	Stage                *string
	TicketNo             *string
	ServiceDay           time.Time
	RegionID             int64
	DepartmentID         int64
	HallID               *int64
	WindowID             *int64
	StaffID              *int64
	ItemID               *int64
	Level                int16
	Reasons              []string
	ReasonSetVersion     int32
	Comment              string // the masked copy (sealComment)
	CommentEnc           []byte // the comment in full, sealed, when it differs from the masked copy
	Active               bool
	RealName             bool
	EvaluatorNameEnc     []byte
	EvaluatorNameMasked  string
	EvaluatorPhoneEnc    []byte
	EvaluatorPhoneMasked string
	EvaluatorPhoneIndex  []byte
	ServedAt             time.Time
	RatedAt              time.Time
	ReceivedAt           time.Time // the business time it arrived: its work order's deadlines count from it
	ReasonKind           *string   // the set its reasons were checked against
	Replaces             int64     // the default evaluation this active rating supersedes, if any
	Replay               *replay.Mark

	caseNo string // for the answer
}

// Ingest validates a submission and stores it, answering only after the commit. A repeat —
// same key, same case and stage, or same ticket — answers the original with Status Duplicate.
// Refusals are *problem.Error values; nothing is written for them.
func (s *Service) Ingest(ctx context.Context, sub *Submission) (*Evaluation, error) {
	out := s.IngestBatch(ctx, []*Submission{sub})
	return out[0].Evaluation, out[0].Err
}

// Outcome is the answer to one submission of a batch.
type Outcome struct {
	Evaluation *Evaluation
	Err        error
}

// IngestBatch ingests submissions that arrived together (a kiosk's offline buffer). Each is
// accepted or refused on its own; the accepted ones are committed together.
func (s *Service) IngestBatch(ctx context.Context, subs []*Submission) []Outcome {
	out := make([]Outcome, len(subs))
	set, err := s.reasons.current(ctx)
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	now := s.Now()
	var jobs []*commitJob
	var index []int
	for i, sub := range subs {
		row, existing, err := s.prepare(ctx, sub, set, now)
		switch {
		case err != nil:
			out[i].Err = err
		case existing != 0:
			out[i].Evaluation, out[i].Err = s.duplicate(ctx, existing)
		default:
			jobs = append(jobs, &commitJob{row: row})
			index = append(index, i)
		}
	}
	if len(jobs) == 0 {
		return out
	}
	s.commits.submit(ctx, jobs)
	for k, j := range jobs {
		i := index[k]
		switch {
		case j.err != nil:
			out[i].Err = j.err
		case j.replayed:
			out[i].Err = replay.Refused()
		case j.created:
			out[i].Evaluation = j.row.evaluation(j.id, j.createdAt)
		default:
			out[i].Evaluation, out[i].Err = s.duplicate(ctx, j.id)
		}
	}
	return out
}

// duplicate answers a submission that repeats an evaluation: with the original's id alone —
// never its content, which may be another channel's rating of the case.
func (s *Service) duplicate(_ context.Context, id int64) (*Evaluation, error) {
	return &Evaluation{ID: id, Status: Duplicate}, nil
}

func (r *insertRow) evaluation(id int64, createdAt time.Time) *Evaluation {
	e := &Evaluation{
		ID: id, Status: Created, Channel: Channel(r.Channel), CaseNo: r.caseNo,
		Stage: Stage(deref(r.Stage)), TicketNo: deref(r.TicketNo), Level: Level(r.Level),
		Active: r.Active, RealName: r.RealName, Reasons: r.Reasons, Comment: r.Comment,
		Evaluator: r.EvaluatorNameMasked, Phone: r.EvaluatorPhoneMasked,
		ServedAt: r.ServedAt, RatedAt: r.RatedAt, CreatedAt: createdAt,
	}
	e.fill()
	return e
}

// prepare validates a submission against the rules and the database. It returns the row to
// write, or the id of the evaluation the submission repeats.
func (s *Service) prepare(ctx context.Context, sub *Submission, set *ReasonSet, now time.Time) (*insertRow, int64, error) {
	if err := ValidateStatic(sub, now); err != nil {
		return nil, 0, err
	}
	if sub.Key == "" {
		return nil, 0, errors.New("evaluation: a submission without a key")
	}
	var subj *subject
	var err error
	if sub.CaseNo == "" && sub.CaseID == 0 {
		subj, err = s.resolveTicket(ctx, sub)
	} else {
		subj, err = s.resolveCase(ctx, sub)
	}
	if err != nil {
		return nil, 0, err
	}
	if sub.MustBeApplicant && !s.isApplicant(sub.Evaluator, subj) {
		// Checked before a repeat is answered: the original is not shown to someone else.
		return nil, 0, problem.Forbidden("not_applicant", "登录用户不是该办件的申请人，不能评价")
	}
	if subj.placeRefusal != nil {
		return nil, 0, subj.placeRefusal
	}
	if subj.repeat != 0 {
		return nil, subj.repeat, nil
	}
	ratedAt, err := s.ratingTime(sub, subj, now)
	if err != nil {
		return s.refusedUnlessRepeat(ctx, sub, subj, err)
	}
	var replaces int64
	switch {
	case subj.rated != 0 && !subj.ratedDefault:
		return nil, subj.rated, nil // one service, one evaluation
	case subj.rated != 0:
		// A default is provisional: an active rating made inside the window replaces it.
		replaces = subj.rated
	}
	if err := s.checkRatingPeriod(subj, ratedAt); err != nil {
		return s.refusedUnlessRepeat(ctx, sub, subj, err)
	}
	codes, err := ResolveReasons(sub.Reasons, set, subj.reasonKind)
	if err != nil {
		return s.refusedUnlessRepeat(ctx, sub, subj, err)
	}
	row := &insertRow{
		Key: sub.Key, Channel: string(sub.Channel), DeviceID: ptr(sub.DeviceID),
		Level: int16(sub.Level), Reasons: codes, ReasonSetVersion: int32(set.Version),
		Comment: sub.Comment, Active: true, RatedAt: ratedAt.UTC(), ReceivedAt: now.UTC(), Replaces: replaces,
		Replay: sub.Replay,
	}
	if len(codes) > 0 {
		kind := string(subj.reasonKind)
		row.ReasonKind = &kind
	}
	if subj.windowID == nil && sub.WindowID != 0 {
		w := sub.WindowID // a pad rating a case that names only its hall: rated at the pad's window
		subj.windowID = &w
	}
	subj.fill(row)
	s.setEvaluator(row, sub, subj)
	row.Comment, row.CommentEnc = s.sealComment(sub, subj)
	return row, 0, nil
}

// refusedUnlessRepeat answers a submission refused by the rules — unless it repeats an
// evaluation, which answers it as a duplicate as it always does (a pad retrying after the
// rating period). Only a window visit, whose repeats are not read before, looks here.
func (s *Service) refusedUnlessRepeat(ctx context.Context, sub *Submission, subj *subject, refusal error) (*insertRow, int64, error) {
	if !subj.repeatUnread {
		return nil, 0, refusal
	}
	id, err := s.ticketRepeat(ctx, sub)
	if err != nil {
		return nil, 0, err
	}
	if id != 0 {
		return nil, id, nil
	}
	return nil, 0, refusal
}

// defaultGraceDays is how many natural days after its rating an offline record may arrive when
// the region sets no offline_grace_days.
const defaultGraceDays = 3

// ratingTime is when the rating counts as made. An offline device's record (a kiosk's buffer)
// carries its own time, believed if it arrives within the region's offline_grace_days of it;
// every other rating — the pads, the portal's and the app's backends — is timed by its
// arrival, so that nobody back-dates a rating into a window that has closed.
func (s *Service) ratingTime(sub *Submission, subj *subject, now time.Time) (time.Time, error) {
	if !sub.Offline || sub.RatedAt.IsZero() {
		return now, nil
	}
	grace := subj.graceDays
	if grace <= 0 {
		grace = defaultGraceDays
	}
	if now.Sub(sub.RatedAt) > time.Duration(grace)*24*time.Hour {
		return time.Time{}, problem.Invalid("offline_record_too_late", "rated_at",
			fmt.Sprintf("离线评价须在评价后 %d 日内上传，该记录已超过期限", grace))
	}
	return sub.RatedAt, nil
}

// checkRatingPeriod enforces the evaluation window: from the service until the end of the
// N-th natural day after it (Beijing time), N = the region's evaluation_window_days.
func (s *Service) checkRatingPeriod(subj *subject, ratedAt time.Time) error {
	if ratedAt.Before(subj.servedAt.Add(-clockSkew)) {
		return problem.Invalid("rated_before_service", "rated_at", "评价时间早于服务时间")
	}
	days := subj.ratingDays
	if days <= 0 {
		days = s.settings.RatingDays
	}
	if ratedAt.After(RatingDeadline(subj.servedAt, days)) {
		return problem.Invalid("rating_period_over", "rated_at",
			fmt.Sprintf("已超过评价期限：服务后 %d 个自然日内可评价", days))
	}
	return nil
}

// RatingDeadline is the last instant a service at servedAt may be rated: the end of the
// days-th natural day after the service day, in Beijing time.
func RatingDeadline(servedAt time.Time, days int) time.Time {
	return bjtime.StartOfDay(bjtime.Day(servedAt).AddDate(0, 0, days+1)).Add(-time.Nanosecond)
}

func (s *Service) setEvaluator(row *insertRow, sub *Submission, subj *subject) {
	switch {
	case sub.EvaluatorIsApplicant:
		row.EvaluatorNameEnc, row.EvaluatorNameMasked = subj.applicantNameEnc, subj.applicantNameMasked
		row.EvaluatorPhoneEnc, row.EvaluatorPhoneMasked = subj.applicantPhoneEnc, subj.applicantPhoneMasked
		row.EvaluatorPhoneIndex = subj.applicantPhoneIndex
		if subj.applicantPhoneEnc == nil && sub.CallbackPhone != "" {
			row.EvaluatorPhoneEnc, row.EvaluatorPhoneMasked = s.keys.Seal(sub.CallbackPhone), pii.MaskPhone(sub.CallbackPhone)
			row.EvaluatorPhoneIndex = s.keys.PhoneIndex(sub.CallbackPhone)
		}
	case sub.Evaluator != nil:
		p := sub.Evaluator
		row.EvaluatorNameEnc, row.EvaluatorNameMasked = s.keys.Seal(p.Name), pii.MaskName(p.Name)
		row.EvaluatorPhoneEnc, row.EvaluatorPhoneMasked = s.keys.Seal(p.Phone), pii.MaskPhone(p.Phone)
		row.EvaluatorPhoneIndex = s.keys.PhoneIndex(p.Phone)
	}
	row.RealName = row.EvaluatorPhoneEnc != nil
}

// isApplicant matches the evaluator to the case's applicant by ID number, else by phone.
// A case that names neither cannot be checked and is let through.
func (s *Service) isApplicant(p *Person, subj *subject) bool {
	// Under every configured key: a case not yet rehashed by `keys rotate` still matches.
	if subj.applicantIDIndex != nil && p.IDNumber != "" {
		return slices.ContainsFunc(s.keys.Indexes("id", p.IDNumber), func(h []byte) bool { return bytes.Equal(h, subj.applicantIDIndex) })
	}
	if subj.applicantPhoneIndex != nil && p.Phone != "" {
		return slices.ContainsFunc(s.keys.PhoneIndexes(p.Phone), func(h []byte) bool { return bytes.Equal(h, subj.applicantPhoneIndex) })
	}
	return subj.applicantIDIndex == nil && subj.applicantPhoneIndex == nil
}
