package evaluation_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/testenv"
)

var pwSeq atomic.Int64

// pwNow is the business time of the 刷好评 tests: a Wednesday morning in Beijing.
var pwNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

// pwService seeds the test's schema and returns a service on it, its clock at pwNow.
func pwService(t *testing.T) (*testenv.Env, *evaluation.Service) {
	t.Helper()
	env := testenv.New(t)
	env.Clock.Set(pwNow)
	apptest.Seed(env)
	svc := evaluation.NewService(env.DB, env.Keys, evaluation.Settings{RatingDays: 7, PublicURL: "http://test"}, env.Clock.Now)
	t.Cleanup(svc.Close)
	return env, svc
}

// pwRating is one evaluation inserted by hand.
type pwRating struct {
	window  string // window code
	staff   string // staff number; empty: none
	device  string // device ID; empty: none
	phone   []byte // evaluator_phone_index
	level   int
	dflt    bool          // a default evaluation (not active)
	at      time.Time     // rated_at
	created time.Duration // created this long ago (0: now)
}

func pwRate(env *testenv.Env, r pwRating) int64 {
	env.T.Helper()
	tag := fmt.Sprintf("PW%d", pwSeq.Add(1))
	var id int64
	err := env.DB.Pool.QueryRow(context.Background(), `
		INSERT INTO evaluations (idem_key, channel, device_id, ticket_no, service_day, region_id, department_id, hall_id,
		                         window_id, staff_id, level, reasons, reason_kind, active, real_name, evaluator_phone_index, served_at,
		                         rated_at, created_at)
		SELECT 'test:' || $1, 'window', NULLIF($2, ''), $1, ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date,
		       h.region_id, w.department_id, w.hall_id, w.id, (SELECT s.id FROM staff s WHERE s.staff_no = $4),
		       $5::smallint, CASE WHEN $5::smallint <= 2 THEN ARRAY['attitude'] ELSE ARRAY[]::text[] END,
		       CASE WHEN $5::smallint <= 2 THEN 'offline' END, NOT $6, false, $7,
		       $3::timestamptz - interval '10 minutes', $3::timestamptz, $10::timestamptz - $8::integer * interval '1 second'
		FROM windows w JOIN halls h ON h.id = w.hall_id
		WHERE w.code = $9
		RETURNING id`, tag, r.device, r.at, r.staff, r.level, r.dflt, r.phone, int(r.created/time.Second), r.window, env.Clock.Now()).Scan(&id)
	if err != nil {
		env.T.Fatalf("rate %+v: %v", r, err)
	}
	return id
}

func pwWatch(t *testing.T, svc *evaluation.Service, want int64) {
	t.Helper()
	n, err := svc.WatchPraise(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("WatchPraise wrote %d flags, want %d", n, want)
	}
}

func pwFlags(t *testing.T, env *testenv.Env, svc *evaluation.Service, scope access.Scope) []evaluation.PraiseFlag {
	t.Helper()
	flags, err := svc.PraiseFlags(context.Background(), scope, pwNow.Add(-365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return flags
}

func pwCity(env *testenv.Env) access.Scope {
	return access.Scope{Kind: access.ScopeRegion, ID: int64(env.Count(`SELECT id FROM regions WHERE code = '370400'`))}
}

func TestPraiseBurstFromOnePadIsFlaggedOnce(t *testing.T) {
	t.Parallel()
	env, svc := pwService(t)
	base := pwNow.Add(-3 * time.Hour)
	pad := "demo-window-370400-zh01"
	var ids []int64
	// 12 top ratings in 5 minutes from one pad, by one staff member…
	for i := range 12 {
		ids = append(ids, pwRate(env, pwRating{window: "370400-ZH01", staff: "370400-ZH01-1", device: pad, level: 5,
			at: base.Add(time.Duration(i) * 25 * time.Second)}))
	}
	// …with, in the same minutes, defaults and a 满意 that are not top ratings.
	for i := range 4 {
		pwRate(env, pwRating{window: "370400-ZH01", staff: "370400-ZH01-1", device: pad, level: 5, dflt: true,
			at: base.Add(time.Duration(i) * 30 * time.Second)})
	}
	pwRate(env, pwRating{window: "370400-ZH01", staff: "370400-ZH01-1", device: pad, level: 4, at: base.Add(time.Minute)})
	// 8 top ratings spread over hours from another pad, by another staff member.
	for i := range 8 {
		pwRate(env, pwRating{window: "370400-ZH02", staff: "370400-ZH02-1", device: "demo-window-370400-zh02", level: 5,
			at: base.Add(-20 * time.Hour).Add(time.Duration(i) * 40 * time.Minute)})
	}
	// The mobile app's backend signs every mobile rating: it is no one's pad.
	for i := range 12 {
		id := pwRate(env, pwRating{window: "370400-ZH03", device: "demo-mobile", level: 5, at: base.Add(time.Duration(i) * time.Second)})
		env.Exec(`UPDATE evaluations SET channel = 'mobile' WHERE id = $1`, id)
	}

	pwWatch(t, svc, 2) // the pad, and the staff member at it
	pwWatch(t, svc, 0) // again: nothing new
	if got := env.Count(`SELECT count(*) FROM praise_flags`); got != 2 {
		t.Fatalf("%d flags after the second run, want 2", got)
	}
	flags := pwFlags(t, env, svc, pwCity(env))
	if len(flags) != 2 {
		t.Fatalf("flags = %+v", flags)
	}
	for _, f := range flags {
		switch f.Kind {
		case evaluation.PraiseDevice:
			if f.Subject != pad || f.SubjectName == "" {
				t.Errorf("device flag: %+v", f)
			}
		case evaluation.PraiseStaff:
			if f.Subject != "370400-ZH01-1" || f.SubjectName == "" {
				t.Errorf("staff flag: %+v", f)
			}
		default:
			t.Errorf("unexpected flag: %+v", f)
		}
		if f.Ratings != 12 || fmt.Sprint(f.EvaluationIDs) != fmt.Sprint(ids) {
			t.Errorf("%s flag holds %d ratings %v, want %v", f.Kind, f.Ratings, f.EvaluationIDs, ids)
		}
		if !f.WindowStart.Equal(base) || !f.WindowEnd.Equal(base.Add(11*25*time.Second)) {
			t.Errorf("%s flag window %v – %v, want %v – %v", f.Kind, f.WindowStart, f.WindowEnd, base, base.Add(275*time.Second))
		}
		if f.RegionCode != "370400" || f.DepartmentCode != "ZZ-SPJ" || f.HallCode != "370400-ZWFW" {
			t.Errorf("%s flag unit: %+v", f.Kind, f)
		}
	}

	// The burst goes on: the flag grows, no second one.
	more := pwRate(env, pwRating{window: "370400-ZH01", device: pad, level: 5, at: base.Add(8 * time.Minute)})
	pwWatch(t, svc, 1)
	if got := env.Count(`SELECT count(*) FROM praise_flags WHERE kind = 'device' AND ratings = 13 AND $1 = ANY(evaluation_ids)
		AND window_start = $2`, more, base); got != 1 {
		t.Fatalf("the device flag did not grow to 13 ratings from the same start")
	}
	pwWatch(t, svc, 0)

	// Reviewed by the office: the same ratings are not flagged again; the pad going on right
	// after the review is a burst of its own.
	env.Exec(`UPDATE praise_flags SET reviewed_at = $1`, env.Clock.Now())
	pwWatch(t, svc, 0)
	later := base.Add(9 * time.Minute)
	for i := range 10 {
		pwRate(env, pwRating{window: "370400-ZH01", device: pad, level: 5, at: later.Add(time.Duration(i) * time.Minute)})
	}
	pwWatch(t, svc, 1)
	if got := env.Count(`SELECT count(*) FROM praise_flags WHERE kind = 'device' AND window_start = $1 AND ratings = 10`, later); got != 1 {
		t.Fatalf("the later burst was not flagged on its own")
	}

	// Scope: the department and hall see their pad; another department, another district do not.
	for _, c := range []struct {
		scope access.Scope
		n     int
	}{
		{access.Scope{Kind: access.ScopeDepartment, ID: int64(env.Count(`SELECT id FROM departments WHERE code = 'ZZ-SPJ'`))}, 3},
		{access.Scope{Kind: access.ScopeHall, ID: int64(env.Count(`SELECT id FROM halls WHERE code = '370400-ZWFW'`))}, 3},
		{access.Scope{Kind: access.ScopeDepartment, ID: int64(env.Count(`SELECT id FROM departments WHERE code = 'ZZ-GAJ'`))}, 0},
		{access.Scope{Kind: access.ScopeRegion, ID: int64(env.Count(`SELECT id FROM regions WHERE code = '370402'`))}, 0},
		{access.Scope{}, 0},
	} {
		if got := pwFlags(t, env, svc, c.scope); len(got) != c.n {
			t.Errorf("scope %+v sees %d flags, want %d", c.scope, len(got), c.n)
		}
	}
}

func TestPraiseBurstStraddlingTwoRunsIsSeen(t *testing.T) {
	t.Parallel()
	env, svc := pwService(t)
	base := pwNow.Add(-2 * time.Hour)
	pad := "demo-window-370400-zh02"
	// Six top ratings uploaded an hour ago: no burst yet.
	for i := range 6 {
		pwRate(env, pwRating{window: "370400-ZH02", device: pad, level: 5, at: base.Add(time.Duration(i) * time.Minute), created: time.Hour})
	}
	pwWatch(t, svc, 0)
	// Six more in the same minutes, uploaded after that run: the run sees only these as new,
	// and the first six around them.
	for i := range 6 {
		pwRate(env, pwRating{window: "370400-ZH02", device: pad, level: 5, at: base.Add(time.Duration(i)*time.Minute + 30*time.Second)})
	}
	pwWatch(t, svc, 1)
	flags := pwFlags(t, env, svc, pwCity(env))
	if len(flags) != 1 || flags[0].Ratings != 12 || !flags[0].WindowStart.Equal(base) {
		t.Fatalf("flags = %+v", flags)
	}
}

func TestPraisePhoneIsFlaggedByItsKeyedHash(t *testing.T) {
	t.Parallel()
	env, svc := pwService(t)
	const phone = "13900001111"
	index := env.Keys.Index("phone", phone)
	day := pwNow.Add(-30 * time.Hour)
	// Four top ratings in a day from one phone, at windows of the city and of 市中区.
	for i, w := range []string{"370400-ZH01", "370400-GA01", "370400-ZH02", "370402-ZH01"} {
		pwRate(env, pwRating{window: w, phone: index, level: 5, at: day.Add(time.Duration(i) * 3 * time.Hour)})
	}
	// Another phone: two in a day, then one two days later — no burst.
	other := env.Keys.Index("phone", "13900002222")
	for _, at := range []time.Time{day, day.Add(time.Hour), day.Add(-48 * time.Hour)} {
		pwRate(env, pwRating{window: "370400-ZH03", phone: other, level: 5, at: at})
	}
	// A third phone: three in a day, but one of them a 基本满意.
	third := env.Keys.Index("phone", "13900003333")
	for i, level := range []int{5, 3, 5} {
		pwRate(env, pwRating{window: "370400-ZH03", phone: third, level: level, at: day.Add(time.Duration(i) * time.Hour)})
	}

	pwWatch(t, svc, 1)
	pwWatch(t, svc, 0)
	flags := pwFlags(t, env, svc, pwCity(env))
	if len(flags) != 1 {
		t.Fatalf("flags = %+v", flags)
	}
	f := flags[0]
	if f.Kind != evaluation.PraisePhone || f.Ratings != 4 || !f.WindowStart.Equal(day) || !f.WindowEnd.Equal(day.Add(9*time.Hour)) {
		t.Fatalf("phone flag = %+v", f)
	}
	// The subject is the keyed hash, never the phone nor any part of it.
	if f.Subject != hex.EncodeToString(index) || strings.Contains(f.Subject, phone) || strings.Contains(f.Subject, phone[3:]) ||
		f.SubjectName != "" {
		t.Fatalf("phone flag subject %q (name %q)", f.Subject, f.SubjectName)
	}
	if got := env.Count(`SELECT count(*) FROM praise_flags WHERE subject LIKE '%' || $1 || '%' OR subject LIKE '%' || $2 || '%'`,
		phone, phone[3:]); got != 0 {
		t.Fatal("the phone is stored in a flag")
	}
	// Rated in the city and in 市中区 at two departments: the city's flag, no department or hall.
	if f.RegionCode != "370400" || f.DepartmentID != nil || f.HallID != nil {
		t.Fatalf("phone flag unit: %+v", f)
	}
	// So the city sees it, 市中区 and a department do not.
	if got := pwFlags(t, env, svc, access.Scope{Kind: access.ScopeRegion, ID: int64(env.Count(`SELECT id FROM regions WHERE code = '370402'`))}); len(got) != 0 {
		t.Fatalf("市中区 sees %+v", got)
	}
	if got := pwFlags(t, env, svc, access.Scope{Kind: access.ScopeDepartment, ID: int64(env.Count(`SELECT id FROM departments WHERE code = 'ZZ-SPJ'`))}); len(got) != 0 {
		t.Fatalf("ZZ-SPJ sees %+v", got)
	}
	// since: nothing raised or going on after now.
	if got, err := svc.PraiseFlags(context.Background(), pwCity(env), pwNow.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("since an hour ahead: %+v, %v", got, err)
	}
}
