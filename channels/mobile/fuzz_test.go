// FuzzDecode checks that no payload from the mobile backend, however malformed, panics the
// mobile adapter, and that every refusal — from Decode or from evaluation.ValidateStatic on
// the mapped submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package mobile

import (
	"testing"

	"haochaping/channels/fuzzcheck"
	"haochaping/evaluation"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"token":"abc.def","level":2,"reasons":["办事效率","guide"],"comment":"网上材料说明不清","rated_at":"2026-11-26T10:00:00+08:00"}`))
	f.Add([]byte(`{"token":"abc.def","level":5}`))
	f.Add([]byte(`{"token":["t"],"level":5,"rated_at":"昨天"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			fuzzcheck.RequireClientError(t, "Decode", body, err)
			return
		}
		// As the handler, once the token has named the case and stage.
		sub := p.Submission("dev-1", 1, evaluation.Complete)
		fuzzcheck.Validate(t, body, sub)
	})
}
