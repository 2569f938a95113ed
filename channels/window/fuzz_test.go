// FuzzDecode checks that no pad payload, however malformed, panics the window adapter, and
// that every refusal — from Decode or from evaluation.ValidateStatic on the mapped
// submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package window

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
	f.Add([]byte(`{"ticket_no":"A017","staff_no":"S001","level":2,"reasons":["服务态度"],"comment":"等了很久","served_at":"2026-11-26T09:30:00+08:00"}`))
	f.Add([]byte(`{"ticket_no":"B-9","level":5,"served_at":"2026-11-26 09:30:00","evaluator":{"name":"张三","phone":"13800138000"}}`))
	f.Add([]byte(`{"ticket_no":"A017","level":"5","served_at":20261126}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			requireClientError(t, "Decode", body, err)
			return
		}
		// As the handler: the pad's device and window, and the key derived from the ticket.
		const deviceID = "dev-1"
		derived := bjtime.Day(p.ServedAt.Time).Format("20060102") + ":" + p.TicketNo
		sub := p.Submission(deviceID, 1, "window:"+deviceID+":"+derived)
		if _, err := evaluation.ValidateStatic(sub, fuzzReasons, fuzzNow); err != nil {
			requireClientError(t, "ValidateStatic", body, err)
		}
	})
}
