package main

import (
	"context"
	"fmt"

	"haochaping/migrations"
)

func runMigrate(ctx context.Context, args []string) error {
	e, err := open(ctx, needs{})
	if err != nil {
		return err
	}
	defer e.Close()
	sqlDB, err := e.DB.Gorm.DB()
	if err != nil {
		return err
	}
	current, latest, err := migrations.Version(ctx, sqlDB)
	if err != nil {
		return err
	}
	fmt.Printf("schema %q at version %d (latest %d)\n", e.DB.Schema, current, latest)
	return nil
}
