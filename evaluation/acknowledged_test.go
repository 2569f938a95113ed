package evaluation_test

import (
	"context"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
)

// TestCheckAcknowledgedFindsLostAndDuplicated rates two cases at the pad, then checks acks
// that are right, one for a rating never stored (lost), one rating stored twice (the one-per-
// case-and-stage index dropped in the test's schema, a copy inserted) and one whose repeat
// was answered with another id: each must be found, or the check proves nothing.
func TestCheckAcknowledgedFindsLostAndDuplicated(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	rate := func(caseNo string) evaluation.AckedRating {
		srv.PushCase(apptest.Case(caseNo, srv.Clock.Now().Add(-time.Hour)))
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"case_no": caseNo, "level": 5})
		if r.Status != 201 {
			t.Fatalf("rate %s: %d %s", caseNo, r.Status, r.Body)
		}
		return evaluation.AckedRating{CaseNo: caseNo, Stage: evaluation.Stage(r.JSON(t)["stage"].(string)), ID: int64(r.JSON(t)["id"].(float64))}
	}
	a, b, c := rate("ACK-0001"), rate("ACK-0002"), rate("ACK-0003")
	ctx := context.Background()
	check := func(acks ...evaluation.AckedRating) *evaluation.AckCheck {
		t.Helper()
		got, err := srv.App.Evaluation.CheckAcknowledged(ctx, acks)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// A rating acknowledged three times (the device's retry, a repeat on the portal) with one id is one rating, stored once.
	if got := check(a, a, a, b); got.Answers != 4 || got.Acknowledged != 2 || got.Stored != 2 || got.Lost != 0 || got.Duplicated != 0 {
		t.Fatalf("clean acks: %+v", got)
	}

	lost := evaluation.AckedRating{CaseNo: "ACK-0004", Stage: a.Stage, ID: c.ID + 1000}  // acknowledged, never stored
	wrongID := evaluation.AckedRating{CaseNo: c.CaseNo, Stage: c.Stage, ID: c.ID + 1000} // the stored one is another
	if got := check(a, lost, wrongID); got.Lost != 2 || got.Stored != 1 || len(got.LostExamples) != 2 {
		t.Fatalf("lost not found: %+v", got)
	}

	repeatNewID := evaluation.AckedRating{CaseNo: b.CaseNo, Stage: b.Stage, ID: a.ID} // a repeat answered with another id
	if got := check(b, repeatNewID); got.Duplicated != 1 || got.Stored != 0 {
		t.Fatalf("a rating answered with two ids not found: %+v", got)
	}

	env.Exec(`DROP INDEX evaluations_case_stage`)
	var cols string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT string_agg(column_name, ', ') FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'evaluations' AND is_generated = 'NEVER'
		AND column_name NOT IN ('id', 'idem_key')`).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	env.Exec(`INSERT INTO evaluations (`+cols+`, idem_key) SELECT `+cols+`, idem_key || ':copy' FROM evaluations WHERE id = $1`, a.ID)
	if got := check(a, b); got.Duplicated != 1 || got.Stored != 1 || len(got.DuplicatedExamples) != 1 {
		t.Fatalf("a rating stored twice not found: %+v", got)
	}
}
