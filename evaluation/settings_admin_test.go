package evaluation_test

import (
	"context"
	"net/http"
	"testing"

	"haochaping/evaluation"
)

// settingOf is the setting key of a region's settings.
func settingOf(t *testing.T, rs *evaluation.RegionSettings, key string) evaluation.EffectiveSetting {
	t.Helper()
	for _, e := range rs.Items {
		if e.Key == key {
			return e
		}
	}
	t.Fatalf("no setting %s in %s", key, rs.Region.Code)
	return evaluation.EffectiveSetting{}
}

func TestEverySettingInUseIsInTheTable(t *testing.T) {
	t.Parallel()
	want := []string{"audit_retention_days", "callback_working_days", "default_level", "evaluation_window_days", "kiosk_idle_seconds", "kiosk_scope",
		"offline_grace_days", "pad_prompt_seconds", "pad_scope", "ranking_min_evaluations", "rectify_max_working_days",
		"rectify_working_days", "recurring_problem_threshold", "target_active_rate"}
	if len(evaluation.SettingKeys) != len(want) {
		t.Errorf("%d settings, want %d", len(evaluation.SettingKeys), len(want))
	}
	for _, key := range want {
		k, err := evaluation.SettingKeyOf(key)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if v, err := k.Normalize(k.Builtin); err != nil || k.Name == "" || k.Explain == "" {
			t.Errorf("%s: its builtin %q is refused (%v), or it has no name or explanation", key, v, err)
		}
	}
	for key, cases := range map[string]map[string]string{ // value → stored; "" refused
		"pad_prompt_seconds": {"-5": "", "0": "", "9": "", "10": "10", " 090 ": "90", "600": "600", "601": "", "1.5": "", "abc": ""},
		"target_active_rate": {"0.7": "0.7", "0.70": "0.7", "1": "1", "0": "", "1.2": "", "NaN": "", "0.123456": "0.1235"},
		"pad_scope":          {"hall": "hall", "window": "window", "region": "", "Hall": ""},
		"default_level":      {"5": "5", "3": "3", "2": "", "1": ""},
	} {
		k, _ := evaluation.SettingKeyOf(key)
		for in, stored := range cases {
			got, err := k.Normalize(in)
			if stored == "" && err == nil {
				t.Errorf("%s = %q accepted as %q", key, in, got)
			}
			if stored != "" && (err != nil || got != stored) {
				t.Errorf("%s = %q: %q %v, want %q", key, in, got, err, stored)
			}
		}
	}
	_, err := evaluation.SettingKeyOf("no_such_setting")
	refused(t, "an unknown key", err, http.StatusNotFound, "unknown_setting", "")
}

func TestSettingsAreSetAndClearedPerRegion(t *testing.T) {
	t.Parallel()
	env, svc, city, district := adminEnv(t)
	ctx := context.Background()

	// As seeded: every region takes the city-wide default, or the code's where none is seeded.
	rs, err := svc.Settings(ctx, district, "")
	if err != nil || rs.Region.Code != "370402" || rs.MayEditDefault {
		t.Fatalf("市中区's settings: %+v %v", rs, err)
	}
	if e := settingOf(t, rs, "pad_prompt_seconds"); e.Value != "120" || e.Source != evaluation.SourceDefault || e.SourceName != "全市默认" {
		t.Errorf("pad_prompt_seconds as seeded: %+v", e)
	}
	if e := settingOf(t, rs, "ranking_min_evaluations"); e.Value != "30" || e.Source != evaluation.SourceBuiltin {
		t.Errorf("ranking_min_evaluations, not seeded: %+v", e)
	}

	// 市中区 sets its own; 薛城区 still takes the default; the SQL that reads it agrees.
	e, err := svc.SetSetting(ctx, district, "370402", "pad_prompt_seconds", "90")
	if err != nil || e.Value != "90" || e.Source != evaluation.SourceOwn || e.SourceName != "本地区" || e.Changed == nil || e.Changed.By != "szq-office" {
		t.Fatalf("set: %+v %v", e, err)
	}
	if v := env.Count(`SELECT region_setting((SELECT id FROM regions WHERE code = '370402'), 'pad_prompt_seconds')::int`); v != 90 {
		t.Errorf("region_setting reads %d", v)
	}
	other, _ := svc.Settings(ctx, city, "370403")
	if e := settingOf(t, other, "pad_prompt_seconds"); e.Value != "120" || e.Source != evaluation.SourceDefault {
		t.Errorf("薛城区 after 市中区's change: %+v", e)
	}

	// A town below 市中区 inherits 市中区's value, named as its source.
	env.Exec(`INSERT INTO regions (code, name, parent_id, level) SELECT '370402001', '中心街街道', id, 'town' FROM regions WHERE code = '370402'`)
	town, err := svc.Settings(ctx, district, "370402001")
	if err != nil {
		t.Fatal(err)
	}
	if e := settingOf(t, town, "pad_prompt_seconds"); e.Value != "90" || e.Source != evaluation.SourceInherited || e.SourceName != "市中区" {
		t.Errorf("the town inherits: %+v", e)
	}

	// Refusals: out of range, unknown key, outside the district, the default from a district,
	// a rectification deadline beyond the maximum.
	_, err = svc.SetSetting(ctx, district, "370402", "pad_prompt_seconds", "-5")
	refused(t, "-5 seconds", err, http.StatusUnprocessableEntity, "invalid_setting_value", "value")
	_, err = svc.SetSetting(ctx, district, "370402", "no_such_key", "1")
	refused(t, "an unknown key", err, http.StatusNotFound, "unknown_setting", "")
	_, err = svc.SetSetting(ctx, district, "370403", "pad_prompt_seconds", "90")
	refused(t, "薛城区 from 市中区", err, http.StatusNotFound, "region_not_found", "")
	_, err = svc.Settings(ctx, district, "370400")
	refused(t, "the city's settings from 市中区", err, http.StatusNotFound, "region_not_found", "")
	_, err = svc.SetSetting(ctx, district, evaluation.DefaultRegionCode, "pad_prompt_seconds", "90")
	refused(t, "the default from 市中区", err, http.StatusForbidden, "forbidden_default", "")
	_, err = svc.SetSetting(ctx, district, "370402", "rectify_working_days", "20")
	refused(t, "5 → 20 days with a maximum of 15", err, http.StatusUnprocessableEntity, "rectify_days_over_max", "value")
	if _, err := svc.SetSetting(ctx, district, "370402", "rectify_max_working_days", "25"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSetting(ctx, district, "370402", "rectify_working_days", "20"); err != nil {
		t.Errorf("20 days with a maximum of 25: %v", err)
	}

	// Clearing returns to the default; clearing again changes nothing. Each change is recorded.
	e, err = svc.ClearSetting(ctx, district, "370402", "pad_prompt_seconds")
	if err != nil || e.Value != "120" || e.Source != evaluation.SourceDefault || e.Changed == nil || e.Changed.New != nil {
		t.Fatalf("clear: %+v %v", e, err)
	}
	if _, err := svc.ClearSetting(ctx, district, "370402", "pad_prompt_seconds"); err != nil {
		t.Fatal(err)
	}
	if n := env.Count(`SELECT count(*) FROM settings_changes WHERE key = 'pad_prompt_seconds'`); n != 2 {
		t.Errorf("%d changes of pad_prompt_seconds recorded, want 2 (set, clear)", n)
	}

	// The city changes the default, which every region without its own value takes.
	all, err := svc.Settings(ctx, city, evaluation.DefaultRegionCode)
	if err != nil || !all.MayEditDefault {
		t.Fatalf("the default: %+v %v", all, err)
	}
	if _, err := svc.SetSetting(ctx, city, evaluation.DefaultRegionCode, "kiosk_scope", "region"); err != nil {
		t.Fatal(err)
	}
	rs, _ = svc.Settings(ctx, district, "370402")
	if e := settingOf(t, rs, "kiosk_scope"); e.Value != "region" || e.Label != "本大厅所在区划" || e.Source != evaluation.SourceDefault {
		t.Errorf("kiosk_scope after the city's change: %+v", e)
	}
}
