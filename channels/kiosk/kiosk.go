// Package kiosk is the adapter of the self-service terminals (自助终端). A kiosk may be offline
// and buffer its ratings; it uploads them later as a batch, each record with the kiosk's own
// sequence number and the original time. Each record is accepted or refused on its own.
package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/database"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// MaxRecords bounds the records of one upload.
const MaxRecords = 500

// Record is one buffered rating of a case handled at the kiosk.
type Record struct {
	Seq    *int64 `json:"seq"` // the kiosk's local sequence number: its retry key
	CaseNo string `json:"case_no"`
	Stage  string `json:"stage"` // optional: the case's current stage
	channels.Rating
	RatedAt channels.Time `json:"rated_at"` // when the citizen rated, by the kiosk's clock
}

// Payload is an upload. Records are read one by one (Records), so that a record that cannot
// be read is refused alone.
type Payload struct {
	Raw     []json.RawMessage `json:"records"`
	Records []Record          `json:"-"`
	Errors  []*problem.Error  `json:"-"` // per record: why it could not be read, or nil
}

// Result is the answer for one record.
type Result struct {
	Seq        *int64                 `json:"seq"`    // null when the record had none
	Status     string                 `json:"status"` // created, duplicate or rejected
	Evaluation *evaluation.Evaluation `json:"evaluation,omitempty"`
	ID         int64                  `json:"id,omitempty"`
	*problem.Error
}

// Answer is the answer to an upload.
type Answer struct {
	Accepted   int      `json:"accepted"`
	Duplicates int      `json:"duplicates"`
	Rejected   int      `json:"rejected"`
	Results    []Result `json:"results"`
	// Records are the records read, one for each result: for a caller that logs the refused.
	Records []Record `json:"-"`
}

// Decode reads the upload; records are checked one by one later, so that one bad record does
// not refuse the others.
func Decode(body []byte) (*Payload, error) {
	var p Payload
	if err := jsonbody.Decode(body, &p); err != nil {
		return nil, err
	}
	switch {
	case len(p.Raw) == 0:
		return nil, problem.Invalid("records_required", "records", "上传内容中没有评价记录")
	case len(p.Raw) > MaxRecords:
		return nil, problem.Invalid("too_many_records", "records", fmt.Sprintf("每次最多上传 %d 条记录", MaxRecords))
	}
	p.Records = make([]Record, len(p.Raw))
	p.Errors = make([]*problem.Error, len(p.Raw))
	for i, raw := range p.Raw {
		if err := jsonbody.Decode(raw, &p.Records[i]); err != nil {
			perr, _ := problem.As(err)
			p.Errors[i] = perr
			// Keep the sequence number if it can be read, so that the kiosk knows which record failed.
			var seq struct {
				Seq *int64 `json:"seq"`
			}
			_ = json.Unmarshal(raw, &seq)
			p.Records[i] = Record{Seq: seq.Seq}
		}
	}
	return &p, nil
}

// Check returns the refusal of a record that cannot become a submission.
func (r *Record) Check() *problem.Error {
	r.CaseNo = strings.TrimSpace(r.CaseNo)
	switch {
	case r.Seq == nil || *r.Seq < 0:
		return problem.Invalid("seq_required", "seq", "每条记录须有非负的本机序号 seq")
	case r.CaseNo == "":
		return problem.Invalid("case_no_required", "case_no", "请提供办件编号")
	case len(r.CaseNo) > 64:
		return problem.Invalid("invalid_case_no", "case_no", "办件编号过长")
	case r.RatedAt.IsZero():
		return problem.Invalid("rated_at_required", "rated_at", "请提供评价时的原始时间")
	}
	return nil
}

// Submission maps a checked record of a kiosk in hall hallID; the evaluator is the applicant
// who used the kiosk, and the record's own time counts (the kiosk may have been offline).
func (r *Record) Submission(deviceID string, hallID int64) *evaluation.Submission {
	sub := &evaluation.Submission{
		Channel: evaluation.Kiosk, DeviceID: deviceID, Key: "kiosk:" + deviceID + ":" + strconv.FormatInt(*r.Seq, 10),
		CaseNo: r.CaseNo, Stage: evaluation.Stage(r.Stage), HallID: hallID,
		RatedAt: r.RatedAt.Time, Offline: true, EvaluatorIsApplicant: true,
	}
	r.Rating.Apply(sub)
	return sub
}

// errRecordRefused answers a record the database refused for its content: a retry would
// fail the same way, so the record is rejected alone.
var errRecordRefused = problem.Invalid("record_refused", "", "该记录未能保存：数据库拒绝了其内容，请核对后重新评价")

// recordRefusal sorts the failure of one record's store. A *problem.Error under 500 is the
// record's own refusal. The database refusing the record's data (a constraint, a value it
// cannot store: database.IsDataRefusal) fails the same way on every retry, and answering the
// batch 5xx would have the kiosk resend it forever while the others sit committed: that record
// alone is rejected (record_refused), and the cause logged. Anything else — a 5xx of ours, the
// database unreachable, the request's context ended, an error not understood — is taken for an
// outage of the batch: the kiosk keeps its buffer and retries it all (the records that did
// commit answer duplicate then), so that no rating is dropped on a guess.
func recordRefusal(err error) (refusal *problem.Error, outage bool) {
	if perr, ok := problem.As(err); ok {
		return perr, perr.Status >= 500
	}
	if database.IsDataRefusal(err) {
		return errRecordRefused, false
	}
	return nil, true
}

// Register mounts POST /channels/kiosk/evaluations, the signed API of kiosks; log receives the
// records the database refused.
func Register(r fiber.Router, auth *channels.Authenticator, svc *evaluation.Service, log *slog.Logger) {
	r.Post("/channels/kiosk/evaluations", auth.Require("kiosk"), func(c *fiber.Ctx) error {
		ans, err := Upload(c.UserContext(), svc, log, channels.DeviceOf(c), c.Body())
		if err != nil {
			return err
		}
		return c.JSON(ans)
	})
}

// Upload takes one upload of kiosk dev and answers each record: the signed API's and the
// kiosk page's (web/citizen), so that both follow one contract. An error refuses the whole
// upload: unreadable (4xx), or an outage of the store (5xx), after which the kiosk keeps its
// buffer and sends it all again — the records that did commit then answer duplicate.
func Upload(ctx context.Context, svc *evaluation.Service, log *slog.Logger, dev *channels.Device, body []byte) (*Answer, error) {
	if dev == nil || dev.HallID == nil {
		return nil, fmt.Errorf("kiosk upload: device %v has no hall", dev)
	}
	p, err := Decode(body)
	if err != nil {
		return nil, err
	}
	ans := &Answer{Results: make([]Result, len(p.Records)), Records: p.Records}
	var subs []*evaluation.Submission
	var at []int
	for i := range p.Records {
		rec := &p.Records[i]
		ans.Results[i].Seq = rec.Seq
		if perr := p.Errors[i]; perr != nil {
			ans.Results[i].Status, ans.Results[i].Error = "rejected", perr
			continue
		}
		if perr := rec.Check(); perr != nil {
			ans.Results[i].Status, ans.Results[i].Error = "rejected", perr
			continue
		}
		subs = append(subs, rec.Submission(dev.ID, *dev.HallID))
		at = append(at, i)
	}
	for k, o := range svc.IngestBatch(ctx, subs) {
		res := &ans.Results[at[k]]
		if o.Err != nil {
			perr, outage := recordRefusal(o.Err)
			if outage {
				return nil, o.Err // the store failed: the kiosk keeps its buffer and retries it all
			}
			if _, ok := problem.As(o.Err); !ok {
				log.Error("kiosk record refused by the database", "device", dev.ID, "seq", *p.Records[at[k]].Seq, "err", o.Err)
			}
			res.Status, res.Error = "rejected", perr
			continue
		}
		res.Status, res.ID = string(o.Evaluation.Status), o.Evaluation.ID
		if o.Evaluation.Status == evaluation.Created {
			res.Evaluation = o.Evaluation // a duplicate's content stays with its original
		}
	}
	for _, r := range ans.Results {
		switch r.Status {
		case "created":
			ans.Accepted++
		case "duplicate":
			ans.Duplicates++
		default:
			ans.Rejected++
		}
	}
	return ans, nil
}
