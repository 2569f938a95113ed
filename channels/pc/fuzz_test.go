// FuzzDecode checks that no payload from the portal, however malformed, panics the pc
// adapter, and that every refusal — from Decode or from evaluation.ValidateStatic on the
// mapped submission — is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package pc

import (
	"testing"

	"haochaping/channels/fuzzcheck"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"case_no":"C2026112600001","stage":"complete","user":{"id":"u1","name":"李四","id_number":"11010519491231002X"},"level":1,"reasons":["平台操作性"],"rated_at":"2026-11-26 10:00:00"}`))
	f.Add([]byte(`{"case_no":"C1","user":{"phone":"010-12345678"},"level":4}`))
	f.Add([]byte(`{"case_no":"C1","user":null,"level":4}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := Decode(body)
		if err != nil {
			fuzzcheck.RequireClientError(t, "Decode", body, err)
			return
		}
		// As the handler: the key derived from the case number and stage.
		const deviceID = "dev-1"
		sub := p.Submission(deviceID, "pc:"+deviceID+":"+p.CaseNo+":"+p.Stage)
		fuzzcheck.Validate(t, body, sub)
	})
}
