package rectify_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"haochaping/rectify"
)

// digitsIn is every digit of s as a plain run — ASCII, full-width and Chinese numerals alike
// — so that a number kept in clear in any spelling is found.
func digitsIn(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + r - '０')
		default:
			if i := strings.IndexRune("〇一二三四五六七八九", r); i >= 0 {
				b.WriteRune(rune('0' + len([]rune("〇一二三四五六七八九"[:i]))))
			}
		}
	}
	return b.String()
}

// inClear fails the test when text holds the applicant's phone, ID number or name.
func inClear(t *testing.T, where, text string) {
	t.Helper()
	digits := digitsIn(text)
	for _, secret := range []string{"13812345678", "370402199001011234"} {
		if strings.Contains(digits, secret) {
			t.Errorf("%s holds %s in clear: %q", where, secret, text)
		}
	}
	if strings.Contains(text, "张三") {
		t.Errorf("%s holds the applicant's name in clear: %q", where, text)
	}
}

// TestCallbackTextsAreSealedWithAMaskedCopy: a callback's note and facts with the applicant's
// phone in several spellings (dashes, full-width digits, Chinese numerals), the ID number and
// the applicant's name are stored masked, their original sealed; the auditor's timeline shows
// the masked copy; the handler's 显示完整内容 shows the original and is recorded; nobody else
// may ask for it. The reason of a 限期整改 is masked in the order's own column and notice too.
func TestCallbackTextsAreSealedWithAMaskedCopy(t *testing.T) {
	l := newLoop(t)
	ctx := context.Background()
	o := l.rateByLink(t, "PII-TEXT-0001") // the applicant 张三, 13812345678, 370402199001011234
	note := "已回电 １３８ １２３４ ５６７８"
	facts := "张三反映属实，留了电话 138-1234-5678，又念了一遍 一三八一二三四五六七八，身份证 370402199001011234"
	if _, err := l.svc.Callback(ctx, l.unit, o.id, rectify.CallbackInput{Common: rectify.Common{Method: "phone", Note: note},
		Reached: yes(), Facts: facts}); err != nil {
		t.Fatal(err)
	}
	reason := "张三要求三日内答复，回电13812345678"
	if _, err := l.svc.Decide(ctx, l.unit, o.id, rectify.DecideInput{Decision: "deadline", Reason: reason}); err != nil {
		t.Fatal(err)
	}

	// The rows hold the masked copies only.
	var storedNote, storedData string
	var sealedID *int64
	if err := l.env.DB.Pool.QueryRow(ctx, `SELECT note, data::text, sealed_text_id FROM work_order_events
		WHERE work_order_id = $1 AND action = 'callback'`, o.id).Scan(&storedNote, &storedData, &sealedID); err != nil {
		t.Fatal(err)
	}
	inClear(t, "the event's note", storedNote)
	inClear(t, "the event's data", storedData)
	if !strings.Contains(storedData, "138****5678") || !strings.Contains(storedData, "张*") || sealedID == nil {
		t.Fatalf("the masked copy: %q, sealed text %v", storedData, sealedID)
	}
	var column string
	l.env.DB.Pool.QueryRow(ctx, `SELECT rectify_deadline_reason FROM work_orders WHERE id = $1`, o.id).Scan(&column) //nolint:errcheck
	inClear(t, "work_orders.rectify_deadline_reason", column)
	var decideNote, decideData string
	l.env.DB.Pool.QueryRow(ctx, `SELECT note, data::text FROM work_order_events WHERE work_order_id = $1 AND action = 'decide_deadline'`, o.id).Scan(&decideNote, &decideData) //nolint:errcheck
	inClear(t, "the decision's data", decideData)
	rows, _ := l.env.DB.Pool.Query(ctx, `SELECT title || body FROM notifications WHERE work_order_id = $1`, o.id)
	for rows.Next() {
		var text string
		_ = rows.Scan(&text)
		inClear(t, "a notice", text)
	}
	rows.Close()

	// The sealed copy opens to the original.
	var sealed []byte
	if err := l.env.DB.Pool.QueryRow(ctx, `SELECT sealed FROM sealed_texts WHERE id = $1`, *sealedID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "5678") {
		t.Fatal("the sealed text is not encrypted")
	}
	raw, err := l.env.Keys.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	var full struct {
		Note string            `json:"note"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(raw), &full); err != nil || full.Note != note || full.Data["facts"] != facts {
		t.Fatalf("the sealed text opens to %q (%v)", raw, err)
	}

	// The auditor reads the masked copy, and may not ask for the original.
	auditor, err := l.srv.App.Users.Get(ctx, "auditor")
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.svc.Detail(ctx, auditor, o.id)
	if err != nil {
		t.Fatal(err)
	}
	var callbackEvent rectify.Event
	for _, e := range d.Timeline {
		if e.Action == rectify.Callback {
			callbackEvent = e
		}
	}
	inClear(t, "the auditor's timeline note", callbackEvent.Note)
	inClear(t, "the auditor's timeline facts", callbackEvent.Data["facts"].(string))
	if !strings.Contains(callbackEvent.Data["facts"].(string), "370402********1234") || !callbackEvent.HasFullText {
		t.Fatalf("the auditor's timeline: %q", callbackEvent.Data["facts"])
	}
	for _, who := range []string{"auditor", "office"} {
		u, _ := l.srv.App.Users.Get(ctx, who)
		if _, err := l.svc.RevealText(ctx, u, o.id, rectify.Common{}); !isCode(err, "forbidden_action") {
			t.Errorf("%s asked for the texts in full: %v", who, err)
		}
	}

	// The handler sees the original, and the timeline records that they did.
	shown, err := l.svc.RevealText(ctx, l.unit, o.id, rectify.Common{})
	if err != nil {
		t.Fatal(err)
	}
	got := shown.Events[callbackEvent.ID]
	if got.Note != note || got.Data["facts"] != facts {
		t.Fatalf("the handler's texts in full: %+v", got)
	}
	if n := l.env.Count(`SELECT count(*) FROM work_order_events v JOIN users u ON u.id = v.actor_user_id
		WHERE v.work_order_id = $1 AND v.action = 'reveal_text' AND u.username = 'zh01'`, o.id); n != 1 {
		t.Fatalf("%d reveal_text events by zh01, want 1", n)
	}
}
