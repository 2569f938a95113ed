package rectify

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"haochaping/internal/pii"
)

// TestSearchClauseNeverSendsAPhone: a query that is a phone number, however written, reaches
// the database as its keyed hash alone — no parameter holds its digits — and every writing of
// one number gives the same hash.
func TestSearchClauseNeverSendsAPhone(t *testing.T) {
	keys, err := pii.NewKeys(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	want := keys.PhoneIndex("13812345678")
	for _, q := range []string{"13812345678", " 138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678",
		"8613812345678", "１３８１２３４５６７８"} {
		clause, args := searchClause(keys, q, 5)
		if len(args) != 1 {
			t.Errorf("%q: args %v, want the hash alone", q, args)
			continue
		}
		hs, ok := args[0].([][]byte)
		if !ok || len(hs) != 1 {
			t.Errorf("%q: the argument is %v, want the phone's keyed hash under the one key", q, args[0])
			continue
		}
		h := hs[0]
		if !bytes.Equal(h, want) || len(h) != 16 {
			t.Errorf("%q: the argument is %v, want the phone's 16-byte keyed hash", q, args[0])
		}
		if bytes.Contains(h, []byte("12345678")) || strings.Contains(clause, "1234") {
			t.Errorf("%q: the digits reach the SQL", q)
		}
		if !strings.Contains(clause, "$5::bytea[]") || strings.Contains(clause, "$6") {
			t.Errorf("%q: clause numbered wrong: %s", q, clause)
		}
	}
	// A fixed line with its area code is a phone too.
	if _, args := searchClause(keys, "0632-3311234", 1); len(args) != 1 || !bytes.Equal(args[0].([][]byte)[0], keys.PhoneIndex("06323311234")) {
		t.Errorf("a fixed line: %v", args)
	}
}

// TestSearchClauseKinds: each shape of query looks where it can match, and nowhere else.
func TestSearchClauseKinds(t *testing.T) {
	keys, _ := pii.NewKeys(bytes.Repeat([]byte{3}, 32))
	for q, want := range map[string][]string{
		"ZG20261201000001": {"wo.number", "sc.case_no", "se.ticket_no"},
		"zg20261201000001": {"wo.number", "sc.case_no", "se.ticket_no"},
		"YCSL-0001":        {"sc.case_no", "se.ticket_no"},
		"A023":             {"sc.case_no", "se.ticket_no"},
		"7":                {"se.ticket_no"},
		"2026-000123":      {"sc.case_no", "se.ticket_no", "evaluator_phone_index", "applicant_phone_index"},
		"37040020261201000000000000000000000000000001": {"sc.case_no"},
	} {
		clause, _ := searchClause(keys, q, 1)
		for _, col := range []string{"wo.number", "sc.case_no", "se.ticket_no", "evaluator_phone_index", "applicant_phone_index"} {
			has := strings.Contains(clause, col)
			if has != slices.Contains(want, col) {
				t.Errorf("%q: %s searched: %v, want %v", q, col, has, !has)
			}
		}
	}
	for _, q := range []string{"张三", "a b", "", "ZG 2026", "+1 415 555 0100"} {
		if clause, args := searchClause(keys, q, 1); clause != "FALSE" || len(args) != 0 {
			t.Errorf("%q: %s %v, want nothing searched", q, clause, args)
		}
	}
}
