// Package system receives cases (办件) from the business systems, signed like devices (channel
// "system"), and answers each case with its evaluation link for the receipt.
package system

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// Case is a case as a business system sends it.
type Case struct {
	CaseNo         string                `json:"case_no"`
	ItemCode       string                `json:"item_code"`
	DepartmentCode string                `json:"department_code"`
	HallCode       string                `json:"hall_code"`
	WindowCode     string                `json:"window_code"`
	StaffNo        string                `json:"staff_no"`
	Channel        string                `json:"channel"`
	Applicant      *evaluation.Applicant `json:"applicant"`
	AcceptedAt     channels.Time         `json:"accepted_at"`
	CompletedAt    channels.Time         `json:"completed_at"`
	Stage          string                `json:"stage"`
}

// Input maps the case to the domain's input.
func (c *Case) Input() *evaluation.CaseInput {
	in := &evaluation.CaseInput{
		CaseNo: c.CaseNo, ItemCode: strings.TrimSpace(c.ItemCode), DepartmentCode: strings.TrimSpace(c.DepartmentCode),
		HallCode: strings.TrimSpace(c.HallCode), WindowCode: strings.TrimSpace(c.WindowCode),
		StaffNo: strings.TrimSpace(c.StaffNo), Channel: evaluation.Channel(c.Channel),
		AcceptedAt: c.AcceptedAt.Time, Stage: evaluation.Stage(c.Stage),
	}
	if c.Applicant != nil {
		in.Applicant = *c.Applicant
	}
	if !c.CompletedAt.IsZero() {
		t := c.CompletedAt.Time
		in.CompletedAt = &t
	}
	return in
}

// Decode reads one case (a JSON object), or a batch: a JSON array or {"cases": [...]}.
func Decode(body []byte) (cases []Case, batch bool, err error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = jsonbody.Decode(body, &cases)
		batch = true
	} else {
		var probe struct {
			Cases json.RawMessage `json:"cases"`
		}
		if err = jsonbody.Decode(body, &probe); err != nil {
			return nil, false, err
		}
		if probe.Cases != nil {
			err = jsonbody.Decode(probe.Cases, &cases)
			batch = true
		} else {
			cases = make([]Case, 1)
			err = jsonbody.Decode(body, &cases[0])
		}
	}
	if err != nil {
		return nil, false, err
	}
	if len(cases) == 0 {
		return nil, false, problem.Invalid("cases_required", "cases", "没有办件")
	}
	if len(cases) > evaluation.MaxCaseBatch {
		return nil, false, problem.Invalid("too_many_cases", "cases", fmt.Sprintf("每次最多推送 %d 个办件", evaluation.MaxCaseBatch))
	}
	return cases, batch, nil
}

// BatchResult is the answer for one case of a batch.
type BatchResult struct {
	Index  int    `json:"index"`
	CaseNo string `json:"case_no"`
	*evaluation.CaseResult
	*problem.Error
	Status string `json:"status"` // created, updated or rejected
}

// BatchAnswer is the answer to a batch.
type BatchAnswer struct {
	Accepted int           `json:"accepted"`
	Rejected int           `json:"rejected"`
	Results  []BatchResult `json:"results"`
}

// Register mounts POST /cases.
func Register(r fiber.Router, auth *channels.Authenticator, svc *evaluation.Service) {
	r.Post("/cases", auth.Require("system"), func(c *fiber.Ctx) error {
		cases, batch, err := Decode(c.Body())
		if err != nil {
			return err
		}
		inputs := make([]*evaluation.CaseInput, len(cases))
		for i := range cases {
			inputs[i] = cases[i].Input()
		}
		outcomes := svc.UpsertCases(c.UserContext(), inputs)
		if !batch {
			o := outcomes[0]
			if o.Err != nil {
				return o.Err
			}
			status := fiber.StatusOK
			if o.Result.Status == "created" {
				status = fiber.StatusCreated
			}
			return c.Status(status).JSON(o.Result)
		}
		ans := BatchAnswer{Results: make([]BatchResult, len(outcomes))}
		for i, o := range outcomes {
			res := &ans.Results[i]
			res.Index, res.CaseNo = i, inputs[i].CaseNo
			if o.Err != nil {
				perr, ok := problem.As(o.Err)
				if !ok || perr.Status >= 500 {
					return o.Err
				}
				res.Error, res.Status = perr, "rejected"
				ans.Rejected++
				continue
			}
			res.CaseResult, res.Status = o.Result, o.Result.Status
			ans.Accepted++
		}
		return c.JSON(ans)
	})
}
