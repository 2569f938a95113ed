package evaluation_test

import (
	"context"
	"net/http"
	"testing"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
)

// adminEnv is a seeded schema with the service and the demo office administrators: the city's
// (office, region 370400) and 市中区's (szq-office, region 370402).
func adminEnv(t *testing.T) (*testenv.Env, *evaluation.Service, *access.User, *access.User) {
	t.Helper()
	env := testenv.New(t)
	apptest.Seed(env)
	svc := evaluation.NewService(env.DB, env.Keys, evaluation.Settings{RatingDays: 7, PublicURL: "http://test"}, env.Clock.Now)
	t.Cleanup(svc.Close)
	admin := func(username, region string) *access.User {
		return &access.User{ID: int64(env.Count(`SELECT id FROM users WHERE username = $1`, username)), Username: username,
			Role: access.OfficeAdmin, Scope: access.Scope{Kind: access.ScopeRegion, Code: region,
				ID: int64(env.Count(`SELECT id FROM regions WHERE code = $1`, region))}}
	}
	return env, svc, admin("office", "370400"), admin("szq-office", "370402")
}

// refused checks that err is the problem of status and code, naming field when given.
func refused(t *testing.T, what string, err error, status int, code, field string) {
	t.Helper()
	p, ok := problem.As(err)
	switch {
	case !ok:
		t.Errorf("%s: %v, want the problem %d %s", what, err, status, code)
	case p.Status != status || p.Code != code:
		t.Errorf("%s: %d %s (%s), want %d %s", what, p.Status, p.Code, p.Message, status, code)
	case field != "" && p.Fields[field] == "":
		t.Errorf("%s: %s names the fields %v, want %s", what, p.Code, p.Fields, field)
	}
}

func TestOrganisationIsAdministeredWithinScope(t *testing.T) {
	t.Parallel()
	env, svc, city, district := adminEnv(t)
	ctx := context.Background()

	// The city sees every hall; 市中区 its own only.
	all, err := svc.Halls(ctx, city)
	if err != nil || len(all) != 8 {
		t.Fatalf("the city's halls: %d %v", len(all), err)
	}
	own, err := svc.Halls(ctx, district)
	if err != nil || len(own) != 1 || own[0].Code != "370402-ZWFW" {
		t.Fatalf("市中区's halls: %+v %v", own, err)
	}

	// A hall of 市中区, a window in it and a staff member at the window.
	hall, err := svc.CreateHall(ctx, district, evaluation.HallInput{Code: "370402-BM01", Name: "中心街便民服务中心",
		Level: "town", Address: "中心街 1 号", Region: "370402"})
	if err != nil || hall.LevelName != "乡镇（街道）便民服务中心" || hall.Region.Name != "市中区" {
		t.Fatalf("create hall: %+v %v", hall, err)
	}
	w, err := svc.CreateWindow(ctx, district, evaluation.WindowInput{Code: "370402-BM01-ZH01", Name: "综合受理窗口",
		Hall: hall.Code, Department: "370402-SPJ", Kind: "comprehensive"})
	if err != nil || w.KindName != "综合受理" || w.Department.Code != "370402-SPJ" {
		t.Fatalf("create window: %+v %v", w, err)
	}
	m, err := svc.CreateStaff(ctx, district, evaluation.StaffInput{StaffNo: "SZQ-0001", Name: "王小明",
		Department: "370402-SPJ", Window: w.Code})
	if err != nil || !m.Active || m.Window == nil || m.Window.Code != w.Code {
		t.Fatalf("create staff: %+v %v", m, err)
	}
	org, err := svc.Organisation(ctx, district)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range org.Halls {
		for _, hw := range h.Windows {
			for _, s := range hw.Staff {
				found = found || (h.Code == hall.Code && hw.Code == w.Code && s.StaffNo == "SZQ-0001")
			}
		}
	}
	if !found {
		t.Errorf("the new staff member is not in the tree under their window")
	}

	// Moving to no window and deactivating are edits; the row stays.
	inactive := false
	m, err = svc.UpdateStaff(ctx, district, "SZQ-0001", evaluation.StaffInput{Name: "王小明", Department: "370402-SPJ", Active: &inactive})
	if err != nil || m.Active || m.Window != nil {
		t.Fatalf("deactivate: %+v %v", m, err)
	}
	if n := env.Count(`SELECT count(*) FROM staff WHERE staff_no = 'SZQ-0001' AND NOT active AND window_id IS NULL`); n != 1 {
		t.Errorf("the deactivated staff member: %d rows", n)
	}
	// An edit without active keeps it.
	if m, err = svc.UpdateStaff(ctx, district, "SZQ-0001", evaluation.StaffInput{Name: "王晓明", Department: "370402-SPJ"}); err != nil || m.Active || m.Name != "王晓明" {
		t.Errorf("rename: %+v %v", m, err)
	}

	// Outside the district: not found, or refused beside the field that names it.
	_, err = svc.UpdateHall(ctx, district, "370400-ZWFW", evaluation.HallInput{Name: "x", Level: "city", Region: "370400"})
	refused(t, "edit the city's hall from 市中区", err, http.StatusNotFound, "hall_not_found", "")
	_, err = svc.CreateHall(ctx, district, evaluation.HallInput{Code: "370403-BM01", Name: "薛城便民中心", Level: "town", Region: "370403"})
	refused(t, "a hall in 薛城区 from 市中区", err, http.StatusUnprocessableEntity, "unknown_region", "region")
	_, err = svc.CreateWindow(ctx, district, evaluation.WindowInput{Code: "370402-X", Name: "窗口", Hall: "370400-ZWFW",
		Department: "ZZ-GAJ", Kind: "specialised"})
	refused(t, "a window in the city's hall from 市中区", err, http.StatusUnprocessableEntity, "unknown_hall", "hall")
	if p, _ := problem.As(err); p == nil || p.Fields["department"] == "" {
		t.Errorf("the refusal does not name the department of the city too: %v", err)
	}
	_, err = svc.UpdateStaff(ctx, district, "370400-ZH01-1", evaluation.StaffInput{Name: "x", Department: "370402-SPJ"})
	refused(t, "edit the city's staff from 市中区", err, http.StatusNotFound, "staff_not_found", "")
	_, err = svc.StaffMembers(ctx, district, evaluation.StaffFilter{Department: "ZZ-SPJ"})
	refused(t, "list a city department's staff from 市中区", err, http.StatusNotFound, "department_not_found", "")
	_, err = svc.Windows(ctx, district, "370400-ZWFW")
	refused(t, "list the city hall's windows from 市中区", err, http.StatusNotFound, "hall_not_found", "")

	// The patterns of the migration, every field at once; a code taken is a conflict.
	_, err = svc.CreateWindow(ctx, city, evaluation.WindowInput{Code: "窗口一", Name: " ", Hall: "", Department: "ZZ-SPJ", Kind: "vip"})
	refused(t, "a window of bad fields", err, http.StatusUnprocessableEntity, "invalid_code", "code")
	if p, _ := problem.As(err); p == nil || p.Fields["name"] == "" || p.Fields["hall"] == "" || p.Fields["kind"] == "" {
		t.Errorf("not every field at fault is named: %v", p)
	}
	_, err = svc.CreateHall(ctx, city, evaluation.HallInput{Code: "370402-BM01", Name: "重复", Level: "town", Region: "370402"})
	refused(t, "a hall code taken", err, http.StatusConflict, "hall_code_taken", "")
	_, err = svc.CreateStaff(ctx, city, evaluation.StaffInput{StaffNo: "SZQ-0001", Name: "重复", Department: "ZZ-SPJ"})
	refused(t, "a staff number taken", err, http.StatusConflict, "staff_no_taken", "")
	_, err = svc.CreateWindow(ctx, city, evaluation.WindowInput{Code: "370402-BM01-ZH01", Name: "重复", Hall: "370400-ZWFW",
		Department: "ZZ-SPJ", Kind: "comprehensive"})
	refused(t, "a window code taken", err, http.StatusConflict, "window_code_taken", "")

	// The city moves the window to its own hall; 市中区 no longer reaches it.
	if _, err := svc.UpdateWindow(ctx, city, "370402-BM01-ZH01", evaluation.WindowInput{Name: "综合受理窗口", Hall: "370400-ZWFW",
		Department: "ZZ-SPJ", Kind: "comprehensive"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Window(ctx, district, "370402-BM01-ZH01")
	refused(t, "the window moved out of 市中区", err, http.StatusNotFound, "window_not_found", "")

	// Window staff and auditors administer nothing.
	auditor := &access.User{Role: access.Auditor, Scope: city.Scope}
	_, err = svc.Halls(ctx, auditor)
	refused(t, "an auditor", err, http.StatusForbidden, "forbidden_role", "")
}
