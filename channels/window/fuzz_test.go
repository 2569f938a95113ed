// FuzzDecode checks that no pad payload, however malformed, panics the window adapter, and
// that every refusal — from Decode or from evaluation.ValidateStatic on the mapped
// submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package window

import (
	"testing"

	"haochaping/channels/fuzzcheck"
	"haochaping/internal/bjtime"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"ticket_no":"A017","staff_no":"S001","level":2,"reasons":["服务态度"],"comment":"等了很久","served_at":"2026-11-26T09:30:00+08:00"}`))
	f.Add([]byte(`{"ticket_no":"B-9","level":5,"served_at":"2026-11-26 09:30:00","evaluator":{"name":"张三","phone":"13800138000"}}`))
	f.Add([]byte(`{"ticket_no":"A017","level":"5","served_at":20261126}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			fuzzcheck.RequireClientError(t, "Decode", body, err)
			return
		}
		// As the handler: the pad's device and window, and the key derived from the ticket.
		const deviceID = "dev-1"
		derived := bjtime.Day(p.ServedAt.Time).Format("20060102") + ":" + p.TicketNo
		sub := p.Submission(deviceID, 1, "window:"+deviceID+":"+derived)
		fuzzcheck.Validate(t, body, sub)
	})
}
