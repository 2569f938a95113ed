package jsonbody

import (
	"encoding/json"
	"testing"

	"haochaping/internal/problem"
)

type person struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type rating struct {
	Level   int      `json:"level"`
	Reasons []string `json:"reasons"`
	Comment string   `json:"comment"`
}

type submission struct {
	Seq       *int64          `json:"seq"`
	CaseNo    string          `json:"case_no"`
	Applicant *person         `json:"applicant"`
	People    []person        `json:"people"`
	Extra     map[string]any  `json:"extra"`
	Later     json.RawMessage `json:"later"`
	Hidden    string          `json:"-"`
	rating                    // flattened, as encoding/json does
}

// refusal decodes body into a submission and returns the refusal's code and the one field it
// names ("" for none); ok is false when Decode accepted the body.
func refusal(t *testing.T, body string) (code, field string, ok bool) {
	t.Helper()
	var s submission
	err := Decode([]byte(body), &s)
	if err == nil {
		return "", "", false
	}
	p, isProblem := problem.As(err)
	if !isProblem {
		t.Fatalf("%q: %T %v is not a *problem.Error", body, err, err)
	}
	if len(p.Fields) > 1 {
		t.Fatalf("%q: fields %v, want one", body, p.Fields)
	}
	for f := range p.Fields {
		field = f
	}
	return p.Code, field, true
}

func TestDecodeRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"case_no":"C\u0000"}`, "case_no"},
		{`{"applicant":{"name":"张\u0000三"}}`, "applicant.name"},
		{`{"comment":"bell \u0007"}`, "comment"},
		{`{"reasons":["服务态度","\u001b[31m"]}`, "reasons[1]"},
		{`{"people":[{"name":"ok"},{"phone":"138\u0000"}]}`, "people[1].phone"},
		{`{"extra":{"note":{"deep":["x","\u0001"]}}}`, "extra.note.deep[1]"},
		{`{"extra":{"k\u0000ey":1}}`, "extra.k\x00ey"},
		{`{"Comment":"\u0000"}`, "comment"}, // keys match fields without regard to case
	} {
		code, field, ok := refusal(t, c.body)
		if !ok || code != "invalid_text" || field != c.field {
			t.Errorf("%s: refused %v, code %q, field %q; want invalid_text naming %q", c.body, ok, code, field, c.field)
		}
	}
}

func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{"{\"comment\":\"\xff\xfe\"}", "comment"},
		{"{\"level\":1,\"applicant\":{\"name\":\"\xe5\xbc\"}}", "applicant.name"},
		{"{\"reasons\":[\"ok\",\"\xc0\xaf\"]}", "reasons[1]"},
		// A U+FFFD the client meant comes before the bad bytes: it is not blamed.
		{"{\"case_no\":\"\uFFFD\",\"comment\":\"\xff\"}", "comment"},
		{"{\"COMMENT\":\"\xff\"}", "comment"},
	} {
		code, field, ok := refusal(t, c.body)
		if !ok || code != "invalid_text" || field != c.field {
			t.Errorf("%q: refused %v, code %q, field %q; want invalid_text naming %q", c.body, ok, code, field, c.field)
		}
	}
}

func TestDecodeAcceptsText(t *testing.T) {
	for _, body := range []string{
		`{"comment":"等了很久\t第二行\r\n第三行","applicant":{"name":"张三"}}`,
		`{"comment":"\uFFFD is a character like any other"}`,
		// What the target does not keep is not its to judge: unknown fields, fields that
		// are not decoded ("-"), and raw JSON, which its owner decodes and checks later.
		"{\"unknown\":\"\\u0000\xff\",\"comment\":\"ok\"}",
		`{"Hidden":"\u0000","-":"\u0000"}`,
		"{\"later\":{\"comment\":\"\xff\\u0000\"}}",
		`{"seq":1,"level":5,"people":[],"extra":null}`,
	} {
		if code, field, ok := refusal(t, body); ok {
			t.Errorf("%q: refused, code %q, field %q", body, code, field)
		}
	}
}

func TestDecodeRawMessageIsCheckedByItsOwner(t *testing.T) {
	var outer submission
	if err := Decode([]byte("{\"later\":{\"comment\":\"\xff\"}}"), &outer); err != nil {
		t.Fatalf("outer: %v", err)
	}
	var inner submission
	err := Decode(outer.Later, &inner)
	if p, ok := problem.As(err); !ok || p.Code != "invalid_text" || p.Fields["comment"] == "" {
		t.Fatalf("inner: %v, want invalid_text naming comment", err)
	}
}

func TestDecodeTopLevelString(t *testing.T) {
	var s string
	err := Decode([]byte(`"a\u0000b"`), &s)
	if p, ok := problem.As(err); !ok || p.Code != "invalid_text" || p.Status != 422 || len(p.Fields) != 0 {
		t.Fatalf("a top-level string with NUL: %v", err)
	}
}

func TestCheckTextDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items on purpose")
	}
	seq := int64(7)
	s := submission{Seq: &seq, CaseNo: "SD370400-20261126-0001", Applicant: &person{Name: "张三", Phone: "13812345678"},
		People: []person{{Name: "李四"}}, rating: rating{Level: 2, Reasons: []string{"服务态度", "服务效率"}, Comment: "等了很久"}}
	checkText(&s, nil) // fills the field cache
	if n := testing.AllocsPerRun(100, func() {
		if err := checkText(&s, nil); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations to check a clean value, want 0", n)
	}
}

// FuzzDecode checks that no body, however malformed, panics Decode, and that every refusal is
// a *problem.Error with a 4xx status — into a struct and into any, whose maps and slices the
// text check walks too.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"case_no":"C1","applicant":{"name":"张三"},"reasons":["a","b"],"comment":"ok"}`))
	f.Add([]byte("{\"comment\":\"\xff\",\"extra\":{\"k\":[\"\\u0000\"]}}"))
	f.Add([]byte(`[{"a":"\u0001"},"x",{"":""}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{&submission{}, new(any)} {
			err := Decode(body, v)
			if err == nil {
				continue
			}
			if p, ok := problem.As(err); !ok || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("%q: %T %v, want a 4xx *problem.Error", body, err, err)
			}
		}
	})
}
