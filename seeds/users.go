package seeds

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"haochaping/access"
	"haochaping/internal/problem"
)

//go:embed users.yaml
var usersYAML []byte

// DemoUser is a demo login as users.yaml lists it, with its published password.
type DemoUser struct {
	Username    string `yaml:"username" json:"username"`
	Password    string `yaml:"password" json:"password"`
	Role        string `yaml:"role" json:"role"`
	Scope       string `yaml:"scope" json:"scope"` // "region:370400"
	StaffNo     string `yaml:"staff" json:"staff_no,omitempty"`
	DisplayName string `yaml:"name" json:"display_name,omitempty"` // empty: the staff member's name
}

// DemoUsers parses the embedded users.yaml.
func DemoUsers() ([]DemoUser, error) {
	var f struct {
		Users []DemoUser `yaml:"users"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(usersYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("seeds/users.yaml: %w", err)
	}
	return f.Users, nil
}

// SeedDemoUsers creates the demo logins of users.yaml that do not exist yet; a username that
// exists is left as it is, so that running it again changes nothing. It needs the demo staff
// (seeded in demo mode). Demo passwords are published, so they are hashed at bcrypt's lowest
// cost: a slow hash protects nothing there, and would slow every seeded test.
func SeedDemoUsers(ctx context.Context, users *access.Users) error {
	list, err := DemoUsers()
	if err != nil {
		return err
	}
	existing, err := users.List(ctx, false)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, u := range existing {
		have[u.Username] = true
	}
	fast := *users
	fast.Cost = bcrypt.MinCost
	for _, d := range list {
		if have[d.Username] {
			continue
		}
		kind, code, err := access.ParseScope(d.Scope)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", d.Username, err)
		}
		_, err = fast.Create(ctx, access.NewUser{Username: d.Username, Password: d.Password, DisplayName: d.DisplayName,
			Role: access.Role(d.Role), ScopeKind: kind, ScopeCode: code, StaffNo: d.StaffNo, Demo: true})
		if p, ok := problem.As(err); ok && p.Code == "username_taken" {
			continue // created meanwhile by a seed running alongside
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", d.Username, err)
		}
	}
	return nil
}
