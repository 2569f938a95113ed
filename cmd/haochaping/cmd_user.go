package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"haochaping/access"
	"haochaping/seeds"
)

func runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: haochaping user add|list|enable|disable|totp-reset ...")
		return errUsage
	}
	e, err := open(ctx, needs{})
	if err != nil {
		return err
	}
	defer e.Close()
	users := &access.Users{DB: e.DB, RefuseDemo: !e.Cfg.Demo}
	switch args[0] {
	case "add":
		return userAdd(ctx, users, args[1:])
	case "list":
		return userList(ctx, users, e.Cfg.Demo, args[1:])
	case "enable", "disable":
		return switchOn(ctx, "user", args, users.SetActive)
	case "totp-reset":
		return userTOTPReset(ctx, users, args[1:])
	}
	fmt.Fprintf(os.Stderr, "haochaping user: unknown action %q (add, list, enable, disable, totp-reset)\n", args[0])
	return errUsage
}

func userAdd(ctx context.Context, users *access.Users, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var nu access.NewUser
	var role, scope string
	fs.StringVar(&nu.Username, "username", "", "login name: 2–32 lowercase letters, digits, '.', '_' or '-' (required)")
	fs.StringVar(&nu.Password, "password", "", "at least 8 characters (default: read a line from stdin, out of the shell history)")
	fs.StringVar(&role, "role", "", "window_staff, unit_head, office_admin or auditor (required)")
	fs.StringVar(&scope, "scope", "", "department:CODE, hall:CODE or region:CODE (required)")
	fs.StringVar(&nu.StaffNo, "staff", "", "staff number of the staff member (required for window_staff and unit_head)")
	fs.StringVar(&nu.DisplayName, "name", "", "display name (default: the staff member's name, else the username)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if nu.Username == "" || role == "" || scope == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	kind, code, err := access.ParseScope(scope)
	if err != nil {
		return err
	}
	nu.Role, nu.ScopeKind, nu.ScopeCode = access.Role(role), kind, code
	if nu.Password == "" {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: give --password or a line on stdin")
		}
		nu.Password = strings.TrimRight(line, "\r\n")
	}
	user, err := users.Create(ctx, nu)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(user)
	}
	fmt.Printf("user created\n  username: %s\n  role:     %s (%s)\n  scope:    %s %s\n", user.Username, user.Role,
		user.Role.Label(), user.Scope, user.Scope.Name)
	if user.StaffNo != "" {
		fmt.Printf("  staff:    %s %s\n", user.StaffNo, user.DisplayName)
	}
	return nil
}

// demoLogin is a demo user as `user list --demo` prints it, with its published password.
type demoLogin struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Role        string `json:"role"`
	Scope       string `json:"scope"`
	DisplayName string `json:"display_name"`
	StaffNo     string `json:"staff_no,omitempty"`
	Active      bool   `json:"active"`
}

func userList(ctx context.Context, users *access.Users, demoMode bool, args []string) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "only the demo users, with their passwords (demo mode only)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *demo && !demoMode {
		return errors.New("demo users exist only in demo mode (HAOCHAPING_DEMO=1, which `make run` sets)")
	}
	list, err := users.List(ctx, *demo)
	if err != nil {
		return err
	}
	if *demo {
		return printDemoUsers(list, *asJSON)
	}
	if *asJSON {
		if list == nil {
			list = []*access.User{}
		}
		return json.NewEncoder(os.Stdout).Encode(list)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "USERNAME\tROLE\tSCOPE\tSTAFF\tACTIVE\tDEMO\tNAME")
	for _, u := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\t%t\t%s\n", u.Username, u.Role, u.Scope, u.StaffNo, u.Active, u.Demo, u.DisplayName)
	}
	return w.Flush()
}

// printDemoUsers prints the seeded demo users with the passwords users.yaml publishes for them.
func printDemoUsers(seeded []*access.User, asJSON bool) error {
	listed, err := seeds.DemoUsers()
	if err != nil {
		return err
	}
	byName := map[string]*access.User{}
	for _, u := range seeded {
		byName[u.Username] = u
	}
	out := []demoLogin{}
	for _, d := range listed {
		u := byName[d.Username]
		if u == nil {
			continue // not seeded (yet): run `haochaping seed` in demo mode
		}
		out = append(out, demoLogin{Username: u.Username, Password: d.Password, Role: string(u.Role),
			Scope: u.Scope.String(), DisplayName: u.DisplayName, StaffNo: u.StaffNo, Active: u.Active})
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "USERNAME\tPASSWORD\tROLE\tSCOPE\tSTAFF\tACTIVE\tNAME")
	for _, d := range out {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%t\t%s\n", d.Username, d.Password, d.Role, d.Scope, d.StaffNo, d.Active, d.DisplayName)
	}
	return w.Flush()
}

// userTOTPReset is `haochaping user totp-reset USERNAME`: the login's second factor is removed
// and its sessions end; it enrolls again at its next login.
func userTOTPReset(ctx context.Context, users *access.Users, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: haochaping user totp-reset USERNAME")
		return errUsage
	}
	user, err := users.ResetTOTP(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Printf("second factor of %s reset: its sessions ended; it sets up an authenticator at its next login\n", user.Username)
	return nil
}
