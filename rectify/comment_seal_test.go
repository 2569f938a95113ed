package rectify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"haochaping/evaluation"
	"haochaping/ledger"
)

// TestCommentWithAPhoneIsMaskedEverywhere: a bad review's comment with the evaluator's phone
// and name is stored masked (its original sealed beside it), and only the masked copy travels:
// through the queue in Redis to its work order, into the rectification ledger's workbook, and
// to the provincial platform.
func TestCommentWithAPhoneIsMaskedEverywhere(t *testing.T) {
	l := newLoop(t)
	ctx := context.Background()
	l.srv.RunWorker()
	comment := "李四要投诉，请回电 139 0000 1111 或 一三九〇〇〇〇一一一一"
	r := l.srv.Signed(l.pad, "POST", windowPath, map[string]any{"ticket_no": "PII01", "staff_no": "370400-ZH01-1", "level": 1,
		"reasons": []string{"服务态度"}, "comment": comment, "evaluator": map[string]any{"name": "李四", "phone": "13900001111"},
		"served_at": l.env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	evaluationID := int64(r.JSON(t)["id"].(float64))
	clear := func(where, text string) {
		t.Helper()
		if strings.Contains(digitsIn(text), "13900001111") || strings.Contains(text, "李四") {
			t.Errorf("%s holds the phone or the name in clear: %q", where, text)
		}
	}
	clear("the answer to the pad", string(r.Body))

	// The column holds the masked copy; the sealed one opens to the comment.
	var stored string
	var sealed []byte
	if err := l.env.DB.Pool.QueryRow(ctx, `SELECT comment, comment_enc FROM evaluations WHERE id = $1`, evaluationID).Scan(&stored, &sealed); err != nil {
		t.Fatal(err)
	}
	clear("evaluations.comment", stored)
	if stored != "李*要投诉，请回电 139****1111 或 139****1111" {
		t.Errorf("the masked copy: %q", stored)
	}
	if got, err := l.env.Keys.Open(sealed); err != nil || got != comment {
		t.Fatalf("the sealed comment opens to %q, %v", got, err)
	}

	// Dispatched through the queue: nothing in Redis holds it.
	deadline := time.Now().Add(15 * time.Second)
	for l.env.Count(`SELECT count(*) FROM work_orders WHERE evaluation_id = $1`, evaluationID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the bad review was not dispatched")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, v := range l.env.RedisValues(ctx) {
		clear("Redis", v)
	}

	// The rectification ledger's workbook.
	var book bytes.Buffer
	if _, err := l.srv.App.Ledger.Export(ctx, l.office, ledger.Rectification, ledger.ExportFilter{}, &book); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&book)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sheet := range x.GetSheetList() {
		rows, _ := x.GetRows(sheet)
		for _, row := range rows {
			for _, cell := range row {
				clear("the workbook", cell)
				found = found || strings.Contains(cell, "要投诉")
			}
		}
	}
	x.Close()
	if !found {
		t.Fatal("the comment is not in the workbook: the check would prove nothing")
	}

	// The upward report.
	var mu sync.Mutex
	var bodies []string
	plat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		mu.Unlock()
		var b evaluation.UpwardBatch
		_ = json.Unmarshal(raw, &b)
		_ = json.NewEncoder(w).Encode(map[string]any{"accepted": b.Count})
	}))
	defer plat.Close()
	up := evaluation.NewService(l.env.DB, l.env.Keys, evaluation.Settings{RatingDays: 7, PublicURL: "http://x", UpwardURL: plat.URL}, l.env.Clock.Now)
	defer up.Close()
	if _, err := up.ReportUpward(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) == 0 || !strings.Contains(strings.Join(bodies, ""), "要投诉") {
		t.Fatal("the comment did not go upward: the check would prove nothing")
	}
	for _, b := range bodies {
		clear("the upward report", b)
		if strings.Contains(b, "139****1111") {
			t.Errorf("the upward report carries the masked number: %q", b)
		}
	}
}
