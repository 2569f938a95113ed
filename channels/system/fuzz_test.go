// FuzzDecode checks that no case push from a business system, however malformed, panics the
// system adapter — neither Decode nor Input on the decoded cases — and that every refusal of
// Decode is a *problem.Error with a 4xx status, never a 5xx or a bare error.
package system

import (
	"testing"

	"haochaping/channels/fuzzcheck"
	"haochaping/evaluation"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"case_no":"C2026112600009","item_code":"11000001","department_code":"D01","channel":"mobile","applicant":{"name":"赵六","id_number":"11010519491231002X"},"accepted_at":"2026-11-25T09:00:00+08:00","stage":"accept"}`))
	f.Add([]byte(`[{"case_no":"C1","item_code":"I1","accepted_at":"2026-11-26T09:00:00+08:00"},{"case_no":"C2"}]`))
	f.Add([]byte(`{"cases":"C1","case_no":"C2"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cases, batch, err := Decode(body)
		if err != nil {
			fuzzcheck.RequireClientError(t, "Decode", body, err)
			return
		}
		if len(cases) == 0 || len(cases) > evaluation.MaxCaseBatch {
			t.Fatalf("Decode accepted %d cases (batch %v)\ninput: %q", len(cases), batch, body)
		}
		if !batch && len(cases) != 1 {
			t.Fatalf("a single case decoded as %d cases\ninput: %q", len(cases), body)
		}
		// As the handler: every decoded case is mapped to the domain's input.
		for i := range cases {
			if in := cases[i].Input(); in == nil {
				t.Fatalf("Input returned nil for case %d\ninput: %q", i, body)
			}
		}
	})
}
