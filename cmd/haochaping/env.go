package main

import (
	"context"
	"fmt"
	"os"

	"haochaping/app"
)

// env is what every subcommand may need, opened on demand (app.Env).
type env = app.Env

func newEnv() (*env, error) { return app.NewEnv() }

// needs say what a subcommand opens besides the migrated database.
type needs = app.Needs

// open loads the settings and opens what a subcommand needs (app.Open).
func open(ctx context.Context, n needs) (*env, error) { return app.Open(ctx, n) }

// openApp opens everything and assembles the system (app.OpenApp).
func openApp(ctx context.Context) (*env, *app.App, error) { return app.OpenApp(ctx) }

// switchOn is `haochaping <thing> enable|disable NAME`, shared by devices and users: set turns
// the named one on or off.
func switchOn(ctx context.Context, thing string, args []string, set func(ctx context.Context, name string, on bool) error) error {
	if len(args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: haochaping %s %s NAME\n", thing, args[0])
		return errUsage
	}
	if err := set(ctx, args[1], args[0] == "enable"); err != nil {
		return err
	}
	fmt.Printf("%s %s %sd\n", thing, args[1], args[0])
	return nil
}
