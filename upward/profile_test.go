package upward_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"haochaping/upward"
	"haochaping/upward/gm"
)

func shandong(t *testing.T) *upward.Profile {
	t.Helper()
	p, err := upward.LoadProfile("shandong")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// window is a pad's rating of a completed case, as record.go takes it.
func window() upward.Record {
	return upward.Record{
		"project_no": "SD370400-20261126-0001", "task_code": "1137040000440425XQ370400000000000"[:31],
		"task_handle_item": "1137040000440425XQ37040000000000000"[:33], "channel": "window", "level": "2",
		"reasons": "offline.efficiency,offline.attitude", "comment": "等了很久，请回电 138****5678",
		"rated_at": "2026-11-26T01:30:05Z", "assess_number": "first", "pro_status": "completed",
		"user_prop": "person", "cert_key": "370402199001011234", "user_name": "张三",
		"dept_code": "11370400MB28449409", "dept_name": "枣庄市市场监督管理局", "area_code": "370400",
		"accepted_at": "2026-11-26T00:10:00Z", "completed_at": "2026-11-26T01:20:00Z", "promise_type": "immediate",
		"service_number": "1", "service_name": "办结", "service_time": "2026-11-26T01:20:00Z", "task_name": "食品经营许可",
		"pro_channel": "offline",
	}
}

func with(r upward.Record, kv ...string) upward.Record {
	out := upward.Record{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestProfilesLoad: the profiles the binary carries load, and a profile that is not whole is
// refused with what is wrong.
func TestProfilesLoad(t *testing.T) {
	t.Parallel()
	if names := upward.ProfileNames(); !slices.Contains(names, "shandong") || !slices.Contains(names, "simple") {
		t.Fatalf("profiles: %v", names)
	}
	for _, n := range upward.ProfileNames() {
		if _, err := upward.LoadProfile(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := upward.LoadProfile("zhejiang"); err == nil || !strings.Contains(err.Error(), "shandong") {
		t.Errorf("an unknown profile: %v", err)
	}
	base := "name: x\ntitle: x\nenvelope: json\ntime_layout: \"2006\"\ncrypto: {encrypt: none, sign: none}\n"
	for yaml, want := range map[string]string{
		base + "evaluation:\n  - {name: a, from: nowhere}\n":                                  "not a value of the record",
		base + "evaluation:\n  - {name: a, from: channel, codes: pf}\n":                       "no code list",
		base + "evaluation:\n  - {name: a, from: level, color: red}\n":                        "color",
		strings.Replace(base, "json", "xml", 1) + "evaluation:\n  - {name: a, from: level}\n": "envelope",
		base + "evaluation:\n  - {name: a, from: level}\n  - {name: a, from: channel}\n":      "twice",
	} {
		if _, err := upward.ParseProfile([]byte(yaml)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error about %s", yaml, err, want)
		}
	}
}

// TestEveryFieldAndCodeOfShandong: a window rating, field by field in the platform's names and
// codes; then what changes for a kiosk, the app, the receipt's QR code, the portal and a
// default, a legal person, and the citizen's rating of a fix (assessNumber 2).
func TestEveryFieldAndCodeOfShandong(t *testing.T) {
	t.Parallel()
	p := shandong(t)
	got, problems := p.Build(upward.Evaluation, window())
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := map[string]string{
		"projectNo": "37SD370400-20261126-0001", "taskCode": "1137040000440425XQ3704000000000",
		"taskHandleItem": "1137040000440425XQ370400000000000", "pf": "4", "satisfaction": "2",
		"evalDetail": "502,504", "writingEvaluation": "等了很久，请回电 138****5678",
		"assessTime": "2026-11-26 09:30:05", "assessNumber": "1", "proStatus": "3", "userProp": "1",
		"certKey": "370402199001011234", "userName": "张三", "deptCode": "11370400MB28449409",
		"proDepart": "枣庄市市场监督管理局", "areaCode": "370400", "acceptDate": "2026-11-26 08:10:00",
		"resultDate": "2026-11-26 09:20:00", "promiseTime": "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %q", k, got[k])
		}
	}
	for _, c := range []struct {
		name  string
		r     upward.Record
		field string
		want  string
	}{
		{"kiosk", with(window(), "channel", "kiosk"), "pf", "5"},
		{"mobile app", with(window(), "channel", "mobile_app"), "pf", "2"},
		{"receipt QR", with(window(), "channel", "mobile_qr"), "pf", "3"},
		{"portal", with(window(), "channel", "pc", "reasons", "online.guide,online.usability"), "evalDetail", "603,605"},
		{"portal's channel", with(window(), "channel", "pc"), "pf", "1"},
		{"a default: level 5, no reasons", with(window(), "level", "5", "reasons", "", "comment", ""), "satisfaction", "5"},
		{"a legal person", with(window(), "user_prop", "legal", "cert_key", "91370400MA3C8ABCDE"), "userProp", "2"},
		{"the fix's rating", with(window(), "assess_number", "second", "level", "5"), "assessNumber", "2"},
		{"a promised item", with(window(), "promise_type", "promised"), "promiseTime", "2"},
		{"still handling", with(window(), "pro_status", "handling"), "proStatus", "2"},
	} {
		got, problems := p.Build(upward.Evaluation, c.r)
		if len(problems) > 0 || got[c.field] != c.want {
			t.Errorf("%s: %s = %q (problems %v), want %q", c.name, c.field, got[c.field], problems, c.want)
		}
	}
	if got, _ := p.Build(upward.Evaluation, with(window(), "level", "5", "reasons", "", "comment", "")); got["evalDetail"] != "" || got["writingEvaluation"] != "" {
		t.Errorf("a default carries reasons or a comment: %v", got)
	}
	rect, problems := p.Build(upward.Evaluation, with(window(), "rectification", "已整改：增设叫号屏", "answer", "已电话答复"))
	if len(problems) > 0 || rect["rectification"] != "已整改：增设叫号屏" || rect["answer"] != "已电话答复" {
		t.Errorf("the rectification on the same record: %v %v", rect, problems)
	}
	if ids := p.IdentityFields(); !slices.Equal(ids, []string{"certKey", "userName"}) {
		t.Errorf("identity fields: %v", ids)
	}
}

// TestRecordsThePlatformWouldRefuse: a record missing what the platform requires, or with a
// value without a code, or too long, is refused before it leaves, with each problem; Check
// (the simulator's side) refuses an unknown field, a code not in its list and a bad instant.
func TestRecordsThePlatformWouldRefuse(t *testing.T) {
	t.Parallel()
	p := shandong(t)
	_, problems := p.Build(upward.Evaluation, with(window(), "project_no", "", "channel", "telepathy", "comment", strings.Repeat("长", 501), "area_code", "3704"))
	fields := map[string]bool{}
	for _, pr := range problems {
		fields[pr.Field] = true
	}
	for _, f := range []string{"projectNo", "pf", "writingEvaluation", "areaCode"} {
		if !fields[f] {
			t.Errorf("no problem for %s: %v", f, problems)
		}
	}
	good, _ := p.Build(upward.Evaluation, window())
	bad := map[string]string{}
	for k, v := range good {
		bad[k] = v
	}
	bad["pf"], bad["assessTime"], bad["color"] = "9", "2026/11/26 09:30", "red"
	fields = map[string]bool{}
	for _, pr := range p.Check(upward.Evaluation, bad) {
		fields[pr.Field] = true
	}
	for _, f := range []string{"pf", "assessTime", "color"} {
		if !fields[f] {
			t.Errorf("Check: no problem for %s", f)
		}
	}
	if pr := p.Check(upward.Evaluation, good); len(pr) != 0 {
		t.Errorf("Check of a good record: %v", pr)
	}
}

func testKeys(t *testing.T) upward.Keys {
	t.Helper()
	ours, err := gm.PrivateKey("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
	if err != nil {
		t.Fatal(err)
	}
	platform, err := gm.PrivateKey("1649AB77A00637BD5E2EFE283FBF353534AA7F7CB89463F208DDBC2920BB0DA0")
	if err != nil {
		t.Fatal(err)
	}
	return upward.Keys{AppMark: "zaozhuang-hcp", SM4Key: []byte("0123456789abcdef"), SignKey: ours,
		VerifyKey: &ours.PublicKey, PlatformKey: &platform.PublicKey, DecryptKey: platform}
}

// TestShandongEnvelope: the message is the Shandong wrapper with the params encrypted (no field
// and no identity in clear) and signed; the platform's side verifies and decrypts it; a changed
// byte or another key is refused. The same with SM2 encryption; the simple profile sends the
// JSON as it is.
func TestShandongEnvelope(t *testing.T) {
	t.Parallel()
	p := shandong(t)
	k := testKeys(t)
	rec, _ := p.Build(upward.Evaluation, window())
	payload, _ := json.Marshal(map[string]any{"evaluate": []map[string]string{rec}})
	at := time.Date(2026, 11, 26, 1, 30, 0, 0, time.UTC)
	body, err := p.Seal(k, at, payload)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]any
	if err := json.Unmarshal(body, &env); err != nil || env["txnBodyCom"]["appMark"] != "zaozhuang-hcp" ||
		env["txnBodyCom"]["time"] != "20261126093000" || env["txnBodyCom"]["sign"] == "" || env["txnCommCom"] == nil {
		t.Fatalf("the envelope: %s %v", body, err)
	}
	for _, clear := range []string{"projectNo", "370402199001011234", "张三", "SD370400"} {
		if bytes.Contains(body, []byte(clear)) {
			t.Errorf("%q is in clear in the message", clear)
		}
	}
	got, mark, err := p.Open(k, body)
	if err != nil || mark != "zaozhuang-hcp" || !bytes.Equal(got, payload) {
		t.Fatalf("open: %s %q %v", got, mark, err)
	}

	tampered := bytes.Replace(body, []byte(`"time":"20261126093000"`), []byte(`"time":"20261126093001"`), 1)
	if _, _, err := p.Open(k, tampered); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("a changed time: %v", err)
	}
	other := k
	other.SM4Key = []byte("fedcba9876543210")
	if got, _, err := p.Open(other, body); err == nil && bytes.Equal(got, payload) {
		t.Error("opened with another SM4 key")
	}
	stranger, _ := gm.PrivateKey("0000000000000000000000000000000000000000000000000000000000000007")
	other = k
	other.VerifyKey = &stranger.PublicKey
	if _, _, err := p.Open(other, body); err == nil {
		t.Error("verified with another sender's key")
	}

	sm2p := *p
	sm2p.Crypto.Encrypt = "sm2"
	body, err = sm2p.Seal(k, at, payload)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := sm2p.Open(k, body); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("SM2-encrypted: %s %v", got, err)
	}

	simple, err := upward.LoadProfile("simple")
	if err != nil {
		t.Fatal(err)
	}
	if body, err := simple.Seal(k, at, payload); err != nil || !bytes.Equal(body, payload) {
		t.Errorf("the simple profile wraps: %s %v", body, err)
	}
}
