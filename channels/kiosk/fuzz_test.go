// FuzzDecode checks that no upload, however malformed, panics the kiosk adapter, and that
// every refusal — from Decode, from a record's Check, or from evaluation.ValidateStatic on
// the mapped submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package kiosk

import (
	"testing"
	"time"

	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// fuzzNow is the fixed "now" of ValidateStatic, so that a run does not depend on the clock.
var fuzzNow = time.Date(2026, 11, 26, 12, 0, 0, 0, bjtime.Location)

// fuzzReasons is the national reason lists.
var fuzzReasons = evaluation.NewReasonSet(1, []evaluation.Reason{
	{Kind: evaluation.Online, Code: "overall", Name: "整体满意度"},
	{Kind: evaluation.Online, Code: "efficiency", Name: "办事效率"},
	{Kind: evaluation.Online, Code: "guide", Name: "办事指南精确度"},
	{Kind: evaluation.Online, Code: "convenience", Name: "办事便捷度"},
	{Kind: evaluation.Online, Code: "usability", Name: "平台操作性"},
	{Kind: evaluation.Offline, Code: "overall", Name: "整体满意度"},
	{Kind: evaluation.Offline, Code: "efficiency", Name: "服务效率"},
	{Kind: evaluation.Offline, Code: "quality", Name: "服务水平"},
	{Kind: evaluation.Offline, Code: "attitude", Name: "服务态度"},
	{Kind: evaluation.Offline, Code: "environment", Name: "办事环境"},
})

// requireClientError fails unless err is a *problem.Error with a 4xx status.
func requireClientError(t *testing.T, step string, body []byte, err error) {
	t.Helper()
	pe, ok := problem.As(err)
	if !ok {
		t.Fatalf("%s: error %T %q is not a *problem.Error\ninput: %q", step, err, err, body)
	}
	if pe.Status < 400 || pe.Status >= 500 {
		t.Fatalf("%s: status %d (%s), want 4xx\ninput: %q", step, pe.Status, pe, body)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"records":[{"seq":1,"case_no":"C2026112600001","level":1,"reasons":["attitude","服务效率"],"comment":"排队太久","rated_at":"2026-11-25 16:20:00"}]}`))
	f.Add([]byte(`{"records":[{"seq":2,"case_no":"C2","stage":"accept","level":4,"rated_at":"2026-11-25T08:00:00Z"},{"seq":-1,"case_no":"C3","level":5}]}`))
	f.Add([]byte(`{"records":{"seq":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			requireClientError(t, "Decode", body, err)
			return
		}
		// As the handler: each record is checked on its own; those that pass are mapped.
		for i := range p.Records {
			rec := &p.Records[i]
			if perr := p.Errors[i]; perr != nil {
				requireClientError(t, "Decode record", body, perr)
				continue
			}
			if perr := rec.Check(); perr != nil {
				requireClientError(t, "Check", body, perr)
				continue
			}
			sub := rec.Submission("dev-1")
			if _, err := evaluation.ValidateStatic(sub, fuzzReasons, fuzzNow); err != nil {
				requireClientError(t, "ValidateStatic", body, err)
			}
		}
	})
}
