// Package upward reports to the provincial 好差评 platform in the platform's own format: a
// profile (seeds/upward/*.yaml) names every field, code list, the envelope and the cryptography,
// so that a province's differences are data, not code. profile.go loads and checks a profile;
// record.go turns one of our evaluations into the platform's fields; envelope.go wraps, encrypts
// and signs a message and opens one again (as the platform, or its simulator, does).
package upward

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	profiles "haochaping/seeds/upward"
)

// Profile is one platform's format.
type Profile struct {
	Name          string                       `yaml:"name"`
	Title         string                       `yaml:"title"`
	Envelope      string                       `yaml:"envelope"`       // "shandong" or "json"
	ProjectPrefix string                       `yaml:"project_prefix"` // before our case number
	TimeLayout    string                       `yaml:"time_layout"`    // Go layout, Beijing time
	Crypto        Crypto                       `yaml:"crypto"`
	Headers       map[string]string            `yaml:"headers"` // header → the setting that holds its value
	Codes         map[string]map[string]string `yaml:"codes"`   // list → our value → the platform's
	// Params names the list of records inside a message's params, per kind (evaluation →
	// "evaluate"); Paths the address of each kind's messages, after the platform's URL ("" the URL).
	Params map[Kind]string `yaml:"params"`
	Paths  map[Kind]string `yaml:"paths"`
	// ServiceMissing is the words by which the platform refuses a rating because it does not
	// hold the rating's service record (it lost it, or took it under another key): the sender
	// then sends the service record again, and the rating after it.
	ServiceMissing string `yaml:"service_missing"`
	// Service is the 办件 service record, sent before its evaluations; Evaluation the rating.
	Service    []Field `yaml:"service"`
	Evaluation []Field `yaml:"evaluation"`

	patterns map[Kind]map[string]*regexp.Regexp
}

// Kind is a kind of record the platform keeps.
type Kind string

const (
	Service    Kind = "service"    // 办件服务数据: the case's service, before any rating of it
	Evaluation Kind = "evaluation" // 评价数据: a rating, or the citizen's rating of a fix
)

// kinds are the record kinds in the order they are sent.
var kinds = []Kind{Service, Evaluation}

// Fields are the fields of a kind of record.
func (p *Profile) Fields(k Kind) []Field {
	if k == Service {
		return p.Service
	}
	return p.Evaluation
}

// ParamsKey is the name of the list of k's records inside a message's params.
func (p *Profile) ParamsKey(k Kind) string {
	if key := p.Params[k]; key != "" {
		return key
	}
	return string(k)
}

// Crypto is what protects a message.
type Crypto struct {
	Encrypt string `yaml:"encrypt"` // "sm4" (shared key), "sm2" (the platform's public key) or "none"
	Sign    string `yaml:"sign"`    // "sm2" (our private key) or "none"
	UID     string `yaml:"uid"`     // the SM2 signer's user ID
}

// Field is one field of the platform's evaluation record.
type Field struct {
	Name     string `yaml:"name"`     // the platform's name
	From     string `yaml:"from"`     // the Record value it is made of
	Required bool   `yaml:"required"` // the platform refuses a record without it
	Codes    string `yaml:"codes"`    // the code list that translates it, if any
	List     bool   `yaml:"list"`     // a comma-separated list of codes
	Time     bool   `yaml:"time"`     // an instant, written in TimeLayout
	Max      int    `yaml:"max"`      // the most characters the platform takes (0: no limit)
	Pattern  string `yaml:"pattern"`  // a regular expression the value must match
	Identity bool   `yaml:"identity"` // an identity field: travels only encrypted, never logged
}

// LoadProfile reads the embedded profile of that name and checks it.
func LoadProfile(name string) (*Profile, error) {
	raw, err := profiles.Profiles.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("upward profile %q: no such profile (have: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return ParseProfile(raw)
}

// ProfileNames are the profiles the binary carries.
func ProfileNames() []string {
	entries, _ := profiles.Profiles.ReadDir(".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	return names
}

// sources are the values a Record may carry (record.go): a field made of anything else is a
// mistake of the profile.
var sources = []string{"project_no", "task_code", "task_handle_item", "channel", "level", "reasons", "comment",
	"rated_at", "assess_number", "pro_status", "user_prop", "cert_key", "user_name", "dept_code", "dept_name",
	"area_code", "accepted_at", "completed_at", "promise_type", "rectification", "answer",
	"service_number", "service_name", "service_time", "task_name", "pro_channel"}

// ParseProfile reads a profile and checks that it is whole: an envelope and cryptography this
// package knows, every field made of a known value, every code list it names present.
func ParseProfile(raw []byte) (*Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("upward profile: %w", err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("upward profile %q: "+format, append([]any{p.Name}, a...)...)
	}
	if p.Name == "" || p.TimeLayout == "" || len(p.Evaluation) == 0 {
		return nil, bad("needs a name, a time_layout and the evaluation's fields")
	}
	if !slices.Contains([]string{"shandong", "json"}, p.Envelope) {
		return nil, bad("envelope %q: want shandong or json", p.Envelope)
	}
	if !slices.Contains([]string{"sm4", "sm2", "none"}, p.Crypto.Encrypt) || !slices.Contains([]string{"sm2", "none"}, p.Crypto.Sign) {
		return nil, bad("crypto %+v: encrypt sm4, sm2 or none; sign sm2 or none", p.Crypto)
	}
	if len(p.Service) > 0 && !slices.ContainsFunc(p.Service, func(f Field) bool { return f.From == "project_no" }) {
		return nil, bad("the service record needs the field made of project_no: its evaluations name it")
	}
	p.patterns = map[Kind]map[string]*regexp.Regexp{}
	for _, k := range kinds {
		p.patterns[k] = map[string]*regexp.Regexp{}
		seen := map[string]bool{}
		for _, f := range p.Fields(k) {
			if f.Name == "" || seen[f.Name] {
				return nil, bad("%s field %q: empty or twice", k, f.Name)
			}
			seen[f.Name] = true
			if !slices.Contains(sources, f.From) {
				return nil, bad("field %s: from %q is not a value of the record (%s)", f.Name, f.From, strings.Join(sources, ", "))
			}
			if f.Codes != "" && p.Codes[f.Codes] == nil {
				return nil, bad("field %s: no code list %q", f.Name, f.Codes)
			}
			if f.Pattern != "" {
				re, err := regexp.Compile(f.Pattern)
				if err != nil {
					return nil, bad("field %s: pattern: %v", f.Name, err)
				}
				p.patterns[k][f.Name] = re
			}
		}
	}
	return &p, nil
}

// KeyField is the platform's name of the evaluation field made of our value from (e.g.
// project_no → projectNo): an evaluation's identity at the platform is (project_no,
// assess_number), a service record's (project_no, service_number).
func (p *Profile) KeyField(from string) string { return p.keyField(Evaluation, from) }

func (p *Profile) keyField(k Kind, from string) string {
	for _, f := range p.Fields(k) {
		if f.From == from {
			return f.Name
		}
	}
	return from
}

// key is a record's identity at the platform: its projectNo and, for an evaluation, its
// assessNumber, for a service record its serviceNumber.
func (p *Profile) key(k Kind, fields map[string]string) recordKey {
	number := "assess_number"
	if k == Service {
		number = "service_number"
	}
	return recordKey{kind: k, projectNo: fields[p.keyField(k, "project_no")], number: fields[p.keyField(k, number)]}
}

// serviceMissing reports whether a refusal says the platform lacks the rating's service record.
func (p *Profile) serviceMissing(problems []Problem) bool {
	if p.ServiceMissing == "" {
		return false
	}
	for _, pr := range problems {
		if strings.Contains(pr.Reason, p.ServiceMissing) {
			return true
		}
	}
	return false
}
