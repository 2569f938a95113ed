// FuzzDecode checks that no upload, however malformed, panics the kiosk adapter, and that
// every refusal — from Decode, from a record's Check, or from evaluation.ValidateStatic on
// the mapped submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package kiosk

import (
	"testing"

	"haochaping/channels/fuzzcheck"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"records":[{"seq":1,"case_no":"C2026112600001","level":1,"reasons":["attitude","服务效率"],"comment":"排队太久","rated_at":"2026-11-25 16:20:00"}]}`))
	f.Add([]byte(`{"records":[{"seq":2,"case_no":"C2","stage":"accept","level":4,"rated_at":"2026-11-25T08:00:00Z"},{"seq":-1,"case_no":"C3","level":5}]}`))
	f.Add([]byte(`{"records":{"seq":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			fuzzcheck.RequireClientError(t, "Decode", body, err)
			return
		}
		// As the handler: each record is checked on its own; those that pass are mapped.
		for i := range p.Records {
			rec := &p.Records[i]
			if perr := p.Errors[i]; perr != nil {
				fuzzcheck.RequireClientError(t, "Decode record", body, perr)
				continue
			}
			if perr := rec.Check(); perr != nil {
				fuzzcheck.RequireClientError(t, "Check", body, perr)
				continue
			}
			sub := rec.Submission("dev-1", 1)
			fuzzcheck.Validate(t, body, sub)
		}
	})
}
